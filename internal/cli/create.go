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
	var types, packages, size *string
	var uncompressed, checksum *bool
	var qcowCompression *string
	b := addBuildFlags(fs, "outputs are NAME.TYPE", func() {
		types = fs.StringP("type", "t", "qcow2", "output types, comma separated: "+strings.Join(images.Types, ", "))
		uncompressed = fs.BoolP("uncompressed", "u", false, "do not compress qcow2 output")
		qcowCompression = fs.String("qcow2-compression", "zstd", "compression of qcow2 output: zstd, or zlib for old consumers")
		packages = fs.StringP("packages", "p", "", "extra packages to install, comma separated")
		size = fs.String("image-size", "", "disk size in GB (decimals allowed); default: from the content")
		checksum = fs.Bool("checksum", false, "write NAME.TYPE.sha256 and .md5 beside each output")
	})
	for flag, envName := range map[string]string{"type": "IMAGE_TYPE", "uncompressed": "DIB_UNCOMPRESSED",
		"packages": "DIB_INSTALL_PACKAGES", "image-size": "IMAGE_SIZE", "checksum": "DIB_CHECKSUM",
		"qcow2-compression": "DIB_QCOW2_COMPRESSION"} {
		fs.bindEnv(flag, envName)
	}
	if err := fs.parse(args); err != nil {
		if isHelp(err) {
			fs.usage(stdout)
			return ExitOK
		}
		return badInput(stderr, cmd, err)
	}
	if *b.help {
		fs.usage(stdout)
		return ExitOK
	}
	spec := images.Spec{
		Name: *b.name, Flavours: fs.Args(), Types: splitList(*types), Packages: splitList(*packages),
		Arch: *b.arch, Release: *b.release, Mirror: *b.mirror, CacheDir: *b.cache,
		Uncompressed: *uncompressed, QCOW2Compression: *qcowCompression, Checksum: *checksum, Overwrite: *b.overwrite,
		FlavoursPath: splitPath(*b.fpath), Trace: *b.trace, TmpDir: *b.tmp, KeepBuildDir: *b.keep, Env: env,
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
	if handled, code := EnsureRoot(args, env, stderr); handled {
		return code
	}
	log, closeLog, err := buildLog(stderr, *b.logfile)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	defer closeLog()
	spec.Log = log
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
