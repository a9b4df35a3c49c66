package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/logx"
)

const createSynopsis = "-o NAME [options] FLAVOUR..."

// DiskImageCreate is disk-image-create: it parses args (with env as the
// fallback for every option), builds the image and returns the exit status.
func DiskImageCreate(ctx context.Context, args, env []string, stdout, stderr io.Writer) int {
	const cmd = "disk-image-create"
	fs := newFlagSet(cmd, createSynopsis, env)
	name := fs.StringP("output", "o", "image", "output name; outputs are NAME.TYPE")
	types := fs.StringP("type", "t", "qcow2", "output types, comma separated: "+strings.Join(images.Types, ", "))
	arch := fs.StringP("arch", "a", "amd64", "architecture of the image")
	trace := fs.BoolP("trace", "x", false, "trace the hooks (sh -x) and the commands run")
	uncompressed := fs.BoolP("uncompressed", "u", false, "do not compress qcow2 output")
	packages := fs.StringP("packages", "p", "", "extra packages to install, comma separated")
	size := fs.String("image-size", "", "disk size in GB (decimals allowed); default: from the content")
	cache := fs.String("image-cache", images.DefaultCacheDir(), "cache of base roots and packages")
	release := fs.String("release", "trixie", "Debian release")
	mirror := fs.String("mirror", "", "Debian mirror (default: the host apt's)")
	overwrite := fs.Bool("overwrite", false, "replace existing outputs instead of moving them aside")
	checksum := fs.Bool("checksum", false, "write NAME.TYPE.sha256 and .md5 beside each output")
	fpath := fs.String("flavours-path", "", "colon-separated directories searched for flavours first")
	tmp := fs.String("tmp-dir", os.TempDir(), "where the build directory is made")
	keep := fs.Bool("keep-build-dir", false, "keep the build directory for debugging")
	logfile := fs.String("logfile", "", "also write the build log to this file")
	help := fs.BoolP("help", "h", false, "show this help and exit")
	for flag, envName := range map[string]string{
		"output": "IMAGE_NAME", "type": "IMAGE_TYPE", "arch": "ARCH", "trace": "DIB_DEBUG_TRACE",
		"uncompressed": "DIB_UNCOMPRESSED", "packages": "DIB_INSTALL_PACKAGES", "image-size": "IMAGE_SIZE",
		"image-cache": "DIB_IMAGE_CACHE", "release": "DIB_RELEASE", "mirror": "DIB_DISTRIBUTION_MIRROR",
		"overwrite": "DIB_OVERWRITE", "checksum": "DIB_CHECKSUM", "flavours-path": "FLAVOURS_PATH",
		"tmp-dir": "DIB_TMP", "keep-build-dir": "DIB_KEEP_BUILD_DIR", "logfile": "DIB_LOGFILE",
	} {
		fs.bindEnv(flag, envName)
	}
	if err := fs.parse(args); err != nil {
		if isHelp(err) {
			fs.usage(stdout)
			return ExitOK
		}
		return badInput(stderr, cmd, err)
	}
	if *help {
		fs.usage(stdout)
		return ExitOK
	}
	spec := images.Spec{
		Name: *name, Flavours: fs.Args(), Types: splitList(*types), Packages: splitList(*packages),
		Arch: *arch, Release: *release, Mirror: *mirror, CacheDir: *cache,
		Uncompressed: *uncompressed, Checksum: *checksum, Overwrite: *overwrite,
		FlavoursPath: splitPath(*fpath), Trace: *trace, TmpDir: *tmp, KeepBuildDir: *keep, Env: env,
		Break: splitList(fs.env["break"]), BreakCmd: fs.env["break_cmd"],
	}
	if *size != "" {
		n, err := ParseSize(*size)
		if err != nil {
			return badInput(stderr, cmd, err)
		}
		spec.Size = n
	}
	if len(spec.Flavours) == 0 {
		return badInput(stderr, cmd, errors.New("no flavour given; usage: disk-image-create "+createSynopsis))
	}
	log, closeLog, err := buildLog(stderr, *logfile)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	defer closeLog()
	spec.Log = log
	if handled, code := EnsureRoot(args, env, stderr); handled {
		return code
	}
	res, err := images.Build(ctx, spec)
	return finish(cmd, res, err, stdout, stderr)
}

// buildLog is the build's log: timestamped lines on stderr, and in the log
// file when one is named.
func buildLog(stderr io.Writer, logfile string) (io.Writer, func(), error) {
	if f, ok := stderr.(*os.File); ok && logfile == "" && logx.IsTerminal(f) {
		// A terminal also gets a progress line for long steps.
		return logx.NewTerminalWriter(f), func() {}, nil
	}
	w := io.Writer(stderr)
	closeFn := func() {}
	if logfile != "" {
		fh, err := os.OpenFile(logfile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("log file: %v", err)
		}
		w = io.MultiWriter(stderr, fh)
		closeFn = func() { fh.Close() }
	}
	return logx.NewTimestampWriter(w), closeFn, nil
}

// finish reports a build's end and maps its error to an exit status.
func finish(cmd string, res *images.Result, err error, stdout, stderr io.Writer) int {
	var ie *images.InterruptedError
	switch {
	case err == nil:
		for _, o := range res.Outputs {
			fmt.Fprintln(stdout, o)
		}
		return ExitOK
	case images.IsInputError(err):
		return badInput(stderr, cmd, err)
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "%s: interrupted during phase %s; cleaned up\n", cmd, ie.Phase)
		return ExitInterrupted
	default:
		fmt.Fprintf(stderr, "%s: %s\n", cmd, oneLine(err.Error()))
		return ExitFailure
	}
}
