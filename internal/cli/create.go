package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/rootfs"
)

const createSynopsis = "-o NAME [options] FLAVOUR..."

// DiskImageCreate is disk-image-create: it parses args (with env as the
// fallback for every option), plans the build, which refuses bad input
// before any privilege is sought, then builds the image and returns the
// exit status.
func DiskImageCreate(ctx context.Context, args, env []string, stdout, stderr io.Writer) int {
	const cmd = "disk-image-create"
	env, kinds := checksumEnv(env)
	v, flavours, _, env, err := parseArgs(createOptions, args, env)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	if v.on("help") {
		usage(stdout, cmd, createSynopsis, createOptions, v)
		return ExitOK
	}
	if v.on("version") {
		fmt.Fprintln(stdout, version())
		return ExitOK
	}
	if len(flavours) == 0 {
		return badInput(stderr, cmd, errors.New("no flavour given; usage: disk-image-create "+createSynopsis))
	}
	spec, err := createSpec(v, flavours, env, args)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	if spec.Checksum {
		spec.ChecksumKinds = kinds
	}
	if spec.Owner, err = rootfs.OwnerFromSudo(env); err != nil {
		return badInput(stderr, cmd, err)
	}
	plan, err := spec.Plan()
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	if handled, code := ensurePrivilege(args, env, createOptions, stderr); handled {
		return code
	}
	log, closeLog, err := logFor(v, stderr, spec.Owner)
	if err != nil {
		return badInput(stderr, cmd, err)
	}
	defer closeLog()
	plan.SetLog(log)
	res, err := plan.Build(ctx)
	var outs []string
	if res != nil && res.SBOM != "" {
		outs = append(res.Outputs, res.SBOM)
	}
	return finish(cmd, outs, err, stdout, stderr)
}

// createSpec is the image spec of disk-image-create's settings.
func createSpec(v values, flavours, env, args []string) (images.Spec, error) {
	tmp, err := tmpDir(v)
	if err != nil {
		return images.Spec{}, err
	}
	qemuOpts, err := qemuImgOptions(v.str("qemu-img-options"))
	if err != nil {
		return images.Spec{}, err
	}
	resize, err := maxOnlineResize(v.str("max-online-resize"))
	if err != nil {
		return images.Spec{}, err
	}
	spec := images.Spec{
		Name: v.str("output"), Flavours: flavours, Types: v.list("type"), Packages: v.list("packages"),
		Arch: v.str("arch"), Release: v.str("release"), Mirror: mirror(v), Apt: apt(v), CacheDir: v.chosen("image-cache", rootfs.DefaultCacheDir()),
		Uncompressed: v.on("uncompressed"), QCOW2Compression: v.str("qcow2-compression"),
		BootCmdline: strings.Fields(v.str("DIB_BOOTLOADER_DEFAULT_CMDLINE")),
		Checksum:    v.on("checksum"), Overwrite: v.on("overwrite") || v.on("OVERWRITE_OLD_IMAGE"), Seed: v.str("seed"),
		FlavoursPath: v.path("flavours-path"), Trace: v.on("trace"), TmpDir: tmp, KeepBuildDir: v.on("keep-build-dir"),
		Break: v.list("break"), BreakCmd: v.str("break_cmd"), Env: env,
		RootLabel: v.str("root-label"), MkfsOptions: strings.Fields(v.str("mkfs-options")), MaxOnlineResize: resize,
		QemuImgOptions: qemuOpts, ElementsPath: v.path("elements-path"), SkipBase: v.on("skip-base"),
		Components: v.list("DIB_DEBIAN_COMPONENTS"), InstallType: v.str("install-type"), Offline: v.on("offline"), Args: args,
	}
	if spec.UnsignedBoot, spec.SecureBootRequired, err = secureBoot(v.str("secure-boot")); err != nil {
		return spec, err
	}
	if spec.SourceDateEpoch, err = sourceDateEpoch(v); err != nil {
		return spec, err
	}
	// -o vm.qcow2 -t qcow2 writes vm.qcow2, as the original does when one
	// type is asked.
	if len(spec.Types) == 1 && spec.Types[0] != "" {
		spec.Name = strings.TrimSuffix(spec.Name, "."+spec.Types[0])
	}
	size := v.str("image-size")
	if size == "" {
		size = v.str("DIB_IMAGE_SIZE") // the original's name
	}
	if size != "" {
		n, err := ParseSize(size)
		if err != nil {
			return spec, err
		}
		spec.Size = n
	}
	return spec, nil
}
