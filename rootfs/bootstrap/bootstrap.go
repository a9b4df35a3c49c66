// Package bootstrap makes the base root of an image: a Debian tree with a
// kernel, systemd and the bootloader packages, made by mmdebstrap (or
// debootstrap where mmdebstrap is missing) and kept as a compressed tarball
// in a cache keyed by everything that changes it. Each entry records the
// archive state it was made from (see package archive): a build fetches
// the suites' InRelease files and takes the cached base while they list
// the same package indices, and upgrades it (only what changed is
// downloaded) when they do not; a cold bootstrap happens only when no base
// of these options is cached.
//
// Entries are written under a temporary name and renamed when complete, so
// an interrupted build never leaves an entry that is used; a lock file lets
// concurrent builds share the cache. Downloaded packages are kept in the
// cache too and reused by the next bootstrap.
package bootstrap

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/rootfs/archive"
)

// DefaultRelease is the Debian release built when none is given: the
// current stable release, named so that an image never jumps a release.
const DefaultRelease = "trixie"

// DefaultMirror is used when the host's apt sources name no Debian mirror.
const DefaultMirror = "http://deb.debian.org/debian"

// formatVersion changes whenever the way a base is made changes, so that
// old cache entries are not reused.
const formatVersion = "9"

// Options say which base to make.
type Options struct {
	Release  string   // Debian codename, e.g. "trixie"
	Arch     string   // Debian architecture, e.g. "amd64"
	Mirror   string   // Debian mirror URL
	Packages []string // extra packages in the base (beyond BasePackages)
	// Components are the archive components; empty means main.
	Components []string
	CacheDir   string // root of the cache, e.g. ~/.cache/image-create
	// Sources are the apt sources of the base and its image; empty means
	// the release, RELEASE-updates and RELEASE-security of Mirror (see
	// archive.Config).
	Sources []archive.Source
	// Keyring is an extra OpenPGP keyring (DIB_APT_KEYRING) that signs
	// sources besides the Debian archive's; it is installed in the image.
	Keyring []byte
	// Offline takes the cached base as it is, without asking the archive
	// whether it moved; a base that is not cached is an error.
	Offline bool
	// ReadAs, when set, reads file: sources with the rights of the user
	// the build works for (through sudo); it does not shape the base.
	ReadAs func(func() error) error
}

// AptSources are the base's apt sources (see Options.Sources).
func (o Options) AptSources() ([]archive.Source, error) {
	if len(o.Sources) > 0 {
		return o.Sources, nil
	}
	return archive.Config{Release: o.Release, Mirror: o.Mirror, Components: o.Components}.Sources()
}

// BasePackages are the packages every base root has for arch: a kernel,
// the init system, the tools of the ext4 root (fsck at boot) and both GRUB
// platforms the vm flavour writes.
func BasePackages(arch string) []string {
	pk := []string{"systemd-sysv", "udev", "initramfs-tools", "zstd", "grub2-common", "kmod", "e2fsprogs"}
	switch arch {
	case "arm64":
		pk = append(pk, "linux-image-arm64", "grub-efi-arm64-bin")
	default:
		pk = append(pk, "linux-image-amd64", "grub-pc-bin", "grub-efi-amd64-bin")
	}
	return pk
}

// packages returns the full sorted, de-duplicated package list.
func (o Options) packages() []string {
	set := map[string]bool{}
	for _, p := range append(BasePackages(o.Arch), o.Packages...) {
		if p = strings.TrimSpace(p); p != "" {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// components is the comma-separated component list, main by default.
func (o Options) components() string {
	if len(o.Components) == 0 {
		return "main"
	}
	return strings.Join(o.Components, ",")
}

// Key is the cache key of the base these options describe.
func (o Options) Key() string {
	h := sha256.New()
	fmt.Fprintf(h, "v%s\n%s\n%s\n%s\n%s\n", formatVersion, o.Release, o.Arch, o.Mirror, strings.Join(o.packages(), ","))
	if c := o.components(); c != "main" {
		fmt.Fprintf(h, "components %s\n", c) // main alone keeps the keys bases had before components
	}
	srcs, _ := o.AptSources() // a bad source is refused at plan time
	for _, l := range archive.Lines(srcs) {
		fmt.Fprintf(h, "source %s\n", l)
	}
	if len(o.Keyring) > 0 {
		fmt.Fprintf(h, "keyring %x\n", sha256.Sum256(o.Keyring))
	}
	return o.Release + "-" + o.Arch + "-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// scratchName starts the name of the RAM scratch directory of a bootstrap
// of this base into this cache: the base and the cache's path, so that one
// can tell whose it is.
func (o Options) scratchName() string {
	dir, err := filepath.Abs(o.CacheDir)
	if err != nil {
		dir = o.CacheDir
	}
	sum := sha256.Sum256([]byte(dir))
	return scratchPrefix + o.Key() + "-" + hex.EncodeToString(sum[:])[:8]
}

// scratchPrefix starts the names of scratch directories in RAM.
const scratchPrefix = "dib-bootstrap-"

// Path is where the current cached tarball of this base lives: the
// generation its pointer names (see place), or a name no entry has when
// there is none.
func (o Options) Path() string {
	if name, err := readPointer(o.pointer(), o.Key()); err == nil {
		return filepath.Join(o.baseDir(), name)
	}
	return filepath.Join(o.baseDir(), o.Key()+".tar.zst")
}

// baseDir is the cache directory of bases.
func (o Options) baseDir() string { return filepath.Join(o.CacheDir, "base") }

// pointer is the file naming the current generation of this base.
func (o Options) pointer() string { return filepath.Join(o.baseDir(), o.Key()+".current") }

// DebCache is the directory of downloaded .deb files for this release and
// architecture, shared by bootstraps and package installs in builds.
func (o Options) DebCache() string {
	return filepath.Join(o.CacheDir, "debs", o.Release+"-"+o.Arch)
}

// HostMirror returns the Debian mirror the host's apt uses, or DefaultMirror.
func HostMirror() string {
	files := []string{"/etc/apt/sources.list"}
	more, _ := filepath.Glob("/etc/apt/sources.list.d/*")
	files = append(files, more...)
	for _, f := range files {
		if m := mirrorIn(f); m != "" {
			return m
		}
	}
	return DefaultMirror
}

// mirrorIn finds a URI ending in /debian in an apt sources file, in the
// one-line or the deb822 format.
func mirrorIn(file string) string {
	fh, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		for _, f := range fields {
			f = strings.TrimSuffix(f, "/")
			if (strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://")) && strings.HasSuffix(f, "/debian") {
				return f
			}
		}
	}
	return ""
}
