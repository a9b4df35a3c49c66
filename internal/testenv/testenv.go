// Package testenv holds the checks tests make on the host before they use
// root, external commands or QEMU. A missing prerequisite skips the test with
// the reason, except under CI=true, where it fails it.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where a missing
// prerequisite is a failure and not a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips t with reason, or fails it under CI=true.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	if InCI() {
		t.Fatalf("prerequisite missing under CI=true: %s", reason)
	}
	t.Skip("skipped: " + reason)
}

// RequireRoot stops t unless it runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "needs root")
	}
}

// RequireCommands stops t unless every named program is in PATH.
func RequireCommands(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			Unavailable(t, "needs "+n+" in PATH (./mage deps installs it)")
		}
	}
}

// Short stops t when -short is given: it builds or boots images.
func Short(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short mode: builds or boots an image")
	}
}

// CacheDir is the image cache the tests share, so that one cached base
// serves every test and the README's build: $DIB_TEST_CACHE, else the
// default cache of the commands (~/.cache/image-create).
func CacheDir() string {
	if d := os.Getenv("DIB_TEST_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "image-create")
	}
	return "/var/cache/image-create"
}
