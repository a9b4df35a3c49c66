package images

import (
	"fmt"
	"io"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/images/disk"
	"github.com/tripleo/diskimage-builder/images/format"
	"github.com/tripleo/diskimage-builder/internal/sys/outputs"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// Plan is a build of a Spec checked and resolved before anything is made:
// Spec.Plan makes it, Plan.Build carries it out.
type Plan struct {
	Spec Spec         // the spec, defaults filled in
	Root *rootfs.Plan // the root tree to build
	// Disk is the layout and boot entry of a vm flavour's disk.
	Disk        disk.Spec
	compression format.Compression // of qcow2 outputs
}

// Plan fills in s's defaults, checks everything it asks for (the output
// directory, types, sizes, the flavours and their hooks) and resolves its
// flavours, reading files only. Anything wrong is an *InputError.
func (s Spec) Plan() (*Plan, error) {
	if len(s.Types) == 0 {
		s.Types = []string{"qcow2"}
	}
	if s.RootLabel == "" {
		s.RootLabel = disk.DefaultLabel // as the command's default: the identifiers count it
	}
	p := &Plan{Disk: disk.Spec{Size: s.Size, ExtraCmdline: s.BootCmdline, Label: s.RootLabel, MkfsOptions: s.mkfsOptions(),
		SecureBoot: !s.UnsignedBoot}}
	if err := p.check(s); err != nil {
		return nil, &InputError{Err: err}
	}
	root := rootfs.Spec{
		Name: s.Name, Flavours: s.Flavours, FlavoursPath: s.FlavoursPath, Packages: s.Packages,
		ElementsPath: s.ElementsPath, SkipBase: s.SkipBase, Components: s.Components, InstallType: s.InstallType,
		Offline: s.Offline, Apt: s.Apt, Args: s.Args,
		Arch: s.Arch, Release: s.Release, Mirror: s.Mirror, CacheDir: s.CacheDir,
		TmpDir: s.TmpDir, KeepBuildDir: s.KeepBuildDir, Trace: s.Trace, Break: s.Break, BreakCmd: s.BreakCmd,
		SourceDateEpoch: s.SourceDateEpoch, Env: s.Env, Log: s.Log, Owner: s.Owner,
	}
	if s.Size > 0 && s.wantsDisk() {
		root.CheckBase = p.checkSize
	}
	var err error
	if p.Root, err = root.Plan(); err != nil {
		return nil, err
	}
	rs := p.Root.Spec
	s.Arch, s.Release, s.Mirror, s.CacheDir, s.TmpDir, s.Env, s.Log = rs.Arch, rs.Release, rs.Mirror, rs.CacheDir, rs.TmpDir, rs.Env, rs.Log
	if err := checkFreeSpace(s.Size, s.TmpDir, filepath.Dir(s.Name)); err != nil {
		return nil, &InputError{Err: err}
	}
	p.Spec = s
	return p, nil
}

// check validates what the disk stage is asked.
func (p *Plan) check(s Spec) error {
	if err := s.validate(); err != nil {
		return err
	}
	c, err := format.ParseCompression(s.QCOW2Compression)
	if err != nil {
		return err
	}
	if p.compression = c; s.Uncompressed {
		p.compression = format.None
	}
	if err := p.Disk.Validate(); err != nil {
		return err
	}
	return outputs.Check(s.Owner, s.Name, s.outputs()...)
}

// SetLog sends the build's progress and hook output to w.
func (p *Plan) SetLog(w io.Writer) {
	p.Spec.Log = w
	p.Root.SetLog(w)
}

// checkFreeSpace refuses a disk size larger than the free space of the
// directories the raw disk and its outputs are written to.
func checkFreeSpace(size int64, dirs ...string) error {
	if size <= 0 {
		return nil
	}
	for _, d := range dirs {
		var st unix.Statfs_t
		if err := unix.Statfs(d, &st); err != nil {
			continue // a missing TmpDir is made later; the output dir was checked
		}
		free := int64(st.Bavail) * int64(st.Bsize)
		if size > free {
			return fmt.Errorf("image size %.1f GB is larger than the free space (%.1f GB) in %s", gb(size), gb(free), d)
		}
	}
	return nil
}

func gb(n int64) float64 { return float64(n) / (1 << 30) }
