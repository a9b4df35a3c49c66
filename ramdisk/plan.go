package ramdisk

import (
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/tripleo/diskimage-builder/sbom"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/outputs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// Plan is a ramdisk build checked and resolved before anything is made:
// Spec.Plan makes it, Plan.Build carries it out.
type Plan struct {
	Spec     Spec          // the spec, defaults filled in
	Flavours *flavours.Set // BaseFlavour and the flavours asked for, resolved
	// Root is the target root to build; nil in host mode.
	Root *rootfs.Plan
	host source // where a host mode build takes its files
}

// Plan fills in s's defaults, checks it and resolves its flavours (and in
// host mode its module root and kernel), reading files only. Anything
// wrong is an *rootfs.InputError.
func (s Spec) Plan() (*Plan, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, &rootfs.InputError{Err: err}
	}
	p := &Plan{Spec: s}
	if s.Host {
		if s.Owner != nil {
			// Root would read, for its caller, whatever the module root
			// and PATH lead to, and hand it over in the outputs.
			return nil, &rootfs.InputError{Err: fmt.Errorf("a --host build reads the host's files and needs no root: run it as %s, without sudo", s.Owner)}
		}
		if p.Flavours, p.host, err = s.hostInputs(); err != nil {
			return nil, &rootfs.InputError{Err: err}
		}
		p.Spec.TmpDir = s.hostTmpDir()
		return p, nil
	}
	root := rootfs.Spec{
		Name: s.Name, Flavours: s.Flavours, FlavoursPath: s.FlavoursPath,
		ElementsPath: s.ElementsPath, SkipBase: s.SkipBase, Components: s.Components, InstallType: s.InstallType,
		Offline: s.Offline, Apt: s.Apt, Args: s.Args,
		Arch: s.Arch, Release: s.Release, Mirror: s.Mirror, CacheDir: s.CacheDir,
		TmpDir: s.TmpDir, KeepBuildDir: s.KeepBuildDir, Trace: s.Trace, CacheRoot: !s.NoRootCache,
		SourceDateEpoch: s.SourceDateEpoch, Env: s.Env, Log: s.Log, Owner: s.Owner,
	}
	if p.Root, err = root.Plan(); err != nil {
		return nil, err
	}
	p.Flavours = p.Root.Flavours
	p.Spec.CacheDir, p.Spec.TmpDir = p.Root.Spec.CacheDir, p.Root.Spec.TmpDir
	return p, nil
}

// SetLog sends the build's progress and hook output to w.
func (p *Plan) SetLog(w io.Writer) {
	p.Spec.Log = w
	if p.Root != nil {
		p.Root.SetLog(w)
	}
}

// withDefaults fills in defaults and checks what can be checked without
// resolving anything.
func (s Spec) withDefaults() (Spec, error) {
	if s.Arch == "" {
		s.Arch = "amd64"
	}
	s.Arch = rootfs.NormalizeArch(s.Arch)
	if s.Env == nil {
		s.Env = os.Environ()
	}
	if s.Log == nil {
		s.Log = os.Stderr
	}
	if s.Name == "" {
		return s, fmt.Errorf("no output name given (-o NAME)")
	}
	c, err := initramfs.ParseCompression(string(s.Compression))
	if err != nil || c == initramfs.None {
		return s, fmt.Errorf("unknown compression %q (gzip or zstd)", s.Compression)
	}
	s.Compression = c
	if len(s.Flavours) == 0 {
		return s, fmt.Errorf("no flavour given")
	}
	if s.BaseElement == "" {
		s.BaseElement = BaseFlavour
	}
	if !slices.Contains(s.Flavours, s.BaseElement) {
		s.Flavours = append([]string{s.BaseElement}, s.Flavours...)
	}
	if s.Host && s.ModuleRoot == "" {
		s.ModuleRoot = "/"
	}
	if !s.Host && (s.ModuleRoot != "" || s.KernelVersion != "") {
		return s, fmt.Errorf("a module root and kernel version (-m, -k) are for --host builds only")
	}
	return s, outputs.Check(s.Owner, s.Name, s.Name+KernelExt, s.Name+InitramfsExt, s.Name+sbom.Ext)
}
