package bootstrap

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	dir    string   // the scripts, by name
	newDeb string   // receives the packages downloaded (on the cache's filesystem)
	env    []string // DIB_* settings of the scripts
}

// writeHooks writes the hook scripts into tmp/hooks and returns them with
// their settings; debs is the package cache.
func writeHooks(tmp, debs string) (*hookSet, error) {
	h := &hookSet{dir: filepath.Join(tmp, "hooks"), newDeb: filepath.Join(tmp, "debs")}
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
		"DIB_DEBS=" + debs,
		"DIB_DEBS_NEW=" + h.newDeb,
		"DIB_DEBS_WORK=" + filepath.Join(tmp, "debs-work"),
		"DIB_DEFERRED=" + strings.Join(deferred, " "),
	}
	return h, nil
}

// args are mmdebstrap's hook options, in the order they run.
func (h *hookSet) args() []string {
	p := func(name string) string { return filepath.Join(h.dir, name) }
	return []string{
		"--setup-hook=" + p("setup-debs"),
		"--essential-hook=" + p("essential-defer"),
		"--customize-hook=" + p("customize-finish"),
		"--customize-hook=" + p("customize-debs"),
	}
}
