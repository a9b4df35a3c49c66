package faults

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// unprivilegedKill is the fault table's column of unprivileged builds.
const unprivilegedKill = "SIGKILL, unprivileged"

// An unprivileged build is killed in every phase; checked as root,
// nothing of it is left: no process, no mount, nothing in its build
// directory (whose files belong to the user's subordinate IDs), no output.
func TestSIGKILLOfAnUnprivilegedBuildInEveryPhaseLeavesNothingBehind(t *testing.T) {
	testenv.Short(t)
	testenv.RequireCommands(t, "mmdebstrap", "qemu-img", "mkfs.ext4", "mkfs.vfat", "mcopy")
	u := testenv.UnprivilegedUser(t)
	bins := testenv.Commands(t)
	src, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	flavours := testenv.CopyTree(t, src)
	elSrc, err := filepath.Abs("testdata/elements")
	require.NoError(t, err)
	elements := testenv.CopyTree(t, elSrc)
	// The rows' bases are made first, one for the flavours (base gives the
	// fault flavour the base of the user's other builds) and one for the
	// elements: a row's cold bootstrap would leave its scratch tree in
	// /dev/shm while the rows beside it look there for leftovers.
	for _, args := range [][]string{
		{"--flavours-path", flavours, "base", "dib-test-fault"},
		{"-n", "--elements-path", elements, "debian-minimal", "dib-test-fault-element"},
	} {
		argv := append([]string{filepath.Join(bins, "disk-image-create"), "-o", filepath.Join(u.Dir(t), "warm"), "-t", "tar"}, args...)
		out, err := u.Command(context.Background(), nil, argv...).CombinedOutput()
		require.NoError(t, err, "the user's base for %v:\n%s", args, out)
	}
	for _, ph := range faultPhases {
		if ph.cold {
			continue // the user's bootstrap runs warm: its cache has the base made above
		}
		t.Run(ph.name, func(t *testing.T) {
			t.Parallel()
			left := killUnprivileged(t, u, filepath.Join(bins, "disk-image-create"), flavours, elements, ph.phase, ph.marker)
			recordFault(ph.name, unprivilegedKill, left)
		})
	}
}

// killUnprivileged runs one build as u, kills it with SIGKILL at marker
// and returns what it left behind ("nothing" when clean).
func killUnprivileged(t *testing.T, u *testenv.User, dic, flavours, elements, phase, marker string) string {
	// The user cannot bind a /dev/shm of its own over the host's: its
	// build directory, $TMPDIR and output directory are its own, and
	// /dev/shm is checked for anything of the user or its subordinate IDs.
	sb := &sandbox{out: u.Dir(t), tmp: u.Dir(t), tmpdir: u.Dir(t), shm: u.Dir(t)}
	out, tmp := sb.out, sb.tmp
	old := filepath.Join(out, "img.qcow2")
	args := []string{"-o", filepath.Join(out, "img"), "--flavours-path", flavours, "--tmp-dir", tmp, "base", "dib-test-fault"}
	if strings.HasPrefix(phase, "element-") {
		// as in injectFault: a tar build with diskimage-builder elements
		old = filepath.Join(out, "img.tar")
		args = []string{"-n", "-t", "tar", "-o", filepath.Join(out, "img"), "--elements-path", elements, "--tmp-dir", tmp,
			"debian-minimal", "dib-test-fault-element"}
	}
	require.NoError(t, os.WriteFile(old, []byte("the older image"), 0o644))
	require.NoError(t, os.Chown(old, u.UID, u.GID))
	token := "DIB_FAULT_TOKEN=" + randomHex()
	cmd := u.Command(context.Background(), []string{token, "TMPDIR=" + sb.tmpdir, "DIB_FAULT_PHASE=" + phase, "DIB_FAULT_ACTION=wait"},
		append([]string{dic}, args...)...)
	p := startCmd(t, cmd)
	if err := p.waitFor(marker, 5*time.Minute); err != nil {
		p.cmd.Process.Kill()
		p.wait()
		t.Fatalf("%v\n%s", err, p.log())
	}
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	assert.Equal(t, -1, p.wait())
	left := sb.leftBehind(token, old)
	if owned := subordinateFiles(u, tmp, out, sb.tmpdir, "/dev/shm"); len(owned) > 0 {
		left = append(left, "subordinate-owned "+strings.Join(owned, ", "))
	}
	assert.Empty(t, left, "left behind after SIGKILL in %s", phase)
	if len(left) == 0 {
		return "nothing"
	}
	return strings.Join(left, "; ")
}

// subordinateFiles lists the paths below dirs owned by u's subordinate
// IDs, and in /dev/shm those owned by u too.
func subordinateFiles(u *testenv.User, dirs ...string) []string {
	var found []string
	for _, d := range dirs {
		filepath.Walk(d, func(p string, fi os.FileInfo, err error) error {
			if err != nil {
				return nil
			}
			if uid := int(fi.Sys().(*syscall.Stat_t).Uid); uid == u.UID && d == "/dev/shm" || uid >= u.SubID && uid < u.SubID+65536 {
				found = append(found, p)
			}
			return nil
		})
	}
	return found
}
