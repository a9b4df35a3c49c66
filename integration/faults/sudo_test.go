package faults

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sudoers"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// sudoCaller is a user the sudoers rule lets run the built commands, made
// for one test.
type sudoCaller struct {
	name     string
	uid, gid int
	bin      string // the directory of the commands the rule names
}

// newSudoCaller makes a user and installs the project's sudoers rule for
// it (visudo-checked, as ./mage install:sudoers does) in a sudoers.d file
// of the test's; both are removed when the test ends.
func newSudoCaller(t *testing.T) *sudoCaller {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "sudo", "visudo", "useradd", "userdel", "setpriv", "id", "go")
	bin := filepath.Dir(command(t, "disk-image-create"))
	require.NoError(t, os.Chmod(bin, 0o755))
	c := &sudoCaller{name: "dibt" + randomHex()[:8], bin: bin}
	// No subordinate IDs (Debian's useradd gives a new user a range):
	// with them the commands build unprivileged and never reach sudo.
	out, err := exec.Command("useradd", "--no-create-home", "--shell", "/bin/sh",
		"-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", c.name).CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { exec.Command("userdel", c.name).Run() })
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		b, err := os.ReadFile(f)
		if err == nil {
			require.NotContains(t, "\n"+string(b), "\n"+c.name+":", "%s gives %s subordinate IDs: it would not build through sudo", f, c.name)
		}
	}
	for _, id := range []struct {
		flag string
		to   *int
	}{{"-u", &c.uid}, {"-g", &c.gid}} {
		out, err := exec.Command("id", id.flag, c.name).Output()
		require.NoError(t, err)
		*id.to, err = strconv.Atoi(strings.TrimSpace(string(out)))
		require.NoError(t, err)
	}
	rule, err := sudoers.Render("../../"+sudoers.Source, bin)
	require.NoError(t, err)
	rule = strings.ReplaceAll(rule, "%"+sudoers.Group+" ", c.name+" ") // this user, not the group
	dst := "/etc/sudoers.d/dib-test-" + c.name
	require.NoError(t, sudoers.Install(context.Background(), rule, dst))
	t.Cleanup(func() { os.Remove(dst) })
	return c
}

// dir makes a directory of the user's, reachable by it.
func (c *sudoCaller) dir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(d), 0o755))
	require.NoError(t, os.Chown(d, c.uid, c.gid))
	return d
}

// run runs argv as the user, with the environment a login would give it
// (and the test cache), and returns the process once it ended.
func (c *sudoCaller) run(t *testing.T, argv ...string) *process {
	t.Helper()
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent", "USER=" + c.name, "DIB_FAULT_TOKEN=" + randomHex()}
	if os.Getenv("DIB_TEST_CACHE") != "" {
		// The default cache through sudo is root's own, as testenv's is.
		env = append(env, "DIB_IMAGE_CACHE="+testenv.CacheDir())
	}
	full := append([]string{"setpriv", "--reuid=" + c.name, "--regid=" + strconv.Itoa(c.gid), "--init-groups", "--"}, argv...)
	p := start(t, env, full...)
	p.wait()
	return p
}

// owned reports whether the file at p (not followed) belongs to the user.
func (c *sudoCaller) owned(t *testing.T, p string) bool {
	fi, err := os.Lstat(p)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid) == c.uid && int(st.Gid) == c.gid
}

// TestABuildThroughSudoBelongsToItsCaller: a user the rule allows runs
// disk-image-create, which re-runs itself through sudo; the outputs, their
// checksums and the log file are the user's, and -x traces the commands
// root ran for it.
func TestABuildThroughSudoBelongsToItsCaller(t *testing.T) {
	testenv.Short(t)
	c := newSudoCaller(t)
	fl, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	out := c.dir(t)
	p := c.run(t, filepath.Join(c.bin, "disk-image-create"), "-x", "-o", filepath.Join(out, "img"), "-t", "qcow2,tar", "--checksum",
		"--logfile", filepath.Join(out, "build.log"), "--flavours-path", fl, "dib-test-identity")
	require.Equal(t, 0, p.cmd.ProcessState.ExitCode(), p.log())
	names := entries(out)
	assert.ElementsMatch(t, []string{"build.log", "img.qcow2", "img.qcow2.sha256", "img.qcow2.md5", "img.qcow2.properties.json",
		"img.tar", "img.tar.sha256", "img.tar.md5", "img.cdx.json"}, names)
	for _, n := range names {
		assert.True(t, c.owned(t, filepath.Join(out, n)), "%s belongs to %s", n, c.name)
	}
	log, err := os.ReadFile(filepath.Join(out, "build.log"))
	require.NoError(t, err)
	assert.Contains(t, string(log), "+ qemu-img convert -O qcow2 -c -o compression_type=zlib", "-x traces the commands")
}

// sudoCase is a bad invocation through sudo. In args, OUT is a directory
// of the caller's, ROOT one of root's the caller may enter but not write,
// FL the test flavours; links are planted by the caller in OUT (name ->
// target, SECRET being a file of root's the caller may not read, PRIVATE a
// flavour directory of root's the caller may not read).
type sudoCase struct {
	name    string
	command string
	args    []string
	links   map[string]string
	message string
}

var sudoCases = []sudoCase{
	{"-o at a link to a root-only file", "disk-image-create", []string{"-o", "OUT/img", "--flavours-path", "FL", "dib-test-identity"},
		map[string]string{"img.qcow2": "SECRET"}, "output OUT/img.qcow2 is a symbolic link: refused"},
	{"-o at a link to a root-only file", "ramdisk-image-create", []string{"-o", "OUT/rd", "deploy"},
		map[string]string{"rd.initramfs": "SECRET"}, "output OUT/rd.initramfs is a symbolic link: refused"},
	{"-o at a link to a root-only file (image properties)", "disk-image-create", []string{"-o", "OUT/img", "--flavours-path", "FL", "dib-test-identity"},
		map[string]string{"img.qcow2.properties.json": "SECRET"}, "output OUT/img.qcow2.properties.json is a symbolic link: refused"},
	{"--logfile at a link to a root-only file", "disk-image-create", []string{"-o", "OUT/img", "--logfile", "OUT/build.log", "--flavours-path", "FL", "dib-test-identity"},
		map[string]string{"build.log": "SECRET"}, "log file OUT/build.log is a symbolic link: refused"},
	{"-o in a directory the caller cannot write", "disk-image-create", []string{"-o", "ROOT/img", "--flavours-path", "FL", "dib-test-identity"},
		nil, "output directory ROOT is not writable by USER"},
	{"-o through a link to a directory the caller cannot write", "disk-image-create", []string{"-o", "OUT/elsewhere/img", "--flavours-path", "FL", "dib-test-identity"},
		map[string]string{"elsewhere": "ROOT"}, "output directory OUT/elsewhere is not writable by USER"},
	{"--logfile in a directory the caller cannot write", "disk-image-create", []string{"-o", "OUT/img", "--logfile", "ROOT/build.log", "--flavours-path", "FL", "dib-test-identity"},
		nil, "log file: open ROOT/build.log: permission denied (as USER)"},
	{"--tmp-dir the caller can change", "disk-image-create", []string{"-o", "OUT/img", "--tmp-dir", "OUT", "--flavours-path", "FL", "dib-test-identity"},
		nil, "tmp dir OUT: OUT belongs to uid"},
	{"--image-cache the caller can write", "disk-image-create", []string{"-o", "OUT/img", "--image-cache", "OUT/cache", "--flavours-path", "FL", "dib-test-identity"},
		nil, "image cache OUT: OUT belongs to uid"},
	{"a flavour linked to a directory only root may read", "disk-image-create", []string{"-o", "OUT/img", "--flavours-path", "OUT", "dib-test-private"},
		map[string]string{"dib-test-private": "PRIVATE"}, "flavour dib-test-private: stat OUT/dib-test-private: permission denied"},
	{"--host", "ramdisk-image-create", []string{"-o", "OUT/rd", "--host", "deploy"},
		nil, "a --host build reads the host's files and needs no root: run it as USER, without sudo"},
}

// TestWhatTheCallerNamesThroughSudoIsUsedWithTheCallersRights runs bad
// invocations through the rule as its users can, with sudo directly (so
// that only root's checks stand between the caller and root's rights):
// each is refused with exit 2 and one line, nothing is written, and the
// file a planted link points at is unchanged.
func TestWhatTheCallerNamesThroughSudoIsUsedWithTheCallersRights(t *testing.T) {
	c := newSudoCaller(t)
	fl, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	secretDir := t.TempDir()
	require.NoError(t, os.Chmod(secretDir, 0o700)) // root's alone
	secret := filepath.Join(secretDir, "secret")
	private := filepath.Join(secretDir, "dib-test-private") // a flavour only root may read
	require.NoError(t, os.MkdirAll(filepath.Join(private, "install.d"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(private, "install.d", "50-private"), []byte("#!/bin/sh\n# root's\n"), 0o755))
	for _, sc := range sudoCases {
		t.Run(sc.command+"/"+sc.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(secret, []byte("root's secret\n"), 0o600))
			out, root := c.dir(t), t.TempDir()
			require.NoError(t, os.Chmod(root, 0o755))
			r := strings.NewReplacer("OUT", out, "ROOT", root, "FL", fl, "SECRET", secret, "PRIVATE", private, "USER", c.name)
			back := strings.NewReplacer(private, "PRIVATE", out, "OUT", root, "ROOT", c.name, "USER")
			for name, target := range sc.links {
				link := filepath.Join(out, name)
				require.NoError(t, os.Symlink(r.Replace(target), link))
				require.NoError(t, os.Lchown(link, c.uid, c.gid))
			}
			argv := []string{"sudo", "-n", "--", filepath.Join(c.bin, sc.command)}
			for _, a := range sc.args {
				argv = append(argv, r.Replace(a))
			}
			p := c.run(t, argv...)
			stderr := strings.TrimSpace(p.log())
			assert.Equal(t, 2, p.cmd.ProcessState.ExitCode(), stderr)
			assert.NotContains(t, stderr, "\n", "exactly one line")
			assert.True(t, strings.HasPrefix(stderr, sc.command+": "), "the line names the command: %q", stderr)
			assert.Contains(t, stderr, r.Replace(sc.message))

			data, err := os.ReadFile(secret)
			require.NoError(t, err)
			assert.Equal(t, "root's secret\n", string(data), "the file a link points at is unchanged")
			fi, err := os.Stat(secret)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
			assert.Len(t, entries(out), len(sc.links), "nothing written: %v", entries(out))
			assert.Empty(t, entries(root), "nothing written")
			badRows.Lock()
			badRows.rows = append(badRows.rows, []string{sc.command, "through sudo: " + sc.name, strconv.Itoa(p.cmd.ProcessState.ExitCode()),
				strings.ReplaceAll(back.Replace(oneLineOf(stderr, sc.command)), "|", "/"), ""})
			badRows.Unlock()
		})
	}
}
