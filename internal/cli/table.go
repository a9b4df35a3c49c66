package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// buildOptions are the options of both build commands, in -h's order,
// with the command's own (extra) after the first three.
func buildOptions(outputs string, extra ...option) []option {
	head := []option{
		{flag: "output", short: "o", env: "IMAGE_NAME", def: "image", help: "output name; " + outputs},
		{flag: "arch", short: "a", env: "ARCH", def: "amd64", help: "architecture"},
		{flag: "trace", short: "x", env: "DIB_DEBUG_TRACE", def: "false", isSet: true, help: "trace the hooks (sh -x) and the commands run"},
	}
	tail := []option{
		{flag: "image-cache", env: "DIB_IMAGE_CACHE", def: rootfs.DefaultCacheDir(), help: "cache of base roots and packages"},
		{flag: "release", env: "DIB_RELEASE", def: "trixie", help: "Debian release"},
		{flag: "mirror", env: "DIB_DISTRIBUTION_MIRROR", help: "Debian mirror (default: the host apt's)"},
		{flag: "overwrite", env: "DIB_OVERWRITE", def: "false", isSet: true, help: "replace existing outputs instead of moving them aside"},
		{flag: "flavours-path", env: "FLAVOURS_PATH", help: "colon-separated directories searched for flavours first"},
		{flag: "tmp-dir", env: "DIB_TMP", def: rootfs.DefaultTmpDir(), help: "where the build directory is made (default: RAM when there is room)"},
		{flag: "keep-build-dir", env: "DIB_KEEP_BUILD_DIR", def: "false", isSet: true, help: "keep the build directory for debugging"},
		{flag: "logfile", env: "DIB_LOGFILE", help: "also write the build log to this file"},
		{flag: "help", short: "h", def: "false", isSet: true, help: "show this help and exit"},
	}
	return slices.Concat(head, extra, tail)
}

// createOptions are disk-image-create's options.
var createOptions = buildOptions("outputs are NAME.TYPE",
	option{flag: "type", short: "t", env: "IMAGE_TYPE", def: "qcow2", help: "output types, comma separated: " + strings.Join(images.Types, ", ")},
	option{flag: "uncompressed", short: "u", env: "DIB_UNCOMPRESSED", def: "false", isSet: true, help: "do not compress qcow2 output"},
	option{flag: "qcow2-compression", env: "DIB_QCOW2_COMPRESSION", def: "zstd", help: "compression of qcow2 output: zstd, or zlib for old consumers"},
	option{flag: "packages", short: "p", env: "DIB_INSTALL_PACKAGES", help: "extra packages to install, comma separated"},
	option{flag: "image-size", env: "IMAGE_SIZE", help: "disk size in GB (decimals allowed); default: from the content"},
	option{flag: "checksum", env: "DIB_CHECKSUM", def: "false", isSet: true, help: "write NAME.TYPE.sha256 and .md5 beside each output"},
	option{env: "DIB_BOOTLOADER_DEFAULT_CMDLINE", help: "kernel arguments added to the boot entry, space separated"},
	option{env: "DIB_SECURE_BOOT", def: "true", isSet: true, help: "vm flavour: 1 boots UEFI through Debian's signed shim, GRUB and kernel (Secure Boot); 0 through an unsigned GRUB"},
	option{env: "break", help: "stop for a shell at before-PHASE, after-PHASE or after-error (comma separated)"},
	option{env: "break_cmd", help: "command run at a break point instead of a shell"},
)

// ramdiskOptions are ramdisk-image-create's options.
var ramdiskOptions = buildOptions("outputs are NAME.kernel and NAME.initramfs",
	option{flag: "host", env: "DIB_RAMDISK_HOST", def: "false", isSet: true, help: "take programs from the host's PATH and the kernel from MODULE_ROOT; no target root"},
	option{flag: "module-root", short: "m", env: "MODULE_ROOT", def: "/", help: "with --host: directory holding lib/modules/VERSION and boot/vmlinuz-VERSION"},
	option{flag: "kernel-version", short: "k", env: "KERNEL_VERSION", help: "with --host: kernel version in MODULE_ROOT (default: the only one, else the running one)"},
	option{flag: "all-modules", env: "DIB_ALL_MODULES", def: "false", isSet: true, help: "include every kernel module, not just storage, network and virtio ones"},
	option{flag: "compress", env: "DIB_RAMDISK_COMPRESS", def: "gzip", help: "initramfs compression: gzip or zstd"},
	option{env: "DIB_NO_ROOT_CACHE", def: "false", isSet: true, help: "1 runs every hook even when the same root is cached"},
)

// kept reports whether a build re-run through sudo keeps the variable k:
// the variables of its options, and those the hooks see (DIB_* and the
// proxies, see rootfs.ReachesHooks). The sudoers rule keeps the same.
func kept(opts []option, k string) bool {
	return rootfs.ReachesHooks(k) || slices.ContainsFunc(opts, func(o option) bool { return o.env == k })
}

// ParseSize parses a size in GB (decimals allowed, "1.5"), or with a unit
// suffix (K, M, G, T; binary), into bytes. It refuses zero and negatives.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := float64(1 << 30)
	units := map[byte]float64{'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}
	if n := len(t); n > 0 {
		if m, ok := units[byte(strings.ToUpper(t[n-1:])[0])]; ok {
			mult, t = m, t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v != v {
		return 0, fmt.Errorf("bad image size %q: give a number of GB, e.g. 2 or 1.5", s)
	}
	if v <= 0 {
		return 0, fmt.Errorf("bad image size %q: must be greater than zero", s)
	}
	if v*mult > 1<<50 {
		return 0, fmt.Errorf("bad image size %q: too large", s)
	}
	return int64(v * mult), nil
}
