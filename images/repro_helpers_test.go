package images_test

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/sbom"
)

// reproName is the name of every build of the reproducibility tests: the
// image's name is one of its inputs.
const reproName = "repro"

// testDir holds what tests share across tests; TestMain removes it.
var testDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dib-images-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// reference is the build the reproducibility tests compare with.
type reference struct {
	spec     images.Spec
	res      *images.Result
	sums     map[string]string
	flavours string // the flavours' search path
	err      error
}

var ref struct {
	once sync.Once
	r    reference
}

// referenceBuild builds reproSpec from the shared cache once for the test
// run, in testDir, and returns it.
func referenceBuild(t *testing.T) *reference {
	ref.once.Do(func() {
		r := &ref.r
		dir, err := os.MkdirTemp(testDir, "reference-")
		if r.err = err; err != nil {
			return
		}
		r.flavours = filepath.Join(dir, "flavours")
		if _, r.err = run.Run(context.Background(), run.Cmd{Argv: []string{"cp", "-a", "testdata/flavours/.", r.flavours}}); r.err != nil {
			return
		}
		r.spec = reproSpec(t, r.flavours, testenv.CacheDir())
		r.spec.Name, r.spec.TmpDir = filepath.Join(dir, reproName), dir
		if r.res, r.err = images.Build(context.Background(), r.spec); r.err == nil {
			r.sums = sums(t, r.spec)
		}
	})
	return &ref.r
}

// reproFlavours copies the dib-test-repro flavour into a directory of its
// own, where a test may change it, and returns the search path.
func reproFlavours(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, err := run.Run(context.Background(), run.Cmd{Argv: []string{"cp", "-a", "testdata/flavours/dib-test-repro", dir}})
	require.NoError(t, err)
	return dir
}

// reproSpec is a build of dib-test-repro (with vm) into a directory of its
// own, with every output type and a package installed with apt.
func reproSpec(t *testing.T, flavours, cache string) images.Spec {
	return images.Spec{
		Name:         filepath.Join(t.TempDir(), reproName),
		Flavours:     []string{"dib-test-repro"},
		FlavoursPath: []string{flavours},
		Types:        images.Types,
		Packages:     []string{"hello"},
		CacheDir:     cache,
		TmpDir:       t.TempDir(),
		Log:          &testLog{t: t},
		Env:          []string{"DIB_TEST_REPRO=1"},
	}
}

// outputsOf lists the files a build of spec places: one per type and the
// bill of materials.
func outputsOf(spec images.Spec) []string {
	var out []string
	for _, typ := range spec.Types {
		out = append(out, spec.Output(typ))
	}
	return append(out, spec.Name+sbom.Ext)
}

// sums is the SHA-256 of every output of spec, by file name.
func sums(t *testing.T, spec images.Spec) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, p := range outputsOf(spec) {
		m[filepath.Base(p)] = sha256File(t, p)
	}
	return m
}

var disCreate struct {
	once sync.Once
	path string
	err  error
}

// diskImageCreate builds the command once for this test run.
func diskImageCreate(t *testing.T) string {
	t.Helper()
	testenv.RequireCommands(t, "go")
	disCreate.once.Do(func() {
		dir, err := os.MkdirTemp(testDir, "bin-") // removed with testDir
		if err != nil {
			disCreate.err = err
			return
		}
		disCreate.path = filepath.Join(dir, "disk-image-create")
		_, disCreate.err = run.Run(context.Background(), run.Cmd{Argv: []string{"go", "build", "-o", disCreate.path, "../cmd/disk-image-create"}})
	})
	require.NoError(t, disCreate.err)
	return disCreate.path
}

// buildWithCommand builds spec with disk-image-create on a host named host
// (its own UTS namespace), with TMPDIR at tmpdir and no --tmp-dir.
func buildWithCommand(t *testing.T, spec images.Spec, host, tmpdir string) error {
	t.Helper()
	testenv.RequireCommands(t, "unshare", "hostname")
	argv := []string{"unshare", "--uts", "sh", "-c", `hostname "$1" && shift && exec "$@"`, "sh", host,
		diskImageCreate(t), "-o", spec.Name, "-t", strings.Join(spec.Types, ","), "-p", strings.Join(spec.Packages, ","),
		"--flavours-path", strings.Join(spec.FlavoursPath, ":"), "--image-cache", spec.CacheDir}
	if spec.Seed != "" {
		argv = append(argv, "--seed", spec.Seed)
	}
	cmd := exec.Command(argv[0], append(argv[1:], spec.Flavours...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + tmpdir}, spec.Env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	t.Logf("built with the command on host %s:\n%s", host, tail(string(out), 20))
	return nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// tarDigest describes every entry of a tar by name: its header's fields
// and its content's SHA-256.
func tarDigest(t *testing.T, p string) map[string]string {
	t.Helper()
	fh, err := os.Open(p)
	require.NoError(t, err)
	defer fh.Close()
	out := map[string]string{}
	tr := tar.NewReader(fh)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		s := sha256.New()
		_, err = io.Copy(s, tr)
		require.NoError(t, err)
		out[h.Name] = fmt.Sprintf("%c %o %d:%d %d %s %s %s", h.Typeflag, h.Mode, h.Uid, h.Gid, h.ModTime.Unix(), h.Linkname,
			hex.EncodeToString(s.Sum(nil)), sortedXattrs(h.PAXRecords))
	}
}

func sortedXattrs(recs map[string]string) string {
	var keys []string
	for k := range recs {
		keys = append(keys, k+"="+recs[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// differing lists the keys whose values differ between a and b (or that
// one lacks), sorted.
func differing(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
