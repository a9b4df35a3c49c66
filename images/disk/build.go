package disk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/images/disk/grub"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// Result describes a built image.
type Result struct {
	IDs      IDs
	RootUUID string // root filesystem UUID, as in root=UUID= and fstab
	ESPUUID  string // ESP volume serial as XXXX-XXXX, as in fstab
	Kernel   Kernel // the kernel grub.cfg boots
	Layout   Layout // partitions with their GUIDs
	Timings  []Timing
}

// Timing is how long one step of Build took.
type Timing struct {
	Step string
	Took time.Duration
}

// bootTimeout is how many seconds GRUB's menu waits.
const bootTimeout = 1

// Build makes a bootable raw disk image at out from the root tree at tree:
// GPT with a BIOS boot partition holding GRUB's core.img, an EFI system
// partition holding GRUB as EFI/BOOT/BOOTX64.EFI (or, with
// Spec.SecureBoot, the tree's signed shim and GRUB as SignedESP lays them
// out), and an ext4 root made from the tree, so the image boots under
// SeaBIOS and UEFI firmware.
//
// Build writes into the tree first: /boot/grub/grub.cfg, /etc/fstab (both
// naming filesystems by UUID), an empty /boot/grub/grubenv, the /boot/efi
// mount point and GRUB's modules in /boot/grub/i386-pc and
// /boot/grub/x86_64-efi.
//
// out is created or truncated and written in place, sparse; the caller
// passes a temporary name in its build directory and renames it when
// Build returns. Scratch files go beside it. On failure out is removed. Needs mkfs.ext4, mkfs.fat and mtools on the host and
// GRUB's i386-pc and x86_64-efi packages in the tree; no mount, loop
// device or chroot is used.
func Build(ctx context.Context, tree, out string, spec Spec) (res Result, err error) {
	layout, usage, err := plan(tree, spec)
	if err != nil {
		return Result{}, err
	}
	kernel, err := FindKernel(tree)
	if err != nil {
		return Result{}, err
	}
	ids := NewIDs(spec.Seed)
	setGUIDs(&layout, ids)
	res = Result{IDs: ids, RootUUID: ids.RootFS, ESPUUID: ids.ESPUUID(), Kernel: kernel, Layout: layout}
	step := func(name string, start time.Time) {
		res.Timings = append(res.Timings, Timing{Step: name, Took: time.Since(start)})
	}

	// Scratch files go beside out, in the build directory, which the
	// janitor and the next build's sweep know of.
	work, err := os.MkdirTemp(filepath.Dir(out), "disk-work-")
	if err != nil {
		return Result{}, fmt.Errorf("build disk: %w", err)
	}
	defer os.RemoveAll(work)

	// The boot loaders first: they are cheap and fail early.
	t := time.Now()
	coreImg := filepath.Join(work, "core.img")
	embedded := grub.EmbeddedConfig(ids.RootFS)
	if err := grub.Mkimage(ctx, tree, grub.Image{Platform: grub.PC, Modules: grub.PCModules, Config: embedded}, coreImg, spec.Stream); err != nil {
		return Result{}, fmt.Errorf("build disk: %w", err)
	}
	espFiles, err := efiBoot(ctx, tree, work, kernel, ids.RootFS, spec)
	if err != nil {
		return Result{}, fmt.Errorf("build disk: %w", err)
	}
	step("boot loaders", t)

	t = time.Now()
	boot := BootConfig{
		Title:    osTitle(tree),
		RootUUID: ids.RootFS,
		Kernel:   kernel,
		Cmdline:  append(append([]string(nil), BaseCmdline...), spec.ExtraCmdline...),
		Timeout:  bootTimeout,
	}
	if err := prepareTree(tree, boot, ids.ESPUUID()); err != nil {
		return Result{}, fmt.Errorf("build disk: %w", err)
	}
	step("prepare tree", t)

	f, err := os.OpenFile(out, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return Result{}, fmt.Errorf("build disk: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("build disk: close %s: %w", out, cerr)
		}
		if err != nil {
			err = errors.Join(err, removeIfExists(out))
			res = Result{}
		}
	}()
	if err := f.Truncate(layout.Size); err != nil {
		return res, fmt.Errorf("build disk: size %s: %w", out, err)
	}

	t = time.Now()
	root, _ := layout.Partition(Root)
	ext4 := ext4Spec{Tree: tree, Image: out, Part: root, Label: spec.label(), UUID: ids.RootFS, HashSeed: ids.HashSeed, Extra: spec.MkfsOptions}
	if inodesIn(root.Size) < inodesFor(usage) {
		ext4.Inodes = inodesFor(usage)
	}
	if err := makeExt4(ctx, ext4, spec.Stream); err != nil {
		return res, fmt.Errorf("build disk: %w", err)
	}
	step("mkfs.ext4", t)

	t = time.Now()
	espPart, _ := layout.Partition(ESP)
	esp := espSpec{Image: out, Part: espPart, Serial: ids.ESPSerial, Files: espFiles}
	if err := makeESP(ctx, esp, spec.Stream); err != nil {
		return res, fmt.Errorf("build disk: %w", err)
	}
	step("esp", t)

	t = time.Now()
	if err := writeTable(f, layout, ids.Disk); err != nil {
		return res, fmt.Errorf("build disk: %w", err)
	}
	bios, _ := layout.Partition(BIOSBoot)
	if err := installBIOS(f, tree, coreImg, bios); err != nil {
		return res, fmt.Errorf("build disk: %w", err)
	}
	if err := f.Sync(); err != nil {
		return res, fmt.Errorf("build disk: sync %s: %w", out, err)
	}
	step("partition table and boot code", t)
	return res, nil
}

// efiBoot makes what the ESP holds and returns its layout: the tree's
// signed chain with Spec.SecureBoot (after checking that the kernel
// grub.cfg boots is signed too), else a GRUB image made by the tree's
// grub-mkimage.
func efiBoot(ctx context.Context, tree, work string, k Kernel, rootUUID string, spec Spec) (map[string]string, error) {
	if spec.SecureBoot {
		kp, err := inroot.HostPath(tree, k.Image)
		if err != nil {
			return nil, fmt.Errorf("secure boot: kernel: %w", err)
		}
		if err := checkSigned(kp); err != nil {
			return nil, fmt.Errorf("secure boot: kernel %s would not boot (install Debian's signed linux-image, or set DIB_SECURE_BOOT=0): %w", k.Image, err)
		}
		return writeSignedESPFiles(tree, work, rootUUID)
	}
	efiImg := filepath.Join(work, "BOOTX64.EFI")
	img := grub.Image{Platform: grub.EFI, Modules: grub.EFIModules, Config: grub.EmbeddedConfig(rootUUID)}
	if err := grub.Mkimage(ctx, tree, img, efiImg, spec.Stream); err != nil {
		return nil, err
	}
	return UnsignedESP(efiImg), nil
}

// setGUIDs gives the layout's partitions their GUIDs, upper case as GPT
// tools show them.
func setGUIDs(l *Layout, ids IDs) {
	for i := range l.Partitions {
		p := &l.Partitions[i]
		switch p.Role {
		case BIOSBoot:
			p.GUID = ids.BIOSBoot
		case ESP:
			p.GUID = ids.ESP
		case Root:
			p.GUID = ids.Root
		}
		p.GUID = strings.ToUpper(p.GUID)
	}
}

func removeIfExists(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove partial image: %w", err)
	}
	return nil
}
