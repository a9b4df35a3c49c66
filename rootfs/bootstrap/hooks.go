package bootstrap

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	release  string   // where the release file the base was made from is copied
	env      []string // DIB_* settings of the scripts
}

// writeHooks writes the hook scripts of a bootstrap of release into
// tmp/hooks and returns them with their settings. The root's apt archive is tmp/archives, seeded with
// links to the package cache debs: a failed bootstrap that removes its
// tree removes links, never the cache's files.
func writeHooks(tmp, debs, release string) (*hookSet, error) {
	h := &hookSet{dir: filepath.Join(tmp, "hooks"), archives: filepath.Join(tmp, "archives"), release: filepath.Join(tmp, "release")}
	if err := debcache.Seed(h.archives, debs); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		return nil, fmt.Errorf("bootstrap hooks: %w", err)
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
		"DIB_RELEASE=" + release,
		"DIB_RELEASE_OUT=" + h.release,
	}
	return h, nil
}

// args are mmdebstrap's hook options, in the order they run.
func (h *hookSet) args() []string {
	p := func(name string) string { return filepath.Join(h.dir, name) }
	return []string{
		"--setup-hook=" + p("setup-debs"),
		"--setup-hook=" + p("setup-identity"),
		"--essential-hook=" + p("essential-defer"),
		"--customize-hook=" + p("customize-finish"),
		"--customize-hook=" + p("customize-debs"),
		"--customize-hook=" + p("customize-identity"),
		"--customize-hook=" + p("customize-release"),
	}
}
