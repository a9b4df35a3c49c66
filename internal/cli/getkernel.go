package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/tripleo/diskimage-builder/images/diskread"
	"github.com/tripleo/diskimage-builder/images/kernel"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// getKernelUsage is disk-image-get-kernel's -h text.
const getKernelUsage = `Usage: disk-image-get-kernel [-d DIR] [-o PREFIX] [-x] [-h] [-i] IMAGE

Extract the newest kernel and its initrd from a disk image (raw, qcow2, vhd,
vmdk) into DIR/PREFIX-vmlinuz and DIR/PREFIX-initrd, for PXE booting a machine
with that image, and print their paths. No root, mount or loop device needed.
IMAGE is always a local file; an image that names other files (a backing file,
an external data file, vmdk extents) or a protocol is refused.

Options:
`

// DiskImageGetKernel runs disk-image-get-kernel with args (without the program name)
// and returns its exit status: 0 on success, 2 for bad arguments and
// refused images, 1 for any other error, reported as one line on stderr.
func DiskImageGetKernel(args []string, stdout, stderr io.Writer) int {
	flags := pflag.NewFlagSet("disk-image-get-kernel", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var opts kernel.Options
	var image string
	var trace, help bool
	flags.StringVarP(&opts.Dir, "dir", "d", "", "output directory (default: the image's directory)")
	flags.StringVarP(&opts.Prefix, "output", "o", "", "output name prefix (default: the image's name without extension)")
	flags.StringVarP(&image, "image", "i", "", "the image file (or give it as the argument)")
	flags.BoolVarP(&trace, "trace", "x", false, "log each step and every command run, on stderr")
	flags.BoolVarP(&help, "help", "h", false, "print this help and exit")
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "disk-image-get-kernel: "+format+"\n", a...)
		return ExitBadInput
	}
	if err := flags.Parse(args); err != nil {
		return fail("%v (see -h)", err)
	}
	if help {
		fmt.Fprint(stdout, getKernelUsage+flags.FlagUsages())
		return ExitOK
	}
	switch rest := flags.Args(); {
	case len(rest) > 1:
		return fail("one image expected, got %d: %s", len(rest), strings.Join(rest, " "))
	case len(rest) == 1 && image != "" && rest[0] != image:
		return fail("image given twice: -i %s and %s", image, rest[0])
	case len(rest) == 1:
		image = rest[0]
	case image == "":
		return fail("no image given (see -h)")
	}
	opts.Image = image
	if st, err := os.Stat(image); err != nil || !st.Mode().IsRegular() {
		return fail("image %s: %s", image, notUsable(err, "not a regular file"))
	}
	if opts.Dir != "" {
		if st, err := os.Stat(opts.Dir); err != nil || !st.IsDir() {
			return fail("output directory %s: %s", opts.Dir, notUsable(err, "not a directory"))
		}
	}
	if trace {
		defer traceTo(stderr)()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := kernel.Extract(ctx, opts)
	if err != nil && ctx.Err() != nil {
		fmt.Fprintln(stderr, "disk-image-get-kernel: interrupted; nothing written")
		return ExitInterrupted
	}
	if err != nil {
		fmt.Fprintf(stderr, "disk-image-get-kernel: %s\n", oneLine(err.Error()))
		if errors.Is(err, diskread.ErrRefused) {
			return ExitBadInput
		}
		return ExitFailure
	}
	fmt.Fprintln(stdout, res.Kernel)
	fmt.Fprintln(stdout, res.Initrd)
	return ExitOK
}

// notUsable describes why a path named on the command line cannot be used.
func notUsable(err error, otherwise string) string {
	if err != nil {
		return strings.TrimPrefix(err.Error(), "stat ")
	}
	return otherwise
}

// traceTo logs debug messages and commands to w until the returned
// function restores the previous logger.
func traceTo(w io.Writer) func() {
	prevLog, prevVerbose := slog.Default(), run.Verbose
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})))
	run.Verbose = true
	return func() { slog.SetDefault(prevLog); run.Verbose = prevVerbose }
}
