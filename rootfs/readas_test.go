package rootfs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// secret is a file only root may read, standing for /etc/shadow.
func secret(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "shadow")
	require.NoError(t, os.WriteFile(p, []byte("root:SECRET-HASH:19000:0:99999:7:::\n"), 0o600))
	return p
}

// openDir is a new directory of t that every user may traverse and read.
func openDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(d), 0o755))
	require.NoError(t, os.Chmod(d, 0o755))
	return d
}

// TestThroughSudoFlavourAndElementMetadataIsReadAsTheCaller: a build root
// makes for a caller reads the caller's flavours and elements with the
// caller's rights; metadata linked to a file only root may read is
// refused at plan time, and none of that file's lines reach the error.
func TestThroughSudoFlavourAndElementMetadataIsReadAsTheCaller(t *testing.T) {
	testenv.RequireRoot(t)
	nobody := &rootfs.Owner{Name: "nobody", UID: 65534, GID: 65534}
	shadow := secret(t)
	for _, meta := range []string{"flavour-deps", "bootstrap-packages"} {
		t.Run(meta, func(t *testing.T) {
			dir := openDir(t)
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "linked"), 0o755))
			require.NoError(t, os.Symlink(shadow, filepath.Join(dir, "linked", meta)))
			_, err := rootfs.Spec{Flavours: []string{"linked"}, FlavoursPath: []string{dir}, Owner: nobody}.Plan()
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "SECRET")
			assert.Contains(t, err.Error(), "permission denied")
		})
	}
	for _, meta := range []string{"element-deps", "element-provides", "package-installs.yaml"} {
		t.Run(meta, func(t *testing.T) {
			dir := openDir(t)
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "linked", "install.d"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "linked", "install.d", "10-x"), []byte("#!/bin/sh\n"), 0o755))
			require.NoError(t, os.Symlink(shadow, filepath.Join(dir, "linked", meta)))
			_, err := rootfs.Spec{Flavours: []string{"linked"}, ElementsPath: []string{dir}, SkipBase: true, Owner: nobody}.Plan()
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "SECRET")
		})
	}
}

// TestThroughSudoAFlavourOrElementOnlyRootCanReadIsRefusedAtPlanTime.
func TestThroughSudoAFlavourOrElementOnlyRootCanReadIsRefusedAtPlanTime(t *testing.T) {
	testenv.RequireRoot(t)
	nobody := &rootfs.Owner{Name: "nobody", UID: 65534, GID: 65534}
	for _, elements := range []bool{false, true} {
		for _, private := range []string{"README.rst", "."} {
			dir := openDir(t)
			f := filepath.Join(dir, "private")
			require.NoError(t, os.MkdirAll(filepath.Join(f, "install.d"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(f, "install.d", "10-x"), []byte("#!/bin/sh\n"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(f, "README.rst"), []byte("private"), 0o644))
			require.NoError(t, os.Chmod(filepath.Join(f, private), 0o700))
			spec := rootfs.Spec{Flavours: []string{"private"}, FlavoursPath: []string{dir}, Owner: nobody}
			if elements {
				spec = rootfs.Spec{Flavours: []string{"debian-minimal", "private"}, ElementsPath: []string{dir}, SkipBase: true, Owner: nobody}
			}
			_, err := spec.Plan()
			require.Error(t, err, "elements %t, %s only root's", elements, private)
			assert.True(t, rootfs.IsInputError(err))
			t.Logf("elements %t, %s only root's: %v", elements, private, err)
		}
	}
}

// TestThroughSudoAFileMirrorTheCallerCannotReadIsRefused.
func TestThroughSudoAFileMirrorTheCallerCannotReadIsRefused(t *testing.T) {
	testenv.RequireRoot(t)
	nobody := &rootfs.Owner{Name: "nobody", UID: 65534, GID: 65534}
	mirror := filepath.Join(t.TempDir(), "debian")
	require.NoError(t, os.MkdirAll(filepath.Join(mirror, "dists", "trixie"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(mirror, "dists", "trixie", "InRelease"), []byte("SECRET\n"), 0o600))
	_, err := rootfs.Spec{Flavours: []string{"base"}, Mirror: "file://" + mirror, Release: "testing", Owner: nobody}.Plan()
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "cannot be read as nobody"), err.Error())
	assert.NotContains(t, err.Error(), "SECRET")
}
