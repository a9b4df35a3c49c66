package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tripleo/diskimage-builder/ramdisk"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/rootfs"
)

const ramdiskSynopsis = "-o NAME [-a ARCH] [-x] [--host [-m MODULE_ROOT] [-k KERNEL_VERSION]] [options] FLAVOUR..."

// RamdiskImageCreate is ramdisk-image-create: it parses args (with env as
// the fallback for every option), plans the build, which refuses bad input
// before any privilege is sought, then builds NAME.kernel and
// NAME.initramfs and returns the exit status.
func RamdiskImageCreate(ctx context.Context, args, env []string, stdout, stderr io.Writer) int {
	const cmd = "ramdisk-image-create"
	v, flavours, given, env, err := parseArgs(ramdiskOptions, args, env)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	if v.on("help") {
		usage(stdout, cmd, ramdiskSynopsis, ramdiskOptions, v)
		return ExitOK
	}
	if v.on("version") {
		fmt.Fprintln(stdout, version())
		return ExitOK
	}
	tmp, err := tmpDir(v)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	host := v.on("host")
	if !host && (given("module-root") || given("kernel-version")) {
		return badInput(stderr, cmd, errors.New("-m and -k are for --host builds only"))
	}
	if len(flavours) == 0 {
		return badInput(stderr, cmd, errors.New("no flavour given; usage: ramdisk-image-create "+ramdiskSynopsis))
	}
	spec := ramdisk.Spec{
		Name: v.str("output"), Flavours: flavours, Arch: v.str("arch"), Release: v.str("release"), Mirror: mirror(v), Apt: apt(v),
		CacheDir: v.chosen("image-cache", rootfs.DefaultCacheDir()), Host: host, AllModules: v.on("all-modules"),
		Compression: initramfs.Compression(v.str("compress")), Overwrite: v.on("overwrite") || v.on("OVERWRITE_OLD_IMAGE"), NoRootCache: v.on("DIB_NO_ROOT_CACHE"),
		FlavoursPath: v.path("flavours-path"), Trace: v.on("trace"), TmpDir: tmp, KeepBuildDir: v.on("keep-build-dir"), Env: env,
		BaseElement: v.str("ramdisk-element"), ElementsPath: v.path("elements-path"), SkipBase: v.on("skip-base"),
		Components: v.list("DIB_DEBIAN_COMPONENTS"), InstallType: v.str("install-type"), Offline: v.on("offline"), Args: args,
	}
	if host {
		spec.ModuleRoot, spec.KernelVersion = v.str("module-root"), v.str("kernel-version")
	}
	if spec.SourceDateEpoch, err = sourceDateEpoch(v); err != nil {
		return badInput(stderr, cmd, err)
	}
	if spec.Owner, err = rootfs.OwnerFromSudo(env); err != nil {
		return badInput(stderr, cmd, err)
	}
	plan, err := spec.Plan()
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	if !host {
		// A target root is built with hooks running as root in it.
		if handled, code := ensurePrivilege(args, env, ramdiskOptions, stderr); handled {
			return code
		}
	}
	log, closeLog, err := logFor(v, stderr, spec.Owner)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	defer closeLog()
	plan.SetLog(log)
	res, err := plan.Build(ctx)
	var outs []string
	if err == nil {
		outs = append(res.Outputs(), res.SBOM)
	}
	return finish(cmd, outs, err, stdout, stderr)
}
