package bootstrap

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/rootfs/debcache"
)

// hookFiles are the mmdebstrap hooks a bootstrap runs, each a script that
// takes the root as $1 and its settings from the DIB_* variables that
// writeHooks returns.
//
//go:embed hooks/*
var hookFiles embed.FS

// deferred are the commands that package scripts run again and again while
// a base installs, though only the last run counts: update-initramfs (some
// 20 s a run on two cores; a base ran it twice, from the kernel's postinst
// and from initramfs-tools' trigger) and update-ca-certificates (7 s, also
// run twice). They are no-ops while packages install, and run once after.
var deferred = []string{"/usr/sbin/update-initramfs", "/usr/sbin/update-ca-certificates"}

// hookSet is where a bootstrap's hook scripts were written, and what they
// are told.
type hookSet struct {
	dir      string   // the scripts, by name
	archives string   // the root's apt archive: the package cache, linked, and the downloads
	release  string   // the directory the InRelease files the base was made from are copied to
	sources  string   // the image's apt sources files, by their path in the tree
	env      []string // DIB_* settings of the scripts
	// keyrings are mmdebstrap's --keyring options: with an extra keyring,
	// the host's trusted keys and it, for the apt mmdebstrap runs.
	keyrings []string
}

// writeHooks writes the hook scripts of a bootstrap of o from srcs into
// tmp/hooks and returns them with their settings. The root's apt archive
// is tmp/archives, seeded with links to the package cache debs: a failed
// bootstrap that removes its tree removes links, never the cache's files.
// The image's apt sources and o's keyring are written below tmp for the
// hooks to install.
func writeHooks(tmp string, o Options, srcs []archive.Source) (*hookSet, error) {
	h := &hookSet{dir: filepath.Join(tmp, "hooks"), archives: filepath.Join(tmp, "archives"),
		release: filepath.Join(tmp, "release"), sources: filepath.Join(tmp, "sources")}
	if err := debcache.Seed(h.archives, o.DebCache()); err != nil {
		return nil, err
	}
	for _, d := range []string{h.dir, h.release, h.sources} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("bootstrap hooks: %w", err)
		}
	}
	signedBy := archive.DebianKeyring
	if len(o.Keyring) > 0 {
		signedBy = "" // the sources may be signed by it: apt's trusted.gpg.d holds both
	}
	for rel, content := range archive.ImageFiles(srcs, signedBy) {
		p := filepath.Join(h.sources, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("bootstrap hooks: %w", err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return nil, fmt.Errorf("bootstrap hooks: %w", err)
		}
	}
	keyring := ""
	if len(o.Keyring) > 0 {
		keyring = filepath.Join(tmp, keyringName(o.Keyring))
		if err := os.WriteFile(keyring, o.Keyring, 0o644); err != nil {
			return nil, fmt.Errorf("bootstrap hooks: %w", err)
		}
		rings, err := trustedWith(tmp, keyring)
		if err != nil {
			return nil, err
		}
		h.keyrings = rings
	}
	entries, err := hookFiles.ReadDir("hooks")
	if err != nil {
		return nil, fmt.Errorf("bootstrap hooks: %w", err)
	}
	for _, e := range entries {
		data, err := hookFiles.ReadFile("hooks/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("bootstrap hooks: %w", err)
		}
		if err := os.WriteFile(filepath.Join(h.dir, e.Name()), data, 0o755); err != nil {
			return nil, fmt.Errorf("bootstrap hooks: %w", err)
		}
	}
	h.env = []string{
		"DIB_ARCHIVES=" + h.archives,
		"DIB_DEFERRED=" + strings.Join(deferred, " "),
		"DIB_RELEASE_OUT=" + h.release,
		"DIB_SOURCES_DIR=" + h.sources,
		"DIB_KEYRING_FILE=" + keyring,
	}
	return h, nil
}

// hostTrusted is where the host's apt keeps the keys it trusts, and
// hostTrustedFile its single keyring of old.
const (
	hostTrusted     = "/etc/apt/trusted.gpg.d"
	hostTrustedFile = "/etc/apt/trusted.gpg"
)

// trustedWith makes tmp/trusted.gpg.d: links to the host's trusted keys
// (the Debian archive's among them) and the extra keyring, and returns the
// --keyring options that make mmdebstrap's apt trust them all while it
// makes the base (it reads the host's keys, not the root's, until the
// base's own apt takes over).
func trustedWith(tmp, keyring string) ([]string, error) {
	dir := filepath.Join(tmp, "trusted.gpg.d")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bootstrap keyring: %w", err)
	}
	host, _ := filepath.Glob(filepath.Join(hostTrusted, "*"))
	for _, k := range append(host, keyring) {
		if ext := filepath.Ext(k); ext != ".gpg" && ext != ".asc" {
			continue
		}
		if err := os.Symlink(k, filepath.Join(dir, filepath.Base(k))); err != nil {
			return nil, fmt.Errorf("bootstrap keyring: %w", err)
		}
	}
	opts := []string{"--keyring=" + dir}
	if _, err := os.Stat(hostTrustedFile); err == nil {
		opts = append(opts, "--keyring="+hostTrustedFile)
	}
	return opts, nil
}

// keyringName is the file name of the extra keyring in the image's
// /etc/apt/trusted.gpg.d: .asc when armoured, as apt wants it.
func keyringName(k []byte) string {
	if archive.Armored(k) {
		return "dib-apt-keyring.asc"
	}
	return "dib-apt-keyring.gpg"
}

// args are mmdebstrap's hook options, in the order they run.
func (h *hookSet) args() []string {
	p := func(name string) string { return filepath.Join(h.dir, name) }
	return append(slices.Clone(h.keyrings),
		"--setup-hook="+p("setup-debs"),
		"--setup-hook="+p("setup-identity"),
		"--setup-hook="+p("setup-keyring"),
		"--essential-hook="+p("essential-defer"),
		"--customize-hook="+p("customize-finish"),
		"--customize-hook="+p("customize-debs"),
		"--customize-hook="+p("customize-identity"),
		"--customize-hook="+p("customize-release"),
		"--customize-hook="+p("customize-sources"),
	)
}
