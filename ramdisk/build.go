// Package ramdisk builds a kernel and initramfs pair from flavours: the
// pipeline behind ramdisk-image-create and the ramdisk recipes.
//
// By default the binaries, kernel and modules come from a target root: the
// cached Debian base plus what the flavours' install.d hooks install
// (images.BuildRoot), so the ramdisk is the same on any host and its kernel
// matches its modules. With Spec.Host the original behaviour is kept:
// binaries from the host's $PATH, modules from ModuleRoot/lib/modules/
// KernelVersion and the kernel from ModuleRoot/boot/vmlinuz-KernelVersion.
// Host mode runs no hooks, makes no root tree and needs no root privileges:
// it only reads host files.
//
// Assembly is the same in both modes: busybox and its applet links; kmod's
// module tools when the root has kmod; every flavour's binary-deps with
// their shared libraries (read from ELF headers inside the root); kernel
// modules for storage, network and virtio plus each flavour's
// kernel-modules, with their dependencies; each flavour's firmware; the
// flavours' udev/ rules; and /init from the base script, each flavour's init
// fragment in dependency order and the end script. The archive is
// deterministic: the same inputs give the same bytes.
package ramdisk

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
)

// BaseFlavour is added to every ramdisk, before the flavours asked for.
const BaseFlavour = "ramdisk-base"

// Spec says what ramdisk to build. Name and Flavours are required.
type Spec struct {
	Name     string   // output path without extension: NAME.kernel and NAME.initramfs
	Flavours []string // flavours to build from; BaseFlavour is always added

	Arch     string // Debian architecture; default amd64
	Release  string // Debian release of the target root
	Mirror   string // Debian mirror; default the host apt's
	CacheDir string // base and package cache; default images.DefaultCacheDir()

	// Host takes binaries from the host's PATH and the kernel and modules
	// from ModuleRoot, instead of building a target root.
	Host bool
	// ModuleRoot holds lib/modules/KernelVersion and boot/vmlinuz-
	// KernelVersion (host mode); default "/".
	ModuleRoot string
	// KernelVersion picks the kernel (host mode); default the only one in
	// ModuleRoot, else the running kernel's.
	KernelVersion string

	AllModules  bool                  // every module of the kernel, not just the usual ones
	Compression initramfs.Compression // gzip (default) or zstd
	Overwrite   bool                  // replace existing outputs instead of moving them aside

	FlavoursPath []string // searched before the built-in flavours
	Trace        bool     // run the hooks with sh -x
	TmpDir       string   // where the build directory goes
	KeepBuildDir bool     // keep the build directory for debugging
	Env          []string // the caller's environment; nil means os.Environ()
	Log          io.Writer
}

// Result is what a build wrote.
type Result struct {
	Kernel        string // NAME.kernel
	Initramfs     string // NAME.initramfs
	KernelVersion string
	Entries       int   // records in the archive
	Size          int64 // bytes of the compressed initramfs
	Duration      time.Duration
	// Root is the target root build (phases and hook times); nil in host
	// mode.
	Root *images.Result
}

// Outputs returns the files written, kernel first.
func (r *Result) Outputs() []string { return []string{r.Kernel, r.Initramfs} }

// Build builds the ramdisk spec describes. A bad spec is an
// *images.InputError found before anything is created; any failure
// leaves no output behind, and older outputs stay as they were.
func Build(ctx context.Context, spec Spec) (*Result, error) {
	s, err := spec.withDefaults()
	if err != nil {
		return nil, &images.InputError{Err: err}
	}
	start := time.Now()
	var res *Result
	if s.Host {
		res, err = buildHost(ctx, s)
	} else {
		res, err = buildTarget(ctx, s)
	}
	if res != nil {
		res.Duration = time.Since(start)
	}
	return res, err
}

// withDefaults fills in defaults and checks what can be checked up front.
func (s Spec) withDefaults() (Spec, error) {
	if s.Arch == "" {
		s.Arch = "amd64"
	}
	s.Arch = images.NormalizeArch(s.Arch)
	if s.CacheDir == "" {
		s.CacheDir = images.DefaultCacheDir()
	}
	if s.Env == nil {
		s.Env = os.Environ()
	}
	if s.Log == nil {
		s.Log = os.Stderr
	}
	c, err := initramfs.ParseCompression(string(s.Compression))
	if err != nil {
		return s, err
	}
	if c == initramfs.None {
		return s, fmt.Errorf("compression %q: want gzip or zstd", c)
	}
	s.Compression = c
	if len(s.Flavours) == 0 {
		return s, fmt.Errorf("no flavour given")
	}
	if !slices.Contains(s.Flavours, BaseFlavour) {
		s.Flavours = append([]string{BaseFlavour}, s.Flavours...)
	}
	if s.Host && s.ModuleRoot == "" {
		s.ModuleRoot = "/"
	}
	if !s.Host && (s.ModuleRoot != "" || s.KernelVersion != "") {
		return s, fmt.Errorf("a module root and kernel version (-m, -k) are for --host builds only")
	}
	return s, nil
}

// imageSpec is the root build (and the input checks) for s.
func (s Spec) imageSpec() images.Spec {
	return images.Spec{
		Name: s.Name, Flavours: s.Flavours, Types: []string{"tar"},
		Arch: s.Arch, Release: s.Release, Mirror: s.Mirror, CacheDir: s.CacheDir,
		FlavoursPath: s.FlavoursPath, Trace: s.Trace, TmpDir: s.TmpDir, KeepBuildDir: s.KeepBuildDir,
		Env: s.Env, Log: s.Log,
	}
}

func (s Spec) logf(format string, args ...any) { fmt.Fprintf(s.Log, format+"\n", args...) }
