package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// UpstreamCheckoutVar names a checkout or a git repository (bare too) of
// openstack/diskimage-builder for the test of its library elements, or
// "none" to leave that test out.
const UpstreamCheckoutVar = "DIB_UPSTREAM_CHECKOUT"

// upstreamMirror is where this project's development machines keep a
// snapshot of the original's repository (bare): used when
// DIB_UPSTREAM_CHECKOUT is not set.
const upstreamMirror = "/work/.mirror/openstack+diskimage-builder/repo"

// upstreamCheckout returns a directory holding the original's
// diskimage_builder/elements: DIB_UPSTREAM_CHECKOUT if it is a checkout;
// the HEAD of a git repository (DIB_UPSTREAM_CHECKOUT's, else
// upstreamMirror's) unpacked with git archive. With neither the test is
// skipped, and fails under CI=true: CI proves the original's elements
// run, or says so with DIB_UPSTREAM_CHECKOUT=none.
func upstreamCheckout(t *testing.T) string {
	t.Helper()
	src := os.Getenv(UpstreamCheckoutVar)
	switch {
	case src == "none":
		t.Skip(UpstreamCheckoutVar + "=none: the test of the original's elements is left out")
	case src == "":
		if _, err := os.Stat(upstreamMirror); err != nil {
			testenv.Unavailable(t, "set "+UpstreamCheckoutVar+" to a checkout or git repository of openstack/diskimage-builder (or none to leave this test out)")
		}
		src = upstreamMirror
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
