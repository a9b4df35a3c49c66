package run

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithSbinAddsOnlyTheSbinDirectoriesAPathLacks(t *testing.T) {
	assert.Equal(t, "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin", WithSbin("/usr/local/bin:/usr/bin:/bin"))
	assert.Equal(t, "/usr/sbin/:/bin:/usr/local/sbin:/sbin", WithSbin("/usr/sbin/:/bin"))
	root := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert.Equal(t, root, WithSbin(root))
}

// An ordinary user's PATH has no sbin directory; the tools there still run.
func TestRunFindsAToolInSbinThatTheCallersPathLeavesOut(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "dib-sbin-tool")
	require.NoError(t, os.WriteFile(tool, []byte("#!/bin/sh\necho found\n"), 0o755))
	saved := SbinDirs
	SbinDirs = []string{"/nonexistent", dir}
	t.Cleanup(func() { SbinDirs = saved })
	t.Setenv("PATH", "/usr/bin:/bin")

	p, err := LookPath("dib-sbin-tool")
	require.NoError(t, err)
	assert.Equal(t, tool, p)
	out, err := Run(context.Background(), Cmd{Argv: []string{"dib-sbin-tool"}})
	require.NoError(t, err)
	assert.Equal(t, "found\n", out)

	_, err = Run(context.Background(), Cmd{Argv: []string{"dib-no-such-tool"}})
	assert.ErrorContains(t, err, "executable file not found")
	_, err = LookPath("./dib-sbin-tool")
	assert.Error(t, err, "a name with a slash is not searched for")
}
