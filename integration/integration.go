// Package integration holds the tests that build every kind of output and
// boot it in QEMU (see integration/qemu for the harness). The tests share
// one cached base root and build each image once per run.
package integration
