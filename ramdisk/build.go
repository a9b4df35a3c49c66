// Package ramdisk writes kernel and initramfs pairs: the ramdisk stage that
// reads a root tree built by package rootfs (or, in host mode, the host)
// and writes NAME.kernel and NAME.initramfs. Build is the whole pipeline
// behind ramdisk-image-create and the ramdisk recipes.
//
// By default the binaries, kernel and modules come from a target root: the
// cached Debian base plus what the flavours' install.d hooks install
// (rootfs.Build, with its root cache), so the ramdisk is the same on any
// host and its kernel matches its modules. With Spec.Host the original
// behaviour is kept: binaries from the host's $PATH, modules from
// ModuleRoot/lib/modules/KernelVersion and the kernel from
// ModuleRoot/boot/vmlinuz-KernelVersion. Host mode runs no hooks, makes no
// root tree and needs no root privileges: it only reads host files.
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
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/rootfs"
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
	CacheDir string // base and package cache; default rootfs.DefaultCacheDir()

	// Host takes binaries from the host's PATH and the kernel and modules
	// from ModuleRoot, instead of building a target root.
	Host bool
	// ModuleRoot holds lib/modules/KernelVersion and boot/vmlinuz-
	// KernelVersion (host mode); default "/".
	ModuleRoot string
	// KernelVersion picks the kernel (host mode); default the only one in
	// ModuleRoot, else the running kernel's.
	KernelVersion string

	// SourceDateEpoch is the time of every entry of the initramfs
	// (SOURCE_DATE_EPOCH). The zero Time means the target root's (see
	// rootfs.Spec.SourceDateEpoch), or in host mode the newest modification
	// time of the files it carries.
	SourceDateEpoch time.Time

	AllModules  bool                  // every module of the kernel, not just the usual ones
	Compression initramfs.Compression // gzip (default) or zstd
	Overwrite   bool                  // replace existing outputs instead of moving them aside
	// NoRootCache runs every hook even when a root built from the same
	// inputs is cached (see rootfs.Spec.CacheRoot).
	NoRootCache bool

	FlavoursPath []string // searched before the built-in flavours
	// BaseElement is the flavour or element the ramdisk is built on,
	// added first (the original's --ramdisk-element); default BaseFlavour.
	BaseElement string
	// ElementsPath, SkipBase, Components, InstallType, Offline and Args
	// are as in rootfs.Spec: elements of the original diskimage-builder.
	ElementsPath []string
	SkipBase     bool
	Components   []string
	InstallType  string
	Offline      bool
	Apt          rootfs.Apt // the original's apt source settings, as in rootfs.Spec
	Args         []string
	Trace        bool     // run the hooks with sh -x
	TmpDir       string   // where the build directory goes
	KeepBuildDir bool     // keep the build directory for debugging
	Env          []string // the caller's environment; nil means os.Environ()
	Log          io.Writer
	// Owner, when set, is the user root builds for (see
	// rootfs.Spec.Owner): the outputs are made with that user's rights and
	// belong to the user.
	Owner *rootfs.Owner
}

// Result is what a build wrote.
type Result struct {
	Kernel    string // NAME.kernel
	Initramfs string // NAME.initramfs
	SBOM      string // NAME.cdx.json, the bill of materials
	// Epoch is the time of every entry of the initramfs: Spec's
	// SourceDateEpoch, the root's, or in host mode the newest time of the
	// files it copies.
	Epoch         time.Time
	KernelVersion string
	Entries       int   // records in the archive
	Size          int64 // bytes of the compressed initramfs
	Duration      time.Duration
	// Phases are the target root's phases and "assemble"; nil in host
	// mode.
	Phases []rootfs.Timing
	// Root is the target root build (its phases and hook times); nil in
	// host mode.
	Root *rootfs.Result
}

// Outputs returns the files written, kernel first.
func (r *Result) Outputs() []string { return []string{r.Kernel, r.Initramfs} }

// Build builds the ramdisk spec describes: Plan, then Plan.Build. A bad
// spec is an *rootfs.InputError found before anything is created; any
// failure leaves no output behind, and older outputs stay as they were.
func Build(ctx context.Context, spec Spec) (*Result, error) {
	p, err := spec.Plan()
	if err != nil {
		return nil, err
	}
	return p.Build(ctx)
}

// Build builds the target root (rootfs.Build) and writes the ramdisk from
// it (Write), or in host mode assembles it from the host.
//
// A target root built by a process that is not root is built, with the
// whole ramdisk, as root of a user namespace of the user (see
// rootfs.InUserNamespace).
func (p *Plan) Build(ctx context.Context) (*Result, error) {
	if !p.Spec.Host && rootfs.NeedsUserNamespace() {
		return p.buildInUserNamespace(ctx)
	}
	start := time.Now()
	var res *Result
	var err error
	if p.Spec.Host {
		res, err = p.buildHost(ctx)
	} else {
		var root *rootfs.Root
		root, err = rootfs.Build(ctx, p.Root)
		if err == nil {
			res, err = Write(ctx, root, p)
		}
		err = errors.Join(err, root.Close())
		if res == nil {
			res = &Result{}
		}
		res.Root = &root.Result
	}
	if res != nil {
		res.Duration = time.Since(start)
	}
	return res, err
}

func (s Spec) logf(format string, args ...any) { fmt.Fprintf(s.Log, format+"\n", args...) }
