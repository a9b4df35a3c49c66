package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// createRun runs disk-image-create in-process with a clean environment.
func createRun(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := DiskImageCreate(context.Background(), args, env, &out, &errb)
	return code, out.String(), errb.String()
}

// flavourDir makes a flavour search path for bad-input cases.
func flavourDir(t *testing.T) string {
	dir := t.TempDir()
	write := func(p, content string, mode os.FileMode) {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), mode))
	}
	write("ok/README.md", "ok", 0o644)
	write("cyc1/flavour-deps", "cyc2\n", 0o644)
	write("cyc2/flavour-deps", "cyc1\n", 0o644)
	write("dup1/flavour-deps", "dup2\n", 0o644)
	write("dup1/install.d/10-same", "#!/bin/sh\n", 0o755)
	write("dup2/install.d/10-same", "#!/bin/sh\n", 0o755)
	write("noexec/install.d/10-x", "#!/bin/sh\n", 0o644)
	write("badname/install.d/10-x.sh", "#!/bin/sh\n", 0o755)
	return dir
}

func TestBadInputExitsTwoWithOneLineAndWritesNothing(t *testing.T) {
	fl := flavourDir(t)
	out := t.TempDir()
	cache := filepath.Join(t.TempDir(), "cache")
	tmp := filepath.Join(t.TempDir(), "tmp")
	name := filepath.Join(out, "img")
	base := []string{"--flavours-path", fl, "--image-cache", cache, "--tmp-dir", tmp, "-o", name}
	cases := map[string]struct {
		args []string
		want string
	}{
		"unknown option":    {[]string{"--bogus", "ok"}, "unknown flag: --bogus"},
		"unknown shorthand": {[]string{"-Z", "ok"}, "unknown shorthand flag: 'Z'"},
		"missing value":     {[]string{"ok", "-t"}, "flag needs an argument"},
		"no flavour":        {nil, "no flavour given"},
		"unknown flavour":   {[]string{"nosuch"}, `flavour "nosuch" not found`},
		"cycle":             {[]string{"cyc1"}, "cycle: cyc1 -> cyc2 -> cyc1"},
		"duplicate hooks":   {[]string{"dup1"}, "hook install.d/10-same is in both"},
		"not executable":    {[]string{"noexec"}, "hook is not executable"},
		"bad hook name":     {[]string{"badname"}, "bad hook name"},
		"size abc":          {[]string{"--image-size", "abc", "ok"}, `bad image size "abc"`},
		"size negative":     {[]string{"--image-size", "-5", "ok"}, `bad image size "-5"`},
		"size zero":         {[]string{"--image-size", "0", "ok"}, `bad image size "0"`},
		"size too large":    {[]string{"--image-size", "900000", "ok"}, "larger than the free space"},
		"unknown type":      {[]string{"-t", "qcow2,iso", "ok"}, `unknown output type "iso"`},
		"unknown arch":      {[]string{"-a", "sparc", "ok"}, `unsupported architecture "sparc"`},
		"output dir missing": {[]string{"-o", filepath.Join(out, "no/such/img"), "ok"},
			"output directory " + filepath.Join(out, "no/such") + " does not exist"},
		"bad package":           {[]string{"-p", "a;b", "ok"}, `bad package name "a;b"`},
		"bad qcow2 compression": {[]string{"--qcow2-compression", "lzma", "ok"}, "lzma"},
	}
	for label, c := range cases {
		t.Run(label, func(t *testing.T) {
			code, stdout, stderr := createRun(t, nil, append(append([]string(nil), base...), c.args...)...)
			assert.Equal(t, ExitBadInput, code)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.True(t, strings.HasPrefix(stderr, "disk-image-create: "), stderr)
			assert.Contains(t, stderr, c.want)
			entries, _ := os.ReadDir(out)
			assert.Empty(t, entries, "nothing written to the output directory")
			assert.NoDirExists(t, cache)
			assert.NoDirExists(t, tmp)
		})
	}
}

func TestEnvironmentVariablesSetOptionsAndFlagsWin(t *testing.T) {
	fl := flavourDir(t)
	out := t.TempDir()
	env := []string{"IMAGE_TYPE=iso", "FLAVOURS_PATH=" + fl}
	code, _, stderr := createRun(t, env, "-o", filepath.Join(out, "x"), "ok")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, `unknown output type "iso"`, "IMAGE_TYPE is read")

	env = []string{"IMAGE_SIZE=abc"}
	code, _, stderr = createRun(t, env, "--flavours-path", fl, "--image-size", "zz", "-o", filepath.Join(out, "x"), "ok")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, `"zz"`, "the flag wins over IMAGE_SIZE")
}

func TestHelpListsEveryOptionWithItsVariableAndExitsZero(t *testing.T) {
	code, stdout, stderr := createRun(t, []string{"DIB_RELEASE=bookworm"}, "-h")
	assert.Equal(t, ExitOK, code)
	assert.Empty(t, stderr)
	for _, s := range []string{"Usage: disk-image-create", "IMAGE_NAME=image", "IMAGE_TYPE=qcow2", "DIB_RELEASE=bookworm",
		"--image-size", "DIB_IMAGE_CACHE=", "FLAVOURS_PATH=", "--overwrite", "-p, --packages", "DIB_SECURE_BOOT=1"} {
		assert.Contains(t, stdout, s)
	}
}

func TestParseSizeTakesGigabytesWithDecimalsAndUnits(t *testing.T) {
	for in, want := range map[string]int64{"2": 2 << 30, "1.5": 3 << 29, "512M": 512 << 20, "1G": 1 << 30} {
		got, err := ParseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "abc", "-1", "0", "NaN", "1e30"} {
		_, err := ParseSize(bad)
		assert.Error(t, err, bad)
	}
}

func TestTheLogFileGetsTimestampedLinesToo(t *testing.T) {
	var stderr bytes.Buffer
	file := filepath.Join(t.TempDir(), "build.log")
	w, closeLog, err := buildLog(&stderr, file, nil)
	require.NoError(t, err)
	w.Write([]byte("phase install\n"))
	closeLog()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} phase install\n$`, string(data))
	assert.Equal(t, string(data), stderr.String())
	_, _, err = buildLog(&stderr, "/nonexistent/dir/log", nil)
	assert.Error(t, err)
}

func TestDIBSecureBootIsOnUnlessZeroRequiredOnlyWhenAskedAndAnyOtherValueIsBadInput(t *testing.T) {
	for env, want := range map[string][2]bool{"": {false, false}, "DIB_SECURE_BOOT=1": {false, false}, "DIB_SECURE_BOOT=": {false, false},
		"DIB_SECURE_BOOT=0": {true, false}, "DIB_SECURE_BOOT=required": {false, true}, "DIB_SECURE_BOOT=yes": {false, false}} {
		v, flavours, _, err := parse(createOptions, []string{"vm"}, []string{env})
		require.NoError(t, err, env)
		spec, err := createSpec(v, flavours, []string{env}, nil)
		require.NoError(t, err, env)
		assert.Equal(t, want, [2]bool{spec.UnsignedBoot, spec.SecureBootRequired}, env)
	}
	out := t.TempDir()
	code, stdout, stderr := createRun(t, []string{"DIB_SECURE_BOOT=maybe"}, "-o", filepath.Join(out, "img"), "vm")
	assert.Equal(t, ExitBadInput, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "disk-image-create: DIB_SECURE_BOOT=\"maybe\": give 1 (the signed chain; Secure Boot optional for Nova), required, or 0 (an unsigned GRUB)\n", stderr)
	entries, _ := os.ReadDir(out)
	assert.Empty(t, entries)
}
