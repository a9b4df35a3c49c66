package userns

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeFiles points the subordinate ID files and /proc at t's directory.
func fakeFiles(t *testing.T, subuid, subgid string) string {
	dir := t.TempDir()
	old := []string{subUIDFile, subGIDFile, procDir}
	t.Cleanup(func() { subUIDFile, subGIDFile, procDir = old[0], old[1], old[2] })
	subUIDFile, subGIDFile, procDir = filepath.Join(dir, "subuid"), filepath.Join(dir, "subgid"), dir
	require.NoError(t, os.WriteFile(subUIDFile, []byte(subuid), 0o644))
	require.NoError(t, os.WriteFile(subGIDFile, []byte(subgid), 0o644))
	return dir
}

func TestTheFirstRangeBigEnoughIsUsedByNameOrID(t *testing.T) {
	fakeFiles(t, "alice:100000:1000\n# comment\nalice:300000:65536\n1001:400000:65536\n", "1001:500000:70000\n")
	r, err := findRange(subUIDFile, "alice", 1001)
	require.NoError(t, err)
	assert.Equal(t, Range{300000, 65536}, r)
	r, err = findRange(subGIDFile, "alice", 1001)
	require.NoError(t, err)
	assert.Equal(t, Range{500000, 70000}, r, "a line may name the user by ID")
	_, err = findRange(subUIDFile, "bob", 1002)
	assert.EqualError(t, err, "no subordinate IDs for bob in "+subUIDFile)
}

func TestARangeTooSmallIsNamed(t *testing.T) {
	fakeFiles(t, "alice:100000:1000\nalice:200000:2000\n", "")
	_, err := findRange(subUIDFile, "alice", 1001)
	assert.EqualError(t, err, subUIDFile+" gives alice only 1000+2000 subordinate IDs, a build needs 65536")
}

func TestTheFreeRangeOverlapsNoLineOfEitherFile(t *testing.T) {
	fakeFiles(t, "a:100000:65536\nb:165536:65536\n", "c:231072:10\n")
	assert.Equal(t, 231082, FreeRange())
	fakeFiles(t, "", "")
	assert.Equal(t, 100000, FreeRange())
}

func TestRootOfANamespaceThatMapsTooFewIDsIsUnavailable(t *testing.T) {
	dir := fakeFiles(t, "", "")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "self"), 0o755))
	write := func(uids, gids string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "self/uid_map"), []byte(uids), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "self/gid_map"), []byte(gids), 0o644))
	}
	write("         0          0 4294967295\n", "         0          0 4294967295\n")
	assert.NoError(t, CheckRoot(), "the initial namespace")
	write("0 1000 1\n1 100000 65536\n", "0 1000 1\n1 100000 65536\n")
	assert.NoError(t, CheckRoot(), "the namespace of an unprivileged build")
	write("0 1000 1\n", "0 1000 1\n")
	err := CheckRoot()
	require.Error(t, err)
	assert.True(t, IsUnavailable(err))
	assert.Contains(t, err.Error(), "maps user IDs 0-0 only, but an image needs 0-65535")
	write("0 1000 1\n1 100000 65536\n", "0 1000 1\n2 100000 65536\n")
	assert.ErrorContains(t, CheckRoot(), "maps group IDs 0-0 only", "a gap at 1")
}

func TestASwitchedOffSettingIsNamedWithTheSysctlThatAllowsIt(t *testing.T) {
	dir := fakeFiles(t, "", "")
	assert.Nil(t, disabledBy())
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sys/kernel"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sys/kernel/unprivileged_userns_clone"), []byte("0\n"), 0o644))
	u := disabledBy()
	require.NotNil(t, u)
	assert.Equal(t, "unprivileged user namespaces are switched off (kernel.unprivileged_userns_clone = 0); "+
		"allow them as root: sysctl -w kernel.unprivileged_userns_clone=1", u.Error())
}
