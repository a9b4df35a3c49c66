// Package faults is the fault-injection and bad-input suite: it drives the
// real commands, breaks builds in every phase (a failing hook, SIGINT,
// SIGTERM, SIGKILL) and checks that nothing is left behind, and feeds every
// command bad input. `./mage test:faults` runs it on its own and prints its
// tables; `./mage test` runs it too.
package faults
