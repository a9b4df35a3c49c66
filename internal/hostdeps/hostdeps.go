// Package hostdeps knows which Debian packages the host needs to build and
// test images, and installs the missing ones with apt-get.
package hostdeps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/bitfield/script"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Packages are the host packages the builds and the tests use, with why.
var Packages = map[string]string{
	"mmdebstrap":             "makes the base root",
	"debootstrap":            "fallback for the base root",
	"e2fsprogs":              "mkfs.ext4 -d makes the root filesystem",
	"dosfstools":             "mkfs.vfat makes the EFI system partition",
	"mtools":                 "fills the EFI system partition without mounting it",
	"qemu-utils":             "qemu-img converts disk formats",
	"zstd":                   "compresses the cached base",
	"tar":                    "packs and unpacks root trees",
	"cpio":                   "lists ramdisks in tests",
	"busybox":                "--host ramdisks take it from the host, and their tests",
	"kmod":                   "depmod for the --host test's unpacked kernel package; modprobe for --host ramdisks",
	"qemu-system-x86":        "boot tests",
	"qemu-block-extra":       "boot tests read iSCSI exports",
	"ovmf":                   "UEFI boot tests",
	"debian-archive-keyring": "verifies the Debian mirror",
	"sudo":                   "the sudoers rule and its test",
	"genisoimage":            "makes the config drives (label config-2) and NoCloud seeds (label cidata) of the cloud boot tests",
	"openssh-client":         "the cloud boot tests log in to instances over ssh (ssh, ssh-keygen)",
	"socat":                  "a restricted QEMU user network reaches a test's server only through a guestfwd running socat",
	"dnsmasq-base":           "the DHCP server of the metadata service test's network namespace (dnsmasq-base: no host service is installed or started)",
	"iproute2":               "the metadata service test makes its network namespace, bridge and tap (ip)",
	"gcc":                    "ramdisk tests build small ELF objects",
	"xz-utils":               "ramdisk tests make compressed modules",
	"python3":                "DIB_PYTHON_EXEC of hooks outside the image; tests of the elements' pkg-map and package-installs",
	"procps":                 "tests look for processes a build left (pgrep)",
	"util-linux":             "tests use unshare, mount, findmnt and blkid",
	"libc-bin":               "ldd, the oracle of the ELF closure tests",
	"uidmap":                 "newuidmap and newgidmap map a user's subordinate IDs in the namespace of an unprivileged build",
	"git":                    "the test of the original's elements: git archive of its repository; its source-repositories clones",
	"curl":                   "the original's cache-url (source-repositories) fetches with curl",
	"python3-yaml":           "Python hooks of the original's elements outside the image (svc-map) import yaml",
	"diffoscope-minimal":     "verify:reproducible shows what differs inside two builds' outputs",
	"gpgv":                   "verifies the archive suites' InRelease files a build compares its cached base with",
	"gnupg":                  "the tests' signed local apt repositories (a throw-away key signs their InRelease)",
	"apt-utils":              "apt-ftparchive writes the indices of the tests' local apt repositories",
}

// Names returns the package names, sorted.
func Names() []string {
	names := make([]string, 0, len(Packages))
	for n := range Packages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Missing returns the packages dpkg does not have installed.
func Missing(ctx context.Context) ([]string, error) {
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		return nil, fmt.Errorf("dpkg-query not found: the host must be Debian or a derivative")
	}
	names := Names()
	argv := append([]string{"dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", "--"}, names...)
	out, err := run.Run(ctx, run.Cmd{Argv: argv})
	// dpkg-query exits 1 when it knows nothing of some package: that one
	// is missing. Anything else is an error.
	var rerr *run.Error
	if err != nil && !(errors.As(err, &rerr) && rerr.ExitCode() == 1) {
		return nil, fmt.Errorf("deps: list installed packages: %w", err)
	}
	return notInstalled(names, out)
}

// installedRE matches a dpkg-query line of an installed package.
var installedRE = regexp.MustCompile(`^\S+ installed$`)

// notInstalled returns the names that dpkg-query's "PACKAGE STATUS" lines
// do not show as installed.
func notInstalled(names []string, out string) ([]string, error) {
	installed, err := script.Echo(out).MatchRegexp(installedRE).Column(1).Slice()
	if err != nil {
		return nil, fmt.Errorf("deps: read dpkg-query output: %w", err)
	}
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return slices.Contains(installed, n) }), nil
}

// Ensure installs every missing package, saying what it installs on log.
func Ensure(ctx context.Context, log io.Writer) error {
	missing, err := Missing(ctx)
	if err != nil || len(missing) == 0 {
		return err
	}
	fmt.Fprintf(log, "deps: installing %s\n", strings.Join(missing, " "))
	env := []string{"DEBIAN_FRONTEND=noninteractive", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	if _, err := run.Run(ctx, run.Cmd{Argv: []string{"apt-get", "update", "-q"}, Env: env}); err != nil {
		return fmt.Errorf("deps: %w", err)
	}
	argv := append([]string{"apt-get", "install", "-y", "-q", "--no-install-recommends"}, missing...)
	if _, err := run.Run(ctx, run.Cmd{Argv: argv, Env: env, Stream: log, Label: "apt-get"}); err != nil {
		return fmt.Errorf("deps: %w", err)
	}
	fmt.Fprintf(log, "deps: installed %s\n", strings.Join(missing, " "))
	return nil
}
