package ramdisk_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

// TestAHostBuildSweepsWhatADeadBuildLeftInItsTmpDir: a --host build
// killed with its janitor (a cgroup-wide kill) leaves its build directory
// in the tmp dir and, beside its outputs, the temporary files its journal
// there lists; the next --host build on that tmp dir removes both.
func TestAHostBuildSweepsWhatADeadBuildLeftInItsTmpDir(t *testing.T) {
	t.Parallel()
	spec := hostSpec(t)
	spec.TmpDir = t.TempDir()
	var log lockedLog
	spec.Log = &log
	leftOutput := filepath.Join(filepath.Dir(spec.Name), ".rd.initramfs.tmp-dead")
	require.NoError(t, os.WriteFile(leftOutput, []byte("half an initramfs"), 0o644))
	dead, err := workdir.Make(spec.TmpDir, "dib_build.*")
	require.NoError(t, err)
	journal := "add " + strconv.Quote(dead.Path) + "\nadd " + strconv.Quote(leftOutput) + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dead.Path, ".janitor"), []byte(journal), 0o600))
	dead.Release() // its owner is gone

	_, err = ramdisk.Build(context.Background(), spec)
	require.NoError(t, err, log.String())
	assert.NoFileExists(t, leftOutput)
	assert.NoDirExists(t, dead.Path)
	assert.Contains(t, log.String(), "swept what a dead build left: "+leftOutput+"\n")
	assert.Contains(t, log.String(), "swept what a dead build left: "+dead.Path+"\n")
	entries, _ := os.ReadDir(spec.TmpDir)
	assert.Empty(t, entries, "the build's own directory is gone too")
}

// TestAHostBuildWorksInABuildDirectoryALaterBuildCanSweep: while a
// --host build runs, its tmp dir holds one build directory of its own,
// owned by the live build and holding the janitor's journal; when it ends
// the directory is gone.
func TestAHostBuildWorksInABuildDirectoryALaterBuildCanSweep(t *testing.T) {
	t.Parallel()
	spec := hostSpec(t)
	spec.TmpDir = t.TempDir()
	var seen []string
	var log lockedLog
	log.onLine = func(line string) {
		if strings.Contains(line, "==> ramdisk: assembling") {
			seen, _ = filepath.Glob(filepath.Join(spec.TmpDir, "dib_build.*"))
			for _, d := range seen {
				assert.True(t, workdir.Alive(d), "%s is owned by the live build", d)
				assert.FileExists(t, filepath.Join(d, ".janitor"))
			}
		}
	}
	spec.Log = &log
	_, err := ramdisk.Build(context.Background(), spec)
	require.NoError(t, err, log.String())
	assert.Len(t, seen, 1, "one build directory while it ran")
	entries, _ := os.ReadDir(spec.TmpDir)
	assert.Empty(t, entries, "and none after")
}

// lockedLog is a build log tests read, calling onLine for each write.
type lockedLog struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	onLine func(string)
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.onLine != nil {
		l.onLine(string(p))
	}
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
