package rootfs

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// chrootPath is PATH inside the image root.
const chrootPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ReachesHooks reports whether the caller's variable k reaches the hooks:
// DIB_* settings, proxies, and SUDO_USER (whose keys local-config copies).
func ReachesHooks(k string) bool {
	if strings.HasPrefix(k, "DIB_") || k == "SUDO_USER" {
		return true
	}
	switch strings.ToLower(k) {
	case "http_proxy", "https_proxy", "ftp_proxy", "no_proxy":
		return true
	}
	return false
}

// runSettings are variables that reach the hooks but say where and how a
// build runs, not what it makes: they are not among Plan.Inputs, so a
// build in another directory or cache, with a log file or tracing, makes
// the same tree. (DIB_SEED changes the identifiers of a disk, not the
// tree; the disk stage counts it.)
var runSettings = []string{
	"DIB_TMP", "DIB_IMAGE_CACHE", "DIB_KEEP_BUILD_DIR", "DIB_LOGFILE", "DIB_OVERWRITE",
	"DIB_CHECKSUM", "DIB_DEBUG_TRACE", "DIB_NO_ROOT_CACHE", "DIB_SEED",
}

// hookEnv is the environment of the hooks of one phase. targetRoot and
// hooksPath are as the hooks see them.
func (r *Root) hookEnv(inChroot bool, targetRoot, hooksPath string, extra ...string) []string {
	s := r.Plan.Spec
	vars := map[string]string{}
	for _, kv := range s.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && ReachesHooks(k) {
			vars[k] = v
		}
	}
	trace := "0"
	if s.Trace {
		trace = "1"
	}
	set := map[string]string{
		"TARGET_ROOT":     targetRoot,
		"TMP_HOOKS_PATH":  hooksPath,
		"IMAGE_NAME":      baseName(s.Name),
		"ARCH":            s.Arch,
		"DIB_RELEASE":     s.Release,
		"DISTRO_NAME":     "debian",
		"FLAVOURS":        strings.Join(r.Plan.Flavours.Names(), " "),
		"DIB_DEBUG_TRACE": trace,
		"LC_ALL":          "C",
		"LANG":            "C",
		"HOME":            "/root",
		"DEBIAN_FRONTEND": "noninteractive",
		"PATH":            chrootPath,
		epoch.Var:         epoch.Format(r.Epoch),
	}
	if !inChroot {
		set["PATH"] = chrootPath
		if p := os.Getenv("PATH"); p != "" {
			set["PATH"] = run.WithSbin(p) // a user's PATH lacks the sbin directories root's has
		}
		// Outside the image hooks see the caller's home, as the original's
		// extra-data.d did (local-config copies ~/.ssh from it).
		for _, kv := range s.Env {
			if h, ok := strings.CutPrefix(kv, "HOME="); ok && h != "" {
				set["HOME"] = h
			}
		}
	}
	if !inChroot && r.Dir != "" {
		// The sudo of hooks (see sudoShim) comes first.
		set["PATH"] = filepath.Join(r.Dir, "bin") + ":" + set["PATH"]
	}
	for k, v := range r.dibVars() {
		set[k] = v
	}
	for k, v := range set {
		vars[k] = v
	}
	for _, kv := range extra {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// baseName is the last element of the slash-separated path p.
func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
