package run

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// SbinDirs are where Debian keeps the system tools a build runs on the host
// (mkfs.fat, mke2fs, sgdisk, blkid...). An ordinary user's PATH leaves them
// out (Debian's default is /usr/local/bin:/usr/bin:/bin), yet the tools work
// without root.
var SbinDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

// LookPath finds name as exec.LookPath does and, when the caller's PATH
// does not have it, in SbinDirs: an unprivileged build runs the same tools
// a root build does. A name with a slash is returned as exec.LookPath
// returns it.
func LookPath(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err == nil || strings.Contains(name, "/") {
		return p, err
	}
	for _, d := range SbinDirs {
		if q, qerr := exec.LookPath(filepath.Join(d, name)); qerr == nil {
			return q, nil
		}
	}
	return p, err
}

// WithSbin returns the search path path with the SbinDirs it lacks added
// at its end, for the environment of hooks that run on the host as the
// image's root: a root shell's PATH has them.
func WithSbin(path string) string {
	have := map[string]bool{}
	for _, d := range filepath.SplitList(path) {
		have[filepath.Clean(d)] = true
	}
	for _, d := range SbinDirs {
		if !have[d] {
			if path != "" {
				path += ":"
			}
			path += d
		}
	}
	return path
}
