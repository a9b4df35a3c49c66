package outputs

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listing is every entry of dir with its content.
func listing(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(data)
	}
	return out
}

// newSet writes a new vm.qcow2, vm.raw and their sha256 into temporaries
// of a set in dir.
func newSet(t *testing.T, dir string, reg Registry) *Set {
	t.Helper()
	s := NewSet(reg, nil)
	for _, name := range []string{"vm.qcow2", "vm.qcow2.sha256", "vm.raw", "vm.raw.sha256"} {
		tmp, err := s.Temp(filepath.Join(dir, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(tmp, []byte("new "+name), 0o600))
	}
	return s
}

// oldSet is the outputs an earlier build left in dir.
func oldSet(t *testing.T, dir string) map[string]string {
	t.Helper()
	old := map[string]string{"vm.qcow2": "old vm.qcow2", "vm.qcow2.sha256": "old sum", "vm.raw": "old vm.raw"}
	for name, content := range old {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	return old
}

// registry records what the janitor would hold.
type registry map[string]bool

func (r registry) Add(p string)    { r[p] = true }
func (r registry) Forget(p string) { delete(r, p) }

func TestASetIsPlacedWholeReadableWithChecksumsLastAndOldOutputsAside(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oldSet(t, dir)
	reg := registry{}
	s := newSet(t, dir, reg)
	assert.Len(t, reg, 4, "every temporary is known to the janitor")
	var order []string
	s.rename = func(from, to string) error {
		if strings.Contains(filepath.Base(from), ".tmp-") {
			order = append(order, filepath.Base(to))
		}
		return os.Rename(from, to)
	}
	require.NoError(t, s.Place(false))
	require.NoError(t, s.Discard())
	assert.Equal(t, []string{"vm.qcow2", "vm.raw", "vm.qcow2.sha256", "vm.raw.sha256"}, order, "checksums last")
	assert.Empty(t, reg, "nothing left for the janitor")
	got := listing(t, dir)
	assert.Len(t, got, 7, "four new outputs and three old ones aside: %v", got)
	for _, name := range []string{"vm.qcow2", "vm.qcow2.sha256", "vm.raw", "vm.raw.sha256"} {
		assert.Equal(t, "new "+name, got[name])
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "vm.qcow2.2*"))
	require.Len(t, aside, 1)
	data, _ := os.ReadFile(aside[0])
	assert.Equal(t, "old vm.qcow2", string(data))
}

func TestAnOutputForItsOwnerOnlyIsPlacedWithItsMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := NewSet(nil, nil)
	tmp, err := s.TempMode(filepath.Join(dir, "vm.inputs"), 0o600)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(tmp, []byte("inputs"), 0o644))
	require.NoError(t, s.Place(true))
	fi, err := os.Stat(filepath.Join(dir, "vm.inputs"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestOverwriteReplacesOldOutputsAndLeavesNoCopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	oldSet(t, dir)
	s := newSet(t, dir, nil)
	require.NoError(t, s.Place(true))
	require.NoError(t, s.Discard())
	got := listing(t, dir)
	assert.Len(t, got, 4, "%v", got)
	assert.Equal(t, "new vm.raw", got["vm.raw"])
}

func TestAFailureWhilePlacingLeavesTheOldSetAndNothingElse(t *testing.T) {
	t.Parallel()
	for _, overwrite := range []bool{false, true} {
		// Placing makes 7 renames (4 new files, 3 old ones moved); fail
		// each in turn.
		for fail := 1; fail <= 7; fail++ {
			dir := t.TempDir()
			old := oldSet(t, dir)
			reg := registry{}
			s := newSet(t, dir, reg)
			calls := 0
			s.rename = func(from, to string) error {
				if calls++; calls == fail {
					return errors.New("injected failure")
				}
				return os.Rename(from, to)
			}
			err := s.Place(overwrite)
			require.ErrorContains(t, err, "injected failure", "rename %d", fail)
			require.NoError(t, s.Discard())
			assert.Equal(t, old, listing(t, dir), "overwrite %t, rename %d failed: the old set, whole", overwrite, fail)
			assert.Empty(t, reg, "nothing left for the janitor")
		}
	}
}

func TestDiscardRemovesAnUnplacedSet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	reg := registry{}
	newSet(t, dir, reg).Discard()
	assert.Empty(t, listing(t, dir))
	assert.Empty(t, reg)
}

func TestChecksumsReadLikeSha256sum(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(f, []byte("abc"), 0o644))
	for kind, sum := range map[string]string{
		"sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"md5":    "900150983cd24fb0d6963f7d28e17f72",
	} {
		dst := filepath.Join(dir, "f."+kind)
		require.NoError(t, WriteChecksum(f, "f", kind, dst))
		data, err := os.ReadFile(dst)
		require.NoError(t, err)
		assert.Equal(t, sum+"  f\n", string(data))
		assert.True(t, IsChecksum(dst))
	}
	assert.False(t, IsChecksum(f))
	assert.Error(t, WriteChecksum(f, "f", "crc", filepath.Join(dir, "x")))
}

func TestCheckDirNamesWhatIsWrongWithTheOutputDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	assert.NoError(t, CheckDir(filepath.Join(dir, "vm")))
	cases := map[string]string{
		filepath.Join(dir, "no/vm"):   "does not exist",
		filepath.Join(dir, "file/vm"): "is not a directory",
		filepath.Join(dir, "sub"):     "output name " + filepath.Join(dir, "sub") + " is a directory",
	}
	var names []string
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		assert.ErrorContains(t, CheckDir(n), cases[n], n)
	}
}
