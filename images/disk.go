package images

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/images/disk"
	"github.com/tripleo/diskimage-builder/internal/run"
)

// bootFlavour is the flavour that makes the disk bootable: with it the
// disk is a hybrid GPT disk with GRUB for BIOS and UEFI; without it the
// disk is a bare ext4 filesystem (a partition image).
const bootFlavour = "vm"

// diskSpec is the disk layout the build asks for.
func (b *builder) diskSpec() disk.Spec {
	sb, _ := secureBoot(b.spec.Env) // checked by Spec.Validate
	return disk.Spec{Size: b.spec.Size, ExtraCmdline: extraCmdline(b.spec.Env), SecureBoot: sb}
}

// extraCmdline is the kernel arguments DIB_BOOTLOADER_DEFAULT_CMDLINE in
// env adds to the boot entry (checked by Spec.Validate).
func extraCmdline(env []string) []string {
	return strings.Fields(envValue(env, "DIB_BOOTLOADER_DEFAULT_CMDLINE"))
}

// secureBoot reads the vm flavour's DIB_SECURE_BOOT from env: unset or 1
// boots UEFI through Debian's signed shim, GRUB and kernel; 0 through a
// GRUB image of our own, which Secure Boot firmware refuses.
func secureBoot(env []string) (bool, error) {
	switch v := envValue(env, "DIB_SECURE_BOOT"); v {
	case "", "1":
		return true, nil
	case "0":
		return false, nil
	default:
		return false, fmt.Errorf("DIB_SECURE_BOOT=%q: want 1 (signed boot chain, the default) or 0 (unsigned GRUB)", v)
	}
}

// checkSizeEarly refuses, right after the base is unpacked, a disk size
// that cannot even hold the base.
func (b *builder) checkSizeEarly() error {
	if b.spec.Size == 0 || !b.wantsDisk() {
		return nil
	}
	min, err := disk.MinSize(b.rootDir, b.diskSpec())
	if err != nil {
		return err
	}
	if b.spec.Size < min {
		return &InputError{fmt.Errorf("image size %.2f GB is too small: the base alone needs %.2f GB", gb(b.spec.Size), gb(min))}
	}
	return nil
}

func (b *builder) wantsDisk() bool {
	for _, t := range b.spec.Types {
		if t != "tar" {
			return true
		}
	}
	return false
}

// makeDisk writes the raw disk from the root tree, runs the block-device
// hooks on it, and returns the path of the (possibly replaced) raw disk.
func (b *builder) makeDisk(ctx context.Context) (string, error) {
	raw := filepath.Join(b.dir, "disk.raw")
	var env []string
	if b.set.Has(bootFlavour) {
		spec := b.diskSpec()
		if _, err := disk.Plan(b.rootDir, spec); err != nil {
			if errors.Is(err, disk.ErrTooSmall) {
				return "", &InputError{err}
			}
			return "", err
		}
		chain := "unsigned GRUB"
		if spec.SecureBoot {
			chain = "signed shim and GRUB (Secure Boot)"
		}
		b.logf("==> disk: GPT with BIOS boot, EFI system (%s) and root partitions", chain)
		res, err := disk.Build(ctx, b.rootDir, raw, spec)
		if err != nil {
			return "", err
		}
		b.res.RootUUID = res.RootUUID
		root, _ := res.Layout.Partition(disk.Root)
		env = []string{"DIB_ROOT_UUID=" + res.RootUUID,
			"DIB_ROOT_OFFSET=" + strconv.FormatInt(root.Start, 10), "DIB_ROOT_SIZE=" + strconv.FormatInt(root.Size, 10)}
	} else {
		id, err := b.filesystemImage(ctx, raw)
		if err != nil {
			return "", err
		}
		b.res.RootUUID = id
		env = []string{"DIB_ROOT_UUID=" + id, "DIB_ROOT_OFFSET=0"}
	}
	return b.blockDevice(ctx, raw, env)
}

// filesystemImage makes raw a bare ext4 filesystem of the tree.
func (b *builder) filesystemImage(ctx context.Context, raw string) (string, error) {
	size := b.spec.Size
	if size == 0 {
		min, err := disk.MinSize(b.rootDir, disk.Spec{})
		if err != nil {
			return "", err
		}
		size = min + min*3/10
	}
	size = (size + disk.MiB - 1) / disk.MiB * disk.MiB
	id := uuid.NewString()
	b.logf("==> disk: bare ext4 filesystem, %d MiB (no %s flavour: not bootable)", size/disk.MiB, bootFlavour)
	argv := []string{"mkfs.ext4", "-q", "-F", "-d", b.rootDir, "-U", id, "-L", disk.DefaultLabel,
		"-E", "root_owner=0:0", raw, strconv.FormatInt(size/1024, 10) + "k"}
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return "", fmt.Errorf("make filesystem image: %w", err)
	}
	return id, nil
}

// blockDevice runs the block-device.d hooks with IMAGE_BLOCK_DEVICE set to
// the raw disk. A hook that prints IMAGE_BLOCK_DEVICE=PATH replaces it.
func (b *builder) blockDevice(ctx context.Context, raw string, env []string) (string, error) {
	b.phase = flavours.BlockDevice.Name
	b.breakAt(ctx, "before-block-device", flavours.BlockDevice)
	hooks := b.set.Hooks(flavours.BlockDevice)
	if len(hooks) == 0 {
		b.breakAt(ctx, "after-block-device", flavours.BlockDevice)
		b.phase = "outputs"
		return raw, nil
	}
	b.logf("==> block-device.d: %d hook(s) on %s", len(hooks), raw)
	env = append(env, "IMAGE_BLOCK_DEVICE="+raw)
	results, err := b.runHooks(ctx, flavours.BlockDevice, hooks, env)
	if err != nil {
		return "", err
	}
	for _, r := range results {
		for _, line := range strings.Split(r.Stdout, "\n") {
			if p, ok := strings.CutPrefix(strings.TrimSpace(line), "IMAGE_BLOCK_DEVICE="); ok && p != "" {
				if _, err := os.Stat(p); err != nil {
					return "", fmt.Errorf("%s: IMAGE_BLOCK_DEVICE=%s: %w", r.Label, p, err)
				}
				raw = p
			}
		}
	}
	b.breakAt(ctx, "after-block-device", flavours.BlockDevice)
	b.phase = "outputs"
	return raw, nil
}

// envValue is the value of k in env, or "".
func envValue(env []string, k string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, k+"="); ok {
			return v
		}
	}
	return ""
}
