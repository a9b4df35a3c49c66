package cli

import (
	"context"
	"errors"
	"io"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/ramdisk"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
)

const ramdiskSynopsis = "-o NAME [-a ARCH] [-x] [--host [-m MODULE_ROOT] [-k KERNEL_VERSION]] [options] FLAVOUR..."

// RamdiskImageCreate is ramdisk-image-create: it parses args (with env as
// the fallback for every option), builds NAME.kernel and NAME.initramfs and
// returns the exit status.
func RamdiskImageCreate(ctx context.Context, args, env []string, stdout, stderr io.Writer) int {
	const cmd = "ramdisk-image-create"
	fs := newFlagSet(cmd, ramdiskSynopsis, env)
	var host, allModules *bool
	var modRoot, kver, compress *string
	b := addBuildFlags(fs, "outputs are NAME.kernel and NAME.initramfs", func() {
		host = fs.Bool("host", false, "take programs from the host's PATH and the kernel from MODULE_ROOT; no target root")
		modRoot = fs.StringP("module-root", "m", "/", "with --host: directory holding lib/modules/VERSION and boot/vmlinuz-VERSION")
		kver = fs.StringP("kernel-version", "k", "", "with --host: kernel version in MODULE_ROOT (default: the only one, else the running one)")
		allModules = fs.Bool("all-modules", false, "include every kernel module, not just storage, network and virtio ones")
		compress = fs.String("compress", "gzip", "initramfs compression: gzip or zstd")
	})
	for flag, envName := range map[string]string{"host": "DIB_RAMDISK_HOST", "module-root": "MODULE_ROOT",
		"kernel-version": "KERNEL_VERSION", "all-modules": "DIB_ALL_MODULES", "compress": "DIB_RAMDISK_COMPRESS"} {
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
	if !*host && (fs.Changed("module-root") || fs.Changed("kernel-version")) {
		return badInput(stderr, cmd, errors.New("-m and -k are for --host builds only"))
	}
	if len(fs.Args()) == 0 {
		return badInput(stderr, cmd, errors.New("no flavour given; usage: ramdisk-image-create "+ramdiskSynopsis))
	}
	c, err := initramfs.ParseCompression(*compress)
	if err != nil || c == initramfs.None {
		return badInput(stderr, cmd, errors.New("unknown compression "+*compress+" (--compress gzip or zstd)"))
	}
	spec := ramdisk.Spec{
		Name: *b.name, Flavours: fs.Args(), Arch: *b.arch, Release: *b.release, Mirror: *b.mirror, CacheDir: *b.cache,
		Host: *host, AllModules: *allModules, Compression: c, Overwrite: *b.overwrite,
		FlavoursPath: splitPath(*b.fpath), Trace: *b.trace, TmpDir: *b.tmp, KeepBuildDir: *b.keep, Env: env,
	}
	if *host {
		spec.ModuleRoot, spec.KernelVersion = *modRoot, *kver
	}
	if !*host {
		// A target root is built with hooks running as root in it.
		if handled, code := EnsureRoot(args, env, stderr); handled {
			return code
		}
	}
	log, closeLog, err := buildLog(stderr, *b.logfile)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	defer closeLog()
	spec.Log = log
	res, err := ramdisk.Build(ctx, spec)
	var out *images.Result
	if err == nil {
		out = &images.Result{Outputs: res.Outputs()}
	}
	return finish(cmd, out, err, stdout, stderr)
}
