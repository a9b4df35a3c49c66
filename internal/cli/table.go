package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// Why some of the original's variables are refused (see buildOptions).
const (
	consoleReason = "the vm flavour's kernel command line has console=tty0 console=ttyS0,115200; add others with DIB_BOOTLOADER_DEFAULT_CMDLINE"
	usageReason   = "the bill of materials (NAME.cdx.json) lists what the image holds; unset it"
	grubReason    = "the vm flavour's GRUB boots at once; unset it"
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
		{env: "DIB_DEBIAN_COMPONENTS", def: "main", help: "Debian archive components of the base, comma separated"},
		{flag: "overwrite", env: "DIB_OVERWRITE", def: "false", isSet: true, help: "replace existing outputs instead of moving them aside"},
		{env: "OVERWRITE_OLD_IMAGE", def: "false", isSet: true, help: "the original's name of DIB_OVERWRITE"},
		{flag: "flavours-path", env: "FLAVOURS_PATH", help: "colon-separated directories searched for flavours first"},
		{flag: "elements-path", env: "ELEMENTS_PATH", help: "colon-separated directories of diskimage-builder elements, searched after FLAVOURS_PATH"},
		{flag: "skip-base", short: "n", env: "DIB_SKIP_BASE", def: "false", isSet: true, help: "with diskimage-builder elements: do not add the base element"},
		{flag: "install-type", env: "DIB_DEFAULT_INSTALLTYPE", def: "source", help: "default install type of elements (install-types, package-installs)"},
		{env: "DIB_DEBIAN_DISTRIBUTION_MIRROR", help: "the original's other name of the Debian mirror; when set it wins over DIB_DISTRIBUTION_MIRROR, as there"},
		{env: "DIB_DEBIAN_SECURITY_MIRROR", help: "the Debian security archive (default: debian-security beside the mirror's debian)"},
		{env: "DIB_DEBIAN_SECURITY_SUBPATH", help: "appended to the security suite's name, RELEASE-security"},
		{env: "DIB_APT_SOURCES_CONF", help: "apt sources replacing the default ones, one NAME:deb URI SUITE COMPONENT... a line; each goes to sources.list.d/NAME.list"},
		{env: "DIB_APT_KEYRING", help: "OpenPGP keyring file signing extra or private sources; apt trusts it in the build and the image"},
		{flag: "offline", env: "DIB_OFFLINE", def: "false", isSet: true, help: "build from the cached base without asking the archive for updates, and tell hooks not to refresh cached downloads (DIB_OFFLINE=1)"},
		{flag: "tmp-dir", env: "DIB_TMP", help: "where the build directory is made (default: RAM when there is room, else $TMPDIR or /tmp)"},
		{env: "TMP_DIR", help: "the original's name of DIB_TMP, read when neither it nor --tmp-dir is given"},
		{flag: "no-tmpfs", env: "DIB_NO_TMPFS", def: "false", isSet: true, help: "do not build in RAM (tmpfs): $TMPDIR or /tmp"},
		{flag: "min-tmpfs", env: "DIB_MIN_TMPFS", help: "build in RAM only when the tmpfs and memory have this many GB free"},
		{flag: "keep-build-dir", env: "DIB_KEEP_BUILD_DIR", def: "false", isSet: true, help: "keep the build directory for debugging"},
		{flag: "logfile", env: "DIB_LOGFILE", help: "also write the build log to this file"},
		{env: "DIB_NO_TIMESTAMP", def: "false", isSet: true, help: "log lines without their time (DIB_NO_TIMESTAMP=1)"},
		{flag: "clear-env", short: "c", def: "false", isSet: true, help: "ignore the environment: settings from flags only, and hooks see none of the caller's variables"},
		{flag: "version", def: "false", isSet: true, help: "show the version and exit"},
		{env: epoch.Var, help: "seconds since 1970: the time the outputs stand for (default: the date of the base's release file)"},
		{flag: "help", short: "h", def: "false", isSet: true, help: "show this help and exit"},
		{flag: "docker-target", refuse: "there is no docker output; use -t tar and docker import"},
		{flag: "image-extra-size", env: "DIB_IMAGE_EXTRA_SIZE", refuse: "size the disk with --image-size"},
		{flag: "mkfs-journal-size", env: "DIB_JOURNAL_SIZE", refuse: "give mkfs.ext4 options with --mkfs-options (-J size=MB)"},
		{env: "FS_TYPE", refuse: "the root filesystem is ext4, made from the tree by mkfs.ext4 -d without mounting; unset it"},
		{env: "DIB_SHOW_IMAGE_USAGE", refuse: usageReason},
		{env: "DIB_SHOW_IMAGE_USAGE_FULL", refuse: usageReason},
		{env: "DIB_BLOCK_DEVICE_CONFIG", refuse: "the vm flavour's GPT layout (BIOS boot, ESP, root) is the one built; unset it"},
		{env: "DIB_BLOCK_SIZE", refuse: "the root filesystem's block size is the builder's (4 KiB); unset it"},
		{env: "DIB_DEBOOTSTRAP_EXTRA_ARGS", refuse: "the base is made by mmdebstrap; add packages with bootstrap-packages or -p"},
		{env: "DIB_GRUB_TIMEOUT", refuse: grubReason},
		{env: "DIB_GRUB_TIMEOUT_STYLE", refuse: grubReason},
		{env: "DIB_BOOTLOADER_SERIAL_CONSOLE", refuse: consoleReason},
		{env: "DIB_BOOTLOADER_VIRTUAL_TERMINAL", refuse: consoleReason},
		{env: "DIB_BOOTLOADER_USE_SERIAL_CONSOLE", refuse: consoleReason},
		{env: "DIB_NO_TIMER_CHECK", refuse: "add no_timer_check with DIB_BOOTLOADER_DEFAULT_CMDLINE"},
		{env: "DIB_QUIET", refuse: "the log goes to stderr; redirect it, or name a --logfile"},
	}
	return slices.Concat(head, extra, tail)
}

// diskOnly are the options of the original's disk-image-create that
// ramdisk-image-create refuses, and the reason.
var diskOnly = []option{
	{flag: "type", short: "t", refuse: "a ramdisk's outputs are NAME.kernel and NAME.initramfs"},
	{flag: "uncompressed", short: "u", isSet: true, refuse: "a ramdisk has no qcow2 output; see --compress"},
	{flag: "packages", short: "p", refuse: "a ramdisk holds the programs its flavours' and elements' binary-deps name; install packages from one of them"},
	{flag: "checksum", isSet: true, refuse: "checksums are written for disk images"},
	{flag: "image-size", refuse: "it is for disk images"},
	{flag: "root-label", refuse: "it is for disk images"},
	{flag: "mkfs-options", refuse: "it is for disk images"},
	{flag: "max-online-resize", refuse: "it is for disk images"},
	{flag: "qemu-img-options", refuse: "it is for disk images"},
}

// createOptions are disk-image-create's options.
var createOptions = buildOptions("outputs are NAME.TYPE",
	option{flag: "type", short: "t", env: "IMAGE_TYPE", def: "qcow2", help: "output types, comma separated: " + strings.Join(images.Types, ", ")},
	option{flag: "uncompressed", short: "u", env: "DIB_UNCOMPRESSED", def: "false", isSet: true, help: "do not compress qcow2 output"},
	option{flag: "qcow2-compression", env: "DIB_QCOW2_COMPRESSION", def: "zlib", help: "compression of qcow2 output: zlib (every QEMU reads it), or zstd (faster; QEMU 5.1 and newer)"},
	option{flag: "packages", short: "p", env: "DIB_INSTALL_PACKAGES", many: true, help: "extra packages to install after install.d, comma separated; -p may be given again"},
	option{flag: "image-size", env: "IMAGE_SIZE", help: "disk size in GB (decimals allowed); default: from the content"},
	option{env: "DIB_IMAGE_SIZE", help: "the original's name of IMAGE_SIZE, read when neither --image-size nor IMAGE_SIZE is given"},
	option{flag: "checksum", env: "DIB_CHECKSUM", def: "false", isSet: true, help: "write NAME.TYPE.sha256 and .md5 beside each output (DIB_CHECKSUM also takes the original's md5, sha256 and md5,sha256)"},
	option{flag: "seed", env: "DIB_SEED", help: "give the image other identifiers (UUIDs, GUIDs, serials) than its inputs alone give"},
	option{env: "DIB_BOOTLOADER_DEFAULT_CMDLINE", help: "kernel arguments added to the boot entry, space separated"},
	option{flag: "secure-boot", env: "DIB_SECURE_BOOT", def: "1", help: "vm flavour: 1 boots UEFI through Debian's signed shim, GRUB and kernel (os_secure_boot=optional: hosts with and without Secure Boot take it); required also asks Nova for Secure Boot hosts only; 0 boots through an unsigned GRUB"},
	option{env: "break", help: "stop for a shell at before-PHASE, after-PHASE or after-error (comma separated)"},
	option{env: "break_cmd", help: "command run at a break point instead of a shell"},
	option{flag: "root-label", env: "ROOT_LABEL", def: "cloudimg-rootfs", help: "label of the root filesystem"},
	option{flag: "mkfs-options", env: "DIB_MKFS_OPTIONS", help: "extra options of mkfs.ext4 for the root filesystem, as one string"},
	option{flag: "max-online-resize", env: "MAX_ONLINE_RESIZE", help: "filesystem blocks the root can be grown to online (mkfs.ext4 -E resize=)"},
	option{flag: "qemu-img-options", env: "QEMU_IMG_OPTIONS", help: "qemu-img convert -o options of disk outputs, KEY=VALUE comma separated"},
	option{flag: "ramdisk-element", refuse: "it is for ramdisk-image-create"},
)

// ramdiskOptions are ramdisk-image-create's options.
var ramdiskOptions = append(buildOptions("outputs are NAME.kernel and NAME.initramfs",
	option{flag: "host", env: "DIB_RAMDISK_HOST", def: "false", isSet: true, help: "take programs from the host's PATH and the kernel from MODULE_ROOT; no target root"},
	option{flag: "module-root", short: "m", env: "MODULE_ROOT", def: "/", help: "with --host: directory holding lib/modules/VERSION and boot/vmlinuz-VERSION"},
	option{flag: "kernel-version", short: "k", env: "KERNEL_VERSION", help: "with --host: kernel version in MODULE_ROOT (default: the only one, else the running one)"},
	option{flag: "all-modules", env: "DIB_ALL_MODULES", def: "false", isSet: true, help: "include every kernel module, not just storage, network and virtio ones"},
	option{flag: "compress", env: "DIB_RAMDISK_COMPRESS", def: "gzip", help: "initramfs compression: gzip or zstd"},
	option{env: "DIB_NO_ROOT_CACHE", def: "false", isSet: true, help: "1 runs every hook even when the same root is cached"},
	option{flag: "ramdisk-element", env: "RAMDISK_ELEMENT", def: "ramdisk-base", help: "the flavour or element the ramdisk is built on, added first"},
), diskOnly...)

// mirror is the Debian mirror the settings name: the original's
// DIB_DEBIAN_DISTRIBUTION_MIRROR wins over DIB_DISTRIBUTION_MIRROR (and
// --mirror), as in its debian-minimal.
func mirror(v values) string {
	if m := v.str("DIB_DEBIAN_DISTRIBUTION_MIRROR"); m != "" {
		return m
	}
	return v.str("mirror")
}

// apt is the settings' apt sources configuration.
func apt(v values) rootfs.Apt {
	return rootfs.Apt{SecurityMirror: v.str("DIB_DEBIAN_SECURITY_MIRROR"), SecuritySubpath: v.str("DIB_DEBIAN_SECURITY_SUBPATH"),
		SourcesConf: v.str("DIB_APT_SOURCES_CONF"), Keyring: v.str("DIB_APT_KEYRING")}
}

// checksumEnv reads the original's DIB_CHECKSUM values that name kinds
// (md5, sha256, md5,sha256): env with DIB_CHECKSUM=1 in their place, and
// the kinds; any other value is left to the switch's parser.
func checksumEnv(env []string) ([]string, []string) {
	out := make([]string, 0, len(env))
	var kinds []string
	for _, kv := range env {
		v, ok := strings.CutPrefix(kv, "DIB_CHECKSUM=")
		if ok {
			ks, named := checksumKinds(v)
			if named {
				kinds = ks
				kv = "DIB_CHECKSUM=1"
			}
		}
		out = append(out, kv)
	}
	return out, kinds
}

// checksumKinds reads "md5", "sha256" or both, comma separated.
func checksumKinds(v string) ([]string, bool) {
	var ks []string
	for _, k := range strings.Split(strings.ToLower(v), ",") {
		k = strings.TrimSpace(k)
		if k != "md5" && k != "sha256" {
			return nil, false
		}
		if !slices.Contains(ks, k) {
			ks = append(ks, k)
		}
	}
	slices.SortFunc(ks, func(a, b string) int { return strings.Compare(b, a) }) // sha256 first, as every output's
	return ks, true
}

// secureBoot reads DIB_SECURE_BOOT (--secure-boot): 1 (yes, true, on,
// optional) boots through the signed chain and tells Nova that Secure Boot
// is optional, required also requires it, 0 (no, false, off, disabled)
// boots through an unsigned GRUB.
func secureBoot(s string) (unsigned, required bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "yes", "true", "on", "y", "optional":
		return false, false, nil
	case "required":
		return false, true, nil
	case "0", "no", "false", "off", "n", "disabled":
		return true, false, nil
	}
	return false, false, fmt.Errorf("DIB_SECURE_BOOT=%q: give 1 (the signed chain; Secure Boot optional for Nova), required, or 0 (an unsigned GRUB)", s)
}

// kept reports whether a build re-run through sudo keeps the variable k:
// the variables of its options, and those the hooks see (DIB_* and the
// proxies, see rootfs.ReachesHooks). The sudoers rule keeps the same.
func kept(opts []option, k string) bool {
	return rootfs.ReachesHooks(k) || slices.ContainsFunc(opts, func(o option) bool { return o.env == k })
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH; unset is the zero Time (the
// base's epoch).
func sourceDateEpoch(v values) (time.Time, error) {
	if s := v.str(epoch.Var); s != "" {
		return epoch.Parse(s)
	}
	return time.Time{}, nil
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
