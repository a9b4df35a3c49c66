package ramdisk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

// outDir holds the ramdisks built by this test run; TestMain removes it.
var outDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ramdisk-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	outDir = dir
	code := m.Run()
	if os.Getenv("DIB_KEEP_TEST_RAMDISKS") == "" {
		os.RemoveAll(dir)
	} else {
		fmt.Fprintf(os.Stderr, "test ramdisks kept in %s\n", dir)
	}
	os.Exit(code)
}

// built is one ramdisk of the test run, made at most once.
type built struct {
	once sync.Once
	res  *ramdisk.Result
	err  error
	log  strings.Builder
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*built{}
	// buildLock makes builds one at a time: they share the cache and the
	// disk, while boots run in parallel.
	buildLock sync.Mutex
)

// needBuild stops t unless ramdisks can be built here.
func needBuild(t *testing.T) {
	t.Helper()
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "tar", "zstd")
}

// buildOnce returns the ramdisk named name, building it from spec the first
// time it is asked for in this test run.
func buildOnce(t *testing.T, name string, spec ramdisk.Spec) *ramdisk.Result {
	t.Helper()
	buildsMu.Lock()
	b, ok := builds[name]
	if !ok {
		b = &built{}
		builds[name] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		buildLock.Lock()
		defer buildLock.Unlock()
		spec.Name = filepath.Join(outDir, name)
		spec.CacheDir = testenv.CacheDir()
		spec.Log = &b.log
		start := time.Now()
		b.res, b.err = ramdisk.Build(context.Background(), spec)
		if b.err == nil {
			t.Logf("built ramdisk %s in %.1fs: initramfs %d bytes, kernel %s",
				name, time.Since(start).Seconds(), b.res.Size, b.res.KernelVersion)
		}
	})
	if b.err != nil {
		t.Logf("build log of %s:\n%s", name, b.log.String())
		t.Fatalf("build ramdisk %s: %v", name, b.err)
	}
	return b.res
}

// testFlavoursDir is the directory of the test flavours in testdata.
func testFlavoursDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata/flavours")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
