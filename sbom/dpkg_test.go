package sbom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const status = `Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.41-12+deb13u5
Description: GNU C Library
 a long description
 .
 on lines of its own

Package: busybox
Status: install ok installed
Architecture: amd64
Source: busybox (1:1.37.0-6)
Version: 1:1.37.0-6+b9

Package: oldstuff
Status: deinstall ok config-files
Architecture: all
Version: 1.0

Package: hello
Status: install ok installed
Architecture: amd64
Version: 2.10-5
`

func TestInstalledPackagesAreReadWithTheirSource(t *testing.T) {
	t.Parallel()
	pkgs, err := parseStatus(strings.NewReader(status))
	require.NoError(t, err)
	assert.Equal(t, []Package{
		{Name: "libc6", Version: "2.41-12+deb13u5", Arch: "amd64", Source: "glibc", SourceVersion: "2.41-12+deb13u5"},
		{Name: "busybox", Version: "1:1.37.0-6+b9", Arch: "amd64", Source: "busybox", SourceVersion: "1:1.37.0-6"},
		{Name: "hello", Version: "2.10-5", Arch: "amd64", Source: "hello", SourceVersion: "2.10-5"},
	}, pkgs, "a package with only its configuration files left is not installed")
}

func TestAStatusFileThroughALinkIsReadInsideTheTree(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(tree, "var/lib/dpkg"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tree, "status.real"), []byte(status), 0o644))
	require.NoError(t, os.Symlink("/status.real", filepath.Join(tree, "var/lib/dpkg/status")))
	pkgs, err := ReadPackages(tree)
	require.NoError(t, err)
	assert.Len(t, pkgs, 3)
	_, err = ReadPackages(t.TempDir())
	assert.Error(t, err, "no dpkg database")
}

func TestFileOwnersAreFoundThroughMergedUsrLinks(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	info := filepath.Join(tree, "var/lib/dpkg/info")
	require.NoError(t, os.MkdirAll(info, 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(tree, "usr/lib"), 0o755))
	require.NoError(t, os.Symlink("usr/lib", filepath.Join(tree, "lib")))
	require.NoError(t, os.Symlink("usr/bin", filepath.Join(tree, "bin")))
	require.NoError(t, os.WriteFile(filepath.Join(info, "libc6:amd64.list"), []byte("/.\n/lib/x86_64-linux-gnu/libc.so.6\n/usr/share/doc/libc6\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(info, "busybox.list"), []byte("/usr/bin/busybox\n"), 0o644))
	o, err := ReadOwners(tree)
	require.NoError(t, err)
	assert.Equal(t, "libc6", o.Of("/usr/lib/x86_64-linux-gnu/libc.so.6"), "listed under /lib, found under /usr/lib")
	assert.Equal(t, "busybox", o.Of("/bin/busybox"), "listed under /usr/bin, found under /bin")
	assert.Equal(t, "", o.Of("/init"))
}

func TestThePurlOfADebianPackageEncodesItsVersion(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "pkg:deb/debian/libc6@2.41-12%2Bdeb13u5?arch=amd64&distro=debian-trixie", PURL("libc6", "2.41-12+deb13u5", "amd64", "trixie"))
}
