package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// UpstreamCheckoutVar names a checkout or a git repository (bare too) of
// openstack/diskimage-builder for the test of its library elements, or
// "none" to leave that test out.
const UpstreamCheckoutVar = "DIB_UPSTREAM_CHECKOUT"

// upstreamCheckout returns a directory holding the original's
// diskimage_builder/elements: DIB_UPSTREAM_CHECKOUT if it is a checkout,
// or the HEAD of the git repository it names unpacked with git archive.
// The test is opt-in: unset (or none), it is skipped, saying so, under CI
// too, since no package provides the original's tree and CI depends on
// no path of a particular machine.
func upstreamCheckout(t *testing.T) string {
	t.Helper()
	src := os.Getenv(UpstreamCheckoutVar)
	if src == "" || src == "none" {
		t.Skip("opt-in: set " + UpstreamCheckoutVar + " to a checkout or git repository of openstack/diskimage-builder to run the original's elements")
	}
	if _, err := os.Stat(filepath.Join(src, "diskimage_builder", "elements")); err == nil {
		return src
	}
	dir := t.TempDir()
	tarball := filepath.Join(dir, "elements.tar")
	if out, err := exec.Command("git", "-C", src, "archive", "-o", tarball, "HEAD", "diskimage_builder/elements").CombinedOutput(); err != nil {
		t.Fatalf("%s=%s: neither a checkout with diskimage_builder/elements nor a git repository of it: git archive: %v: %s", UpstreamCheckoutVar, src, err, out)
	}
	out, err := exec.Command("tar", "-x", "-f", tarball, "-C", dir).CombinedOutput()
	require.NoError(t, err, "unpack the git archive of %s: %s", src, out)
	require.DirExists(t, filepath.Join(dir, "diskimage_builder", "elements", "growroot"))
	return dir
}
