// Package fuzzguard makes a fuzz target fail on what Go's fuzzer does
// not catch by itself: an input that makes the code under test allocate
// far more memory than the input could justify, or run for seconds. Both
// are how a parser of hostile input is attacked, and both would
// otherwise only show as a slow or killed fuzzing run.
package fuzzguard

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// Limits for one input. An input that exceeds MaxTime crashes the
// fuzzing worker, which records it as a crasher: the running code cannot
// be stopped from outside.
const (
	MaxAlloc = 512 << 20
	MaxTime  = 10 * time.Second
)

// Run runs fn on one input and fails t if fn allocates more than
// MaxAlloc bytes in all, or crashes the process if it runs longer than
// MaxTime.
func Run(t testing.TB, fn func()) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	timer := time.AfterFunc(MaxTime, func() {
		panic(fmt.Sprintf("fuzzguard: one input ran for more than %s", MaxTime))
	})
	fn()
	timer.Stop()
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > MaxAlloc {
		t.Fatalf("one input allocated %d MiB, more than %d MiB", n>>20, MaxAlloc>>20)
	}
}
