package rootfs

import (
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/elements"
)

// hostPython is the Python hooks outside the image run as DIB_PYTHON_EXEC.
const hostPython = "/usr/bin/python3"

// dibVars are the variables the original diskimage-builder gives hooks,
// for a build with elements (none for flavours alone): where the tree and
// the build are, the image's init system and Python, the elements
// (IMAGE_ELEMENT...), the command line and the caller's DIB_* settings.
func (r *Root) dibVars() map[string]string {
	set := r.Plan.Flavours
	if !set.DIB() {
		return nil
	}
	s := r.Plan.Spec
	name, err := filepath.Abs(s.Name)
	if err != nil {
		name = s.Name
	}
	offline := ""
	if s.Offline {
		offline = "1"
	}
	vars := map[string]string{
		"TMP_MOUNT_PATH":          r.Tree,
		"TMP_BUILD_DIR":           r.Dir,
		"TMP_IMAGE_DIR":           r.Dir,
		"IMAGE_NAME":              name,
		"ELEMENTS_PATH":           strings.Join(s.ElementsPath, ":"),
		"DIB_IMAGE_CACHE":         s.CacheDir,
		"DIB_INIT_SYSTEM":         "systemd",
		"DIB_PYTHON_VERSION":      "3",
		"DIB_PYTHON":              "python3",
		"DIB_PYTHON_EXEC":         hostPython,
		"DIB_DEFAULT_INSTALLTYPE": s.InstallType,
		"DIB_DEBIAN_COMPONENTS":   strings.Join(s.Components, ","),
		"DIB_OFFLINE":             offline,
		"DIB_ENV":                 elements.DIBEnv(s.Env),
		"DIB_ARGS":                strings.Join(s.Args, " "),
		"_LIB":                    filepath.Join(r.Dir, "lib"),
	}
	for _, kv := range elements.Vars(set, r.elementDirs) {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return vars
}
