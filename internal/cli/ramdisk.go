package cli

import (
	"context"
	"errors"
	"io"
	"os"

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
	name := fs.StringP("output", "o", "image", "output name; outputs are NAME.kernel and NAME.initramfs")
	arch := fs.StringP("arch", "a", "amd64", "architecture of the ramdisk")
	trace := fs.BoolP("trace", "x", false, "trace the hooks (sh -x) and the commands run")
	host := fs.Bool("host", false, "take programs from the host's PATH and the kernel from MODULE_ROOT; no target root")
	modRoot := fs.StringP("module-root", "m", "/", "with --host: directory holding lib/modules/VERSION and boot/vmlinuz-VERSION")
	kver := fs.StringP("kernel-version", "k", "", "with --host: kernel version in MODULE_ROOT (default: the only one, else the running one)")
	allModules := fs.Bool("all-modules", false, "include every kernel module, not just storage, network and virtio ones")
	compress := fs.String("compress", "gzip", "initramfs compression: gzip or zstd")
	cache := fs.String("image-cache", images.DefaultCacheDir(), "cache of base roots and packages")
	release := fs.String("release", "trixie", "Debian release of the target root")
	mirror := fs.String("mirror", "", "Debian mirror (default: the host apt's)")
	overwrite := fs.Bool("overwrite", false, "replace existing outputs instead of moving them aside")
	fpath := fs.String("flavours-path", "", "colon-separated directories searched for flavours first")
	tmp := fs.String("tmp-dir", os.TempDir(), "where the build directory is made")
	keep := fs.Bool("keep-build-dir", false, "keep the build directory for debugging")
	logfile := fs.String("logfile", "", "also write the build log to this file")
	help := fs.BoolP("help", "h", false, "show this help and exit")
	for flag, envName := range map[string]string{
		"output": "IMAGE_NAME", "arch": "ARCH", "trace": "DIB_DEBUG_TRACE", "host": "DIB_RAMDISK_HOST",
		"module-root": "MODULE_ROOT", "kernel-version": "KERNEL_VERSION", "all-modules": "DIB_ALL_MODULES",
		"compress": "DIB_RAMDISK_COMPRESS", "image-cache": "DIB_IMAGE_CACHE", "release": "DIB_RELEASE",
		"mirror": "DIB_DISTRIBUTION_MIRROR", "overwrite": "DIB_OVERWRITE", "flavours-path": "FLAVOURS_PATH",
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
		Name: *name, Flavours: fs.Args(), Arch: *arch, Release: *release, Mirror: *mirror, CacheDir: *cache,
		Host: *host, AllModules: *allModules, Compression: c, Overwrite: *overwrite,
		FlavoursPath: splitPath(*fpath), Trace: *trace, TmpDir: *tmp, KeepBuildDir: *keep, Env: env,
	}
	if *host {
		spec.ModuleRoot, spec.KernelVersion = *modRoot, *kver
	}
	log, closeLog, err := buildLog(stderr, *logfile)
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
