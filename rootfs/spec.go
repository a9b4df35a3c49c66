// Package rootfs builds the root tree of an image from flavours: the base
// root from the cache (made by mmdebstrap on a miss), then the hook phases
// (extra-data, pre-install, install, the -p packages, post-install,
// first-boot, finalise, cleanup) and the blank slate. It is the one place
// where a tree is made and hooks run, and it knows nothing of disks, qcow2
// or cpio: output stages (package images writes disks, package ramdisk
// writes ramdisks) read the Root it returns.
//
// Spec.Plan fills in defaults, checks the spec and resolves the flavours
// before anything is made; Build makes the tree in a build directory of
// its own (known to a janitor that removes it even after SIGKILL);
// Root.Close removes that directory.
package rootfs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/asuser"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// Spec says what root tree to build. Flavours is required; every other
// field has a default.
type Spec struct {
	Name         string   // the image's name; hooks see its base name as IMAGE_NAME
	Flavours     []string // flavours to build from, with their dependencies
	FlavoursPath []string // searched before the built-in flavours
	Packages     []string // extra packages installed after install.d

	// ElementsPath lists directories of elements of the original
	// diskimage-builder (ELEMENTS_PATH), searched after FlavoursPath.
	ElementsPath []string
	// SkipBase leaves out the base element that a build with elements
	// gets otherwise, as the original's -n does.
	SkipBase bool
	// Components are the Debian archive components of the base
	// (DIB_DEBIAN_COMPONENTS); default main.
	Components []string
	// InstallType is the elements' default install type
	// (DIB_DEFAULT_INSTALLTYPE, --install-type); default "source".
	InstallType string
	// Offline builds from the cached base without asking the archive
	// whether it moved, and tells hooks not to refresh cached downloads
	// (DIB_OFFLINE).
	Offline bool
	// Apt says where packages come from beyond Mirror and Components.
	Apt Apt
	// Args is the command line, which hooks see as DIB_ARGS.
	Args []string

	Arch     string // Debian architecture; default amd64 (x86_64 is read as amd64)
	Release  string // Debian release; default bootstrap.DefaultRelease
	Mirror   string // Debian mirror; default the host apt's
	CacheDir string // base, package and root cache; default DefaultCacheDir()

	// SourceDateEpoch is the time the build stands for: every file time in
	// the tree is clamped to it and the hooks get it as SOURCE_DATE_EPOCH.
	// The zero Time means the base's own, the Date of the mirror's release
	// file it was made from, so that the same inputs give the same tree
	// whatever the clock says.
	SourceDateEpoch time.Time

	TmpDir       string // where the build directory goes; default DefaultTmpDir()
	KeepBuildDir bool   // keep the build directory for debugging
	Trace        bool   // run shell hooks with -x, DIB_DEBUG_TRACE=1
	// Break lists the points where the build stops for debugging, as the
	// original's break= variable: before-PHASE, after-PHASE, after-error.
	Break []string
	// BreakCmd is run (by /bin/sh -c) at a break point instead of an
	// interactive shell.
	BreakCmd string

	// CacheRoot keeps the built root in the cache (CacheDir/roots), keyed
	// by its inputs (Plan.Inputs), and makes a later build with the same
	// inputs unpack it instead of running the hook phases. Leave it off
	// for hooks whose result depends on something else (the network, the
	// time).
	CacheRoot bool
	// CheckBase, when set, is called with the unpacked base tree before any
	// hook runs; its error stops the build (an *InputError stays one).
	// Output stages use it to refuse early what the base alone rules out,
	// such as a disk too small to hold it.
	CheckBase func(tree string) error

	// Env is the caller's environment: its DIB_* and proxy variables reach
	// the hooks. Nil means os.Environ().
	Env []string
	Log io.Writer // progress and hook output; default os.Stderr

	// Owner, when set, is the user root builds for: a build re-run through
	// sudo (disk-image-create sets it from SUDO_UID). The paths that user
	// names are used with that user's rights and the outputs belong to
	// the user (see Owner); TmpDir and CacheDir must be directories the
	// user cannot change (see asuser.User.WorkDir).
	Owner *Owner
}

// Owner is the user a root build works for (see Spec.Owner).
type Owner = asuser.User

// OwnerFromSudo returns the user a root process runs for through sudo,
// from env (SUDO_UID, SUDO_GID), or nil (see asuser.FromSudo).
func OwnerFromSudo(env []string) (*Owner, error) { return asuser.FromSudo(env, os.Geteuid()) }

// withDefaults returns s with every empty field set to its default.
func (s Spec) withDefaults() Spec {
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
	if s.TmpDir == "" {
		s.TmpDir = DefaultTmpDir()
	}
	// Absolute, so that tar, qemu-img and mmdebstrap never read a name
	// like "u@host:cache" as a remote path.
	s.CacheDir, s.TmpDir = absolute(s.CacheDir), absolute(s.TmpDir)
	if s.Env == nil {
		s.Env = os.Environ()
	}
	if s.Log == nil {
		s.Log = os.Stderr
	}
	if len(s.Components) == 0 {
		s.Components = []string{"main"}
	}
	if s.InstallType == "" {
		s.InstallType = "source"
	}
	return s
}

// absolute is p made absolute; p itself when the working directory is
// gone.
func absolute(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// validate checks a spec (after defaults) without touching anything.
func (s Spec) validate() error {
	if len(s.Flavours) == 0 {
		return fmt.Errorf("no flavour given")
	}
	if !slices.Contains(SupportedArchs, s.Arch) {
		return fmt.Errorf("unsupported architecture %q (supported: %s)", s.Arch, strings.Join(SupportedArchs, ", "))
	}
	if err := bootstrap.CheckRelease(s.Release); err != nil {
		return err
	}
	if s.Apt.SourcesConf == "" { // sources of one's own may name any suite
		if err := bootstrap.CheckKnownRelease(s.Release); err != nil {
			return err
		}
	}
	if err := bootstrap.CheckMirror(s.Mirror); err != nil {
		return err
	}
	if err := s.validateApt(); err != nil {
		return err
	}
	if err := checkBreaks(s.Break); err != nil {
		return err
	}
	for _, c := range s.Components {
		if !componentRE.MatchString(c) {
			return fmt.Errorf("bad Debian component %q in DIB_DEBIAN_COMPONENTS", c)
		}
	}
	if !componentRE.MatchString(s.InstallType) {
		return fmt.Errorf("bad install type %q", s.InstallType)
	}
	for _, p := range s.Packages {
		if strings.TrimSpace(p) == "" || strings.ContainsAny(p, " \t/;") {
			return fmt.Errorf("bad package name %q", p)
		}
	}
	return nil
}

// componentRE is what an archive component or install type looks like.
var componentRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

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

// checkOwnerDirs checks, for a build root makes for its Owner, that the
// owner may write into the tmp dir and cannot change what root makes
// there, nor in the cache when the owner named it (the default is root's
// own), and uses their real paths.
func (s *Spec) checkOwnerDirs(cacheNamed bool) error {
	if s.Owner == nil {
		return nil
	}
	tmp, err := s.Owner.WorkDir(s.TmpDir, true)
	if err != nil {
		return fmt.Errorf("tmp dir %w; a build through sudo works where only root can change what it makes (such as /tmp)", err)
	}
	s.TmpDir = tmp
	if !cacheNamed {
		return nil
	}
	cache, err := s.Owner.WorkDir(s.CacheDir, false)
	if err != nil {
		return fmt.Errorf("image cache %w; a build through sudo keeps its cache where only root can write (the default is root's)", err)
	}
	s.CacheDir = cache
	return nil
}
