package bootstrap

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ramDir is the tmpfs big temporary trees go to when there is room, and
// ramNeed the room (free in it, and memory available) that takes: a tree
// and a raw disk of a few GB, with margin for concurrent builds.
const (
	ramDir  = "/dev/shm"
	ramNeed = 8 << 30
)

// RAMDir returns a tmpfs directory with room for a build's trees and the
// memory to hold them, or "" when there is none. Working there saves the
// journal and writeback a disk filesystem spends on trees that live for
// seconds. Hooks and package scripts run from such a tree, so a tmpfs
// mounted noexec is never returned, nor one mounted nodev when devices
// says the tree's own device nodes are used (a bootstrap's are).
func RAMDir(devices bool) string { return RAMDirWith(devices, ramNeed) }

// RAMDirWith is RAMDir with need bytes free in the tmpfs and in memory.
func RAMDirWith(devices bool, need int64) string {
	var st unix.Statfs_t
	if err := unix.Statfs(ramDir, &st); err != nil || st.Type != unix.TMPFS_MAGIC {
		return ""
	}
	if st.Flags&unix.ST_NOEXEC != 0 || devices && st.Flags&unix.ST_NODEV != 0 {
		return ""
	}
	if int64(st.Bavail)*st.Bsize < need || memAvailable() < need {
		return ""
	}
	return ramDir
}

// memAvailable is the kernel's estimate of the memory available without
// swapping (MemAvailable in /proc/meminfo), 0 when unknown.
func memAvailable() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
