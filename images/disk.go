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
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// bootFlavour is the flavour that makes the disk bootable: with it the
// disk is a hybrid GPT disk with GRUB for BIOS and UEFI; without it the
// disk is a bare ext4 filesystem (a partition image).
const bootFlavour = "vm"

// checkSize refuses, right after the base is unpacked (see
// rootfs.Spec.CheckBase), a disk size that cannot even hold the base.
func (p *Plan) checkSize(tree string) error {
	min, err := disk.MinSize(tree, p.Disk)
	if err != nil {
		return err
	}
	if p.Spec.Size < min {
		return &InputError{Err: fmt.Errorf("image size %.2f GB is too small: the base alone needs %.2f GB", gb(p.Spec.Size), gb(min))}
	}
	return nil
}

// makeDisk writes the raw disk from the root tree, runs the block-device
// hooks on it, and returns the path of the (possibly replaced) raw disk.
func (w *writer) makeDisk(ctx context.Context) (string, error) {
	raw := filepath.Join(w.root.Dir, "disk.raw")
	var env []string
	if w.root.Plan.Flavours.Has(bootFlavour) {
		if _, err := disk.Plan(w.root.Tree, w.plan.Disk); err != nil {
			if errors.Is(err, disk.ErrTooSmall) {
				return "", &InputError{Err: err}
			}
			return "", err
		}
		chain := "unsigned GRUB"
		if w.plan.Disk.SecureBoot {
			chain = "signed shim and GRUB (Secure Boot)"
		}
		w.logf("==> disk: GPT with BIOS boot, EFI system (%s) and root partitions", chain)
		res, err := disk.Build(ctx, w.root.Tree, raw, w.plan.Disk)
		if err != nil {
			return "", err
		}
		w.logf("disk: %s", stepTimes(res.Timings))
		w.res.RootUUID = res.RootUUID
		root, _ := res.Layout.Partition(disk.Root) // the vm layout always has one
		env = []string{"DIB_ROOT_UUID=" + res.RootUUID,
			"DIB_ROOT_OFFSET=" + strconv.FormatInt(root.Start, 10), "DIB_ROOT_SIZE=" + strconv.FormatInt(root.Size, 10)}
	} else {
		id, err := w.filesystemImage(ctx, raw)
		if err != nil {
			return "", err
		}
		w.res.RootUUID = id
		env = []string{"DIB_ROOT_UUID=" + id, "DIB_ROOT_OFFSET=0"}
	}
	return w.blockDevice(ctx, raw, env)
}

// stepTimes renders the times of disk.Build's steps on one line.
func stepTimes(ts []disk.Timing) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%s %.2fs", t.Step, t.Took.Seconds())
	}
	return strings.Join(parts, ", ")
}

// filesystemImage makes raw a bare ext4 filesystem of the tree.
func (w *writer) filesystemImage(ctx context.Context, raw string) (string, error) {
	size := w.plan.Spec.Size
	if size == 0 {
		min, err := disk.MinSize(w.root.Tree, disk.Spec{})
		if err != nil {
			return "", err
		}
		size = min + min*3/10
	}
	size = (size + disk.MiB - 1) / disk.MiB * disk.MiB
	id := uuid.NewString()
	w.logf("==> disk: bare ext4 filesystem, %d MiB (no %s flavour: not bootable)", size/disk.MiB, bootFlavour)
	label := w.plan.Disk.Label
	if label == "" {
		label = disk.DefaultLabel
	}
	argv := append([]string{"mkfs.ext4", "-q", "-F"}, w.plan.Disk.MkfsOptions...)
	argv = append(argv, "-d", w.root.Tree, "-U", id, "-L", label,
		"-E", "root_owner=0:0", raw, strconv.FormatInt(size/1024, 10)+"k")
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return "", fmt.Errorf("make filesystem image: %w", err)
	}
	return id, nil
}

// blockDevice runs the block-device.d hooks with IMAGE_BLOCK_DEVICE set to
// the raw disk. A hook that prints IMAGE_BLOCK_DEVICE=PATH replaces it.
func (w *writer) blockDevice(ctx context.Context, raw string, env []string) (string, error) {
	w.phase = flavours.BlockDevice.Name
	results, err := w.root.RunHooks(ctx, flavours.BlockDevice, append(env, "IMAGE_BLOCK_DEVICE="+raw)...)
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
	w.phase = "outputs"
	return raw, nil
}
