package ramdisk

import (
	"github.com/tripleo/diskimage-builder/sbom"

	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/ramdisk/busybox"
	"github.com/tripleo/diskimage-builder/ramdisk/elfdeps"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
)

// Files a flavour may hold for ramdisks, one entry a line ('#' comments).
const (
	BinaryDepsFile    = "binary-deps"    // programs, by name (looked up in PATH) or absolute path
	KernelModulesFile = "kernel-modules" // module names, as for modprobe
	FirmwareFile      = "firmware"       // paths below /lib/firmware
	InitFile          = "init"           // POSIX sh fragment of /init
	UdevDir           = "udev"           // udev rules, copied to UdevRulesDir
	// The forms of the original diskimage-builder's elements: directories
	// of lists of programs, of /init fragments (appended in name order
	// across elements) and of udev rules (copied to DIBUdevRulesDir).
	BinaryDepsDir = "binary-deps.d"
	InitDir       = "init.d"
	UdevRulesDDir = "udev.d"
)

// UdevRulesDir is where the flavours' udev rules go in the ramdisk, and
// DIBUdevRulesDir where the elements' udev.d rules go, as the original
// puts them.
const (
	UdevRulesDir    = "/etc/udev/rules.d"
	DIBUdevRulesDir = "/lib/udev/rules.d"
)

// kmodTools replace busybox's applets when the root has kmod: Debian's
// kernels ship compressed modules, which busybox's modprobe cannot load.
var kmodTools = []string{"kmod", "modprobe", "insmod", "rmmod", "lsmod", "modinfo", "depmod"}

// mergedUsr are the top-level links of a merged-/usr root, copied as they
// are so that paths like /bin/sh and /lib/modules work in the ramdisk.
var mergedUsr = []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// source is where a ramdisk's files come from.
type source struct {
	root    string                       // programs and libraries ("/" for the host)
	lookup  func(string) (string, error) // program name -> path inside root
	where   string                       // how errors name the place programs are looked up
	modRoot string                       // holds lib/modules/kver, boot/vmlinuz-kver and lib/firmware
	kver    string
	epoch   time.Time    // the time of every entry; zero: the newest of the files
	release string       // the Debian release of root, for the bill of materials
	archive []sbom.Suite // the archive state of root's base, for the bill of materials
	inputs  string       // the digest of the root's inputs; "" for the host
}

// assembler fills one archive.
type assembler struct {
	src source
	set *flavours.Set
	a   *initramfs.Archive
}

// assemble makes the archive of a ramdisk. The flavours' init fragments
// and udev rules are read with readAs's rights (the caller's, for a build
// through sudo; nil: the process's own), so that a link in a flavour
// brings nothing into the ramdisk its caller could not read.
func assemble(ctx context.Context, src source, set *flavours.Set, allModules bool, readAs flavours.ReadAs) (*initramfs.Archive, error) {
	as := &assembler{src: src, set: set, a: initramfs.New()}
	asCaller := func(step func() error) func() error {
		if readAs == nil {
			return step
		}
		return func() error { return readAs(step) }
	}
	steps := []func() error{
		as.a.AddEssentials,
		as.skeleton,
		func() error { return as.busybox(ctx) },
		as.kmod,
		as.binaryDeps,
		func() error { return as.modules(allModules) },
		as.firmware,
		asCaller(as.udevRules),
		asCaller(as.init),
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return as.a, nil
}

// skeleton adds the merged-/usr links of the root and the few files and
// directories that programs expect.
func (as *assembler) skeleton() error {
	for _, p := range mergedUsr {
		target, err := os.Readlink(filepath.Join(as.src.root, p))
		if err != nil {
			continue // not a link in this root
		}
		if err := as.a.AddSymlink(p, target); err != nil {
			return err
		}
	}
	links := map[string]string{"/var/run": "../run", "/var/lock": "../run/lock", "/etc/mtab": "../proc/self/mounts"}
	for p, target := range links {
		if err := as.a.AddSymlink(p, target); err != nil {
			return err
		}
	}
	for _, d := range []string{"/root", "/var/log", "/etc/udev/rules.d", "/mnt"} {
		if err := as.a.AddDir(d, 0o755); err != nil {
			return err
		}
	}
	if err := as.a.AddDir("/var/tmp", 0o777|fs.ModeSticky); err != nil {
		return err
	}
	files := map[string]string{
		"/etc/passwd":   "root:x:0:0:root:/root:/bin/sh\n",
		"/etc/group":    "root:x:0:\ntty:x:5:\ndisk:x:6:\n",
		"/etc/hostname": "ramdisk\n",
		"/etc/hosts":    "127.0.0.1 localhost ramdisk\n",
	}
	for p, content := range files {
		if err := as.a.AddContent(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// busybox adds the root's busybox and a weak link for each applet.
func (as *assembler) busybox(ctx context.Context) error {
	bin, err := as.src.lookup("busybox")
	if err != nil {
		return fmt.Errorf("add busybox: not found in %s (the %s flavour installs it): %w", as.src.where, BaseFlavour, err)
	}
	if err := as.addProgram(bin); err != nil {
		return fmt.Errorf("add busybox: %w", err)
	}
	real, _, err := inroot.Resolve(as.src.root, bin)
	if err != nil {
		return fmt.Errorf("add busybox: %w", err)
	}
	applets, err := busybox.Applets(ctx, as.src.root, real)
	if err != nil {
		return err
	}
	return busybox.AddLinks(as.a, real, applets)
}

// kmod adds kmod's module tools when the root has them.
func (as *assembler) kmod() error {
	for _, name := range kmodTools {
		p, err := as.src.lookup(name)
		if err != nil {
			continue
		}
		if err := as.addProgram(p); err != nil {
			return fmt.Errorf("add %s: %w", name, err)
		}
	}
	return nil
}

// binaryDeps adds every flavour's binary-deps with their libraries.
func (as *assembler) binaryDeps() error {
	for _, f := range as.set.Flavours {
		names, err := readList(f, BinaryDepsFile)
		if err != nil {
			return err
		}
		more, err := dirLists(f, BinaryDepsDir)
		if err != nil {
			return err
		}
		names = append(names, more...)
		for _, name := range names {
			p, err := as.src.lookup(name)
			if err != nil {
				return fmt.Errorf("flavour %s: binary-dep %s: not found in %s: %w", f.Name, name, as.src.where, err)
			}
			if err := as.addProgram(p); err != nil {
				return fmt.Errorf("flavour %s: binary-dep %s: %w", f.Name, name, err)
			}
		}
	}
	return nil
}

// addProgram adds the program at p (inside the root) and everything it
// loads.
func (as *assembler) addProgram(p string) error {
	files, err := elfdeps.Closure(as.src.root, p)
	if err != nil {
		return err
	}
	return as.addFiles(as.src.root, files)
}

// addFiles adds files found inside root: links as links, the rest copied.
func (as *assembler) addFiles(root string, files []inroot.File) error {
	for _, f := range files {
		var err error
		if f.Link != "" {
			err = as.a.AddSymlink(f.Path, f.Link)
		} else {
			err = as.a.Add(f.Path, initramfs.Record{Kind: initramfs.File, Source: filepath.Join(root, f.Path)})
		}
		if err != nil {
			return err
		}
	}
	return nil
}
