package cli

import (
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/tripleo/diskimage-builder/rootfs"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// parseArgs parses a command's arguments; with -c (--clear-env) the
// environment is ignored, as the original's -c re-runs itself with an
// empty one: settings come from flags only and hooks see no variable of
// the caller. It returns the environment the build uses.
func parseArgs(opts []option, args, env []string) (values, []string, func(string) bool, []string, error) {
	v, rest, given, err := parse(opts, args, env)
	if err != nil || !v.on("clear-env") {
		return v, rest, given, env, err
	}
	env = []string{}
	v, rest, given, err = parse(opts, args, env)
	return v, rest, given, env, err
}

// version is the version line --version prints.
func version() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "diskimage-builder (Go) " + v
}

// tmpDir is where the build directory goes: --tmp-dir; else, with
// --no-tmpfs, $TMPDIR or /tmp; with --min-tmpfs GB, a tmpfs only when it
// and the memory have that much free; else the default.
func tmpDir(v values) (string, error) {
	if d := v.str("tmp-dir"); d != "" {
		return d, nil
	}
	if d := v.str("TMP_DIR"); d != "" {
		return d, nil // the original's name
	}
	if v.on("no-tmpfs") {
		return os.TempDir(), nil
	}
	if s := v.str("min-tmpfs"); s != "" {
		gb, err := strconv.ParseFloat(s, 64)
		if err != nil || gb <= 0 || gb > 1<<20 {
			return "", fmt.Errorf("bad --min-tmpfs %q: give a number of GB", s)
		}
		if os.Getenv("TMPDIR") == "" {
			if d := bootstrap.RAMDirWith(false, int64(gb*(1<<30))); d != "" {
				return d, nil
			}
		}
		return os.TempDir(), nil
	}
	return rootfs.DefaultTmpDir(), nil
}

// qemuOptRE is what --qemu-img-options may hold: KEY=VALUE pairs.
var qemuOptRE = regexp.MustCompile(`^[a-z0-9_.-]+=[A-Za-z0-9_.:-]+(,[a-z0-9_.-]+=[A-Za-z0-9_.:-]+)*$`)

// qemuImgOptions checks --qemu-img-options: KEY=VALUE pairs, none naming
// another file (a backing or data file would make the output depend on
// it).
func qemuImgOptions(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, _, _ := strings.Cut(kv, "=")
		if strings.Contains(k, "backing") || strings.Contains(k, "data_file") {
			return "", fmt.Errorf("bad --qemu-img-options %q: %s would make the output depend on another file", s, k)
		}
	}
	if !qemuOptRE.MatchString(s) {
		return "", fmt.Errorf("bad --qemu-img-options %q: give KEY=VALUE pairs, comma separated", s)
	}
	return s, nil
}

// maxOnlineResize checks --max-online-resize, a count of blocks.
func maxOnlineResize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad --max-online-resize %q: give a number of filesystem blocks", s)
	}
	return n, nil
}
