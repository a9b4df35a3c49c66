package images_test

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// requireBuilder stops t unless the host can build images.
func requireBuilder(t *testing.T) {
	t.Helper()
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "tar", "zstd", "qemu-img", "mkfs.ext4", "mkfs.vfat", "mcopy")
}

// testFlavours is the search path of the test flavours.
func testFlavours(t *testing.T) []string {
	dir, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	return []string{dir}
}

// testSpec is a spec for a test build named name in a fresh directory,
// sharing the tests' base cache.
func testSpec(t *testing.T, name string, flavours ...string) images.Spec {
	return images.Spec{
		Name:         filepath.Join(t.TempDir(), name),
		Flavours:     flavours,
		FlavoursPath: testFlavours(t),
		CacheDir:     testenv.CacheDir(),
		TmpDir:       t.TempDir(),
		Log:          &testLog{t: t},
		Env:          []string{"DIB_TEST_PASSED=yes", "SECRET_NOT_PASSED=1"},
	}
}

// testLog writes build output into the test log, line by line.
type testLog struct {
	t   *testing.T
	mu  sync.Mutex
	buf []byte
	all bytes.Buffer
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.Write(p)
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.t.Log(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

func (l *testLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

// readTar returns every entry of a tar file by name, with regular files'
// contents.
func readTar(t *testing.T, path string) map[string]*tarEntry {
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	entries := map[string]*tarEntry{}
	tr := tar.NewReader(fh)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return entries
		}
		require.NoError(t, err)
		e := &tarEntry{Header: h}
		if h.Typeflag == tar.TypeReg && h.Size < 1<<20 {
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			e.Data = string(data)
		}
		entries[h.Name] = e
	}
}

type tarEntry struct {
	*tar.Header
	Data string
}

// leftovers returns what a build left behind on the host: mounts below
// dirs and the named processes still running.
func leftovers(t *testing.T, procPattern string, dirs ...string) []string {
	var found []string
	for _, d := range dirs {
		mounts, err := workdir.MountsBelow(d)
		require.NoError(t, err)
		for _, m := range mounts {
			found = append(found, "mount: "+m)
		}
	}
	if procPattern != "" {
		if out, _ := exec.Command("pgrep", "-f", procPattern).Output(); len(out) > 0 {
			found = append(found, "process: "+strings.TrimSpace(string(out)))
		}
	}
	return found
}
