// Package images writes disk images: the disk stage that reads a root tree
// built by package rootfs and writes it as a bootable GPT disk (with the vm
// flavour) or a bare ext4 filesystem, runs the block-device hooks on it and
// converts it to every output type, or packs the tree as a tar. Build is
// the whole pipeline behind disk-image-create and the image recipes: plan,
// build the root, write the disk.
package images

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/sbom"

	"github.com/tripleo/diskimage-builder/images/imageprops"
	"github.com/tripleo/diskimage-builder/internal/sys/outputs"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// Types lists the output types Build can write.
var Types = []string{"qcow2", "raw", "vhd", "vmdk", "tar"}

// Spec says what image to build. Name and Flavours are required; every
// other field has a default.
type Spec struct {
	Name     string   // output path without extension: "out/vm" gives out/vm.qcow2
	Flavours []string // flavours to build from, with their dependencies
	Types    []string // output types; default qcow2
	Packages []string // extra packages installed after pre-install.d

	Arch     string // Debian architecture; default amd64
	Release  string // Debian release; default bootstrap.DefaultRelease
	Mirror   string // Debian mirror; default the host apt's
	CacheDir string // base and package cache; default ~/.cache/image-create

	// Size of the disk in bytes; 0 sizes it from the content.
	Size int64
	// Uncompressed leaves qcow2 output uncompressed.
	Uncompressed bool
	// QCOW2Compression is the compression of a compressed qcow2: "zlib"
	// (every consumer, the default), "zstd" (faster; QEMU 5.1 and newer)
	// or "none".
	QCOW2Compression string
	// BootCmdline are kernel arguments added to the boot entry of a vm
	// disk (disk-image-create reads them from
	// DIB_BOOTLOADER_DEFAULT_CMDLINE).
	BootCmdline []string
	// UnsignedBoot makes a vm disk boot UEFI through a GRUB image made by
	// grub-mkimage, which Secure Boot firmware refuses, instead of the
	// root's signed chain (Debian's shim, GRUB and kernel), the default
	// (disk-image-create: DIB_SECURE_BOOT=0).
	UnsignedBoot bool
	// SecureBootRequired makes the disk outputs' properties ask Nova for
	// a host that enforces Secure Boot (os_secure_boot=required); by
	// default they say it is optional: the disk boots with and without it
	// (disk-image-create: DIB_SECURE_BOOT=required).
	SecureBootRequired bool
	// Checksum writes NAME.TYPE.sha256 and .md5 beside each output, or
	// those of ChecksumKinds when it is not empty (DIB_CHECKSUM=sha256).
	Checksum      bool
	ChecksumKinds []string
	// Overwrite replaces existing outputs; otherwise they are renamed aside
	// with a timestamp.
	Overwrite bool
	// Seed, when set, gives the image other identifiers (filesystem UUIDs,
	// GPT GUIDs, FAT serial, vhd UUID, vmdk CID) than the ones its inputs
	// alone give it (see identitySeed): two images from the same inputs
	// with different seeds differ only there.
	Seed string
	// SourceDateEpoch is the time the image stands for (SOURCE_DATE_EPOCH):
	// every file time is clamped to it and every format that records a
	// time records it. The zero Time means the base's (see
	// rootfs.Spec.SourceDateEpoch).
	SourceDateEpoch time.Time

	// RootLabel is the root filesystem's label; default cloudimg-rootfs.
	RootLabel string
	// MkfsOptions are extra mkfs.ext4 options of the root filesystem, and
	// MaxOnlineResize (blocks) its -E resize= limit.
	MkfsOptions     []string
	MaxOnlineResize int64
	// QemuImgOptions are extra qemu-img convert -o options (KEY=VALUE,...)
	// of the disk outputs.
	QemuImgOptions string

	FlavoursPath []string // searched before the built-in flavours
	// ElementsPath, SkipBase, Components, InstallType, Offline and Args
	// are as in rootfs.Spec: elements of the original diskimage-builder.
	ElementsPath []string
	SkipBase     bool
	Components   []string
	InstallType  string
	Offline      bool
	Apt          rootfs.Apt // the original's apt source settings, as in rootfs.Spec
	Args         []string
	Trace        bool   // run shell hooks with -x, DIB_DEBUG_TRACE=1
	TmpDir       string // where the build directory goes; default rootfs.DefaultTmpDir()
	KeepBuildDir bool   // keep the build directory for debugging
	// Break lists the points where the build stops for debugging, as the
	// original's break= variable: before-PHASE, after-PHASE, after-error.
	Break []string
	// BreakCmd is run (by /bin/sh -c) at a break point instead of an
	// interactive shell.
	BreakCmd string
	// Env is the caller's environment: DIB_* and proxy variables in it are
	// passed to hooks. Nil means os.Environ(). No setting is read from it.
	Env []string
	Log io.Writer // progress and hook output; default os.Stderr
	// Owner, when set, is the user root builds for (see
	// rootfs.Spec.Owner): the outputs are made with that user's rights and
	// belong to the user.
	Owner *rootfs.Owner
}

// outputs lists the paths of every output: each type, its checksums and,
// for a disk type, its image properties; and the bill of materials.
func (s Spec) outputs() []string {
	out := []string{s.Name + sbom.Ext}
	for _, t := range s.Types {
		out = append(out, s.Output(t))
		if s.Checksum {
			for _, kind := range s.checksumKinds() {
				out = append(out, s.Output(t)+"."+kind)
			}
		}
		if t != "tar" {
			out = append(out, s.Output(t)+imageprops.Suffix)
		}
	}
	return out
}

// mkfsOptions are MkfsOptions with MaxOnlineResize's -E resize=.
func (s Spec) mkfsOptions() []string {
	opts := append([]string(nil), s.MkfsOptions...)
	if s.MaxOnlineResize > 0 {
		opts = append(opts, "-E", fmt.Sprintf("resize=%d", s.MaxOnlineResize))
	}
	return opts
}

// checksumKinds are the checksum files written beside each output.
func (s Spec) checksumKinds() []string {
	if len(s.ChecksumKinds) > 0 {
		return s.ChecksumKinds
	}
	return outputs.ChecksumKinds
}

// Output is the path of the output of type t.
func (s Spec) Output(t string) string { return s.Name + "." + t }

// validate checks what the disk stage alone is asked (after defaults).
func (s Spec) validate() error {
	if s.Name == "" {
		return fmt.Errorf("no output name given (-o NAME)")
	}
	if len(s.Flavours) == 0 {
		return fmt.Errorf("no flavour given")
	}
	for _, t := range s.Types {
		if !slices.Contains(Types, t) {
			return fmt.Errorf("unknown output type %q (known: %s)", t, strings.Join(Types, ", "))
		}
	}
	if s.Size < 0 {
		return fmt.Errorf("image size %d is negative", s.Size)
	}
	for _, k := range s.ChecksumKinds {
		if !slices.Contains(outputs.ChecksumKinds, k) {
			return fmt.Errorf("unknown checksum %q (known: %s)", k, strings.Join(outputs.ChecksumKinds, ", "))
		}
	}
	return nil
}

// wantsDisk reports whether a disk is made: any type but tar.
func (s Spec) wantsDisk() bool {
	return slices.ContainsFunc(s.Types, func(t string) bool { return t != "tar" })
}
