package nsrun

import (
	"fmt"
	"os"
	"strconv"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"golang.org/x/sys/unix"
)

// Mount points and bind targets are made and opened inside the root with
// inroot (openat2, RESOLVE_IN_ROOT), and mounted on through the descriptor:
// a link the tree holds at /proc or /tmp/in_target.d leads to a place in
// the tree, never to the host.

// systemMounts mounts proc, sysfs and the host's /dev in root. In a user
// namespace, which may not mount a sysfs of its own (that needs the network
// namespace's owner), the host's /sys is bound read-only instead.
func systemMounts(root string) error {
	const noDevSuidExec = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	if err := mountIn(root, "/proc", true, func(t string) error {
		return unix.Mount("proc", t, "proc", noDevSuidExec, "")
	}); err != nil {
		return err
	}
	bound := false
	if err := mountIn(root, "/sys", true, func(t string) error {
		err := unix.Mount("sysfs", t, "sysfs", noDevSuidExec|unix.MS_RDONLY, "")
		if err == unix.EPERM || err == unix.EACCES {
			bound, err = true, bindMount("/sys", t)
		}
		return err
	}); err != nil {
		return err
	}
	if bound {
		if err := mountIn(root, "/sys", true, readOnly); err != nil {
			return err
		}
	}
	return mountIn(root, "/dev", true, func(t string) error { return bindMount("/dev", t) })
}

func bind(root string, b Bind) error {
	fi, err := os.Stat(b.Source)
	if err != nil {
		return fmt.Errorf("bind source: %w", err)
	}
	if err := mountIn(root, b.Target, fi.IsDir(), func(t string) error { return bindMount(b.Source, t) }); err != nil {
		return err
	}
	if b.ReadOnly {
		// Opened again: the new descriptor names the mount, not the
		// directory below it.
		return mountIn(root, b.Target, fi.IsDir(), readOnly)
	}
	return nil
}

// mountIn makes the mount point p inside root (a directory, or an empty
// file) if it is missing, and runs mount with a path that names it.
func mountIn(root, p string, dir bool, mount func(target string) error) error {
	if dir {
		if _, err := inroot.MkdirAll(root, p, 0o755); err != nil {
			return fmt.Errorf("mount point: %w", err)
		}
	} else if ok, err := inroot.Exists(root, p); err != nil || !ok {
		f, err := inroot.Create(root, p, unix.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("mount point: %w", err)
		}
		f.Close()
	}
	target, err := inroot.OpenPath(root, p)
	if err != nil {
		return fmt.Errorf("mount point: %w", err)
	}
	defer target.Close()
	if err := mount("/proc/self/fd/" + strconv.Itoa(int(target.Fd()))); err != nil {
		return fmt.Errorf("mount on %s in %s: %w", p, root, err)
	}
	return nil
}

// bindMount binds src on target, recursively.
func bindMount(src, target string) error {
	if err := unix.Mount(src, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	return nil
}

// readOnly makes the bind mount at target read-only. It keeps the flags
// the kernel locks on mounts a user namespace inherited (nosuid, nodev,
// noexec, the atime ones): a remount without them is refused.
func readOnly(target string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(target, &st); err != nil {
		return fmt.Errorf("make read-only: %w", err)
	}
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY)
	for _, f := range []struct{ st, ms int64 }{{unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV},
		{unix.ST_NOEXEC, unix.MS_NOEXEC}, {unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_NODIRATIME, unix.MS_NODIRATIME},
		{unix.ST_RELATIME, unix.MS_RELATIME}} {
		if st.Flags&f.st != 0 {
			flags |= uintptr(f.ms)
		}
	}
	if err := unix.Mount("", target, "", flags, ""); err != nil {
		return fmt.Errorf("make read-only: %w", err)
	}
	return nil
}
