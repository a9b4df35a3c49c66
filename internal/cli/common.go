package cli

import (
	"github.com/tripleo/diskimage-builder/images"
)

// buildFlags are the options both build commands take.
type buildFlags struct {
	name, arch, cache, release, mirror, fpath, tmp, logfile *string
	trace, overwrite, keep, help                            *bool
}

// addBuildFlags defines the shared options on fs, in the order -h lists
// them, with the environment variables that set them; what is the output
// name for.
func addBuildFlags(fs *flagSet, what string, extra func()) *buildFlags {
	b := &buildFlags{}
	b.name = fs.StringP("output", "o", "image", "output name; "+what)
	b.arch = fs.StringP("arch", "a", "amd64", "architecture")
	b.trace = fs.BoolP("trace", "x", false, "trace the hooks (sh -x) and the commands run")
	extra()
	b.cache = fs.String("image-cache", images.DefaultCacheDir(), "cache of base roots and packages")
	b.release = fs.String("release", "trixie", "Debian release")
	b.mirror = fs.String("mirror", "", "Debian mirror (default: the host apt's)")
	b.overwrite = fs.Bool("overwrite", false, "replace existing outputs instead of moving them aside")
	b.fpath = fs.String("flavours-path", "", "colon-separated directories searched for flavours first")
	b.tmp = fs.String("tmp-dir", images.DefaultTmpDir(), "where the build directory is made (default: RAM when there is room)")
	b.keep = fs.Bool("keep-build-dir", false, "keep the build directory for debugging")
	b.logfile = fs.String("logfile", "", "also write the build log to this file")
	b.help = fs.BoolP("help", "h", false, "show this help and exit")
	for flag, env := range map[string]string{
		"output": "IMAGE_NAME", "arch": "ARCH", "trace": "DIB_DEBUG_TRACE", "image-cache": "DIB_IMAGE_CACHE",
		"release": "DIB_RELEASE", "mirror": "DIB_DISTRIBUTION_MIRROR", "overwrite": "DIB_OVERWRITE",
		"flavours-path": "FLAVOURS_PATH", "tmp-dir": "DIB_TMP", "keep-build-dir": "DIB_KEEP_BUILD_DIR",
		"logfile": "DIB_LOGFILE",
	} {
		fs.bindEnv(flag, env)
	}
	return b
}
