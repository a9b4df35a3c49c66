// Package images builds disk images from flavours: images.Build takes a
// Spec, makes (or reuses) the base root, runs every hook phase, and writes
// the requested output types. It is the Go API behind disk-image-create and
// the image recipes in magefile.go.
package images

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/images/bootstrap"
	"github.com/tripleo/diskimage-builder/images/disk"
	"github.com/tripleo/diskimage-builder/images/format"
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
	// QCOW2Compression is the compression of a compressed qcow2: "zstd"
	// (fast, QEMU 5.1 and newer), "zlib" (every consumer) or "none";
	// default $DIB_QCOW2_COMPRESSION in Env, else zstd.
	QCOW2Compression string
	// Checksum writes NAME.TYPE.sha256 and .md5 beside each output.
	Checksum bool
	// Overwrite replaces existing outputs; otherwise they are renamed aside
	// with a timestamp.
	Overwrite bool

	FlavoursPath []string // searched before the built-in flavours
	Trace        bool     // run shell hooks with -x, DIB_DEBUG_TRACE=1
	TmpDir       string   // where the build directory goes; default $TMPDIR
	KeepBuildDir bool     // keep the build directory for debugging
	// Break lists the points where the build stops for debugging, as the
	// original's break= variable: before-PHASE, after-PHASE, after-error.
	Break []string
	// BreakCmd is run (by /bin/sh -c) at a break point instead of an
	// interactive shell.
	BreakCmd string
	// NoRootCache makes BuildRoot run every hook even when a root built
	// from the same inputs is cached; $DIB_NO_ROOT_CACHE=1 in Env too.
	NoRootCache bool
	// Env is the caller's environment: DIB_* and proxy variables in it are
	// passed to hooks. Nil means os.Environ().
	Env []string
	Log io.Writer // progress and hook output; default os.Stderr
}

// withDefaults returns s with every empty field set to its default.
func (s Spec) withDefaults() Spec {
	if len(s.Types) == 0 {
		s.Types = []string{"qcow2"}
	}
	if s.Arch == "" {
		s.Arch = "amd64"
	}
	s.Arch = NormalizeArch(s.Arch)
	if s.Release == "" {
		s.Release = bootstrap.DefaultRelease
	}
	if s.Mirror == "" {
		s.Mirror = bootstrap.HostMirror()
	}
	if s.CacheDir == "" {
		s.CacheDir = DefaultCacheDir()
	}
	if s.Env == nil {
		s.Env = os.Environ()
	}
	if s.Log == nil {
		s.Log = os.Stderr
	}
	if v := envValue(s.Env, "DIB_NO_ROOT_CACHE"); v != "" && v != "0" {
		s.NoRootCache = true
	}
	if s.QCOW2Compression == "" {
		s.QCOW2Compression = envValue(s.Env, "DIB_QCOW2_COMPRESSION")
	}
	if s.TmpDir == "" {
		s.TmpDir = DefaultTmpDir()
	}
	return s
}

// DefaultTmpDir is where build directories go when Spec.TmpDir is empty:
// $TMPDIR when it is set; else a tmpfs with room for a build and the
// memory to hold it (see bootstrap.RAMDir), as a build writes its tree and
// raw disk and reads them back several times; else /tmp.
func DefaultTmpDir() string {
	if os.Getenv("TMPDIR") == "" {
		if d := bootstrap.RAMDir(false); d != "" {
			return d
		}
	}
	return os.TempDir()
}

// DefaultCacheDir is ~/.cache/image-create of the user running the build.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "image-create")
	}
	return "/var/cache/image-create"
}

// NormalizeArch maps the names the original accepted (x86_64, aarch64) to
// Debian architecture names.
func NormalizeArch(a string) string {
	switch a {
	case "x86_64", "amd64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	}
	return a
}

// SupportedArchs are the architectures an image can be built for here.
var SupportedArchs = []string{"amd64"}

// Validate checks a spec (after defaults) without touching anything.
func (s Spec) Validate() error {
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
	if _, err := format.ParseCompression(s.QCOW2Compression); err != nil {
		return err
	}
	if !slices.Contains(SupportedArchs, s.Arch) {
		return fmt.Errorf("unsupported architecture %q (supported: %s)", s.Arch, strings.Join(SupportedArchs, ", "))
	}
	if _, err := secureBoot(s.Env); err != nil {
		return err
	}
	if s.Release != "" {
		if err := bootstrap.CheckRelease(s.Release); err != nil {
			return err
		}
	}
	if s.Mirror != "" {
		if err := bootstrap.CheckMirror(s.Mirror); err != nil {
			return err
		}
	}
	if err := (disk.Spec{ExtraCmdline: extraCmdline(s.Env)}).Validate(); err != nil {
		return err
	}
	if err := checkBreaks(s.Break); err != nil {
		return err
	}
	if s.Size < 0 {
		return fmt.Errorf("image size %d is negative", s.Size)
	}
	for _, p := range s.Packages {
		if strings.TrimSpace(p) == "" || strings.ContainsAny(p, " \t/;") {
			return fmt.Errorf("bad package name %q", p)
		}
	}
	if err := checkOutputDir(s.Name); err != nil {
		return err
	}
	return checkFreeSpace(s.Size, s.TmpDir, filepath.Dir(s.Name))
}

// Output is the path of the output of type t.
func (s Spec) Output(t string) string { return s.Name + "." + t }
