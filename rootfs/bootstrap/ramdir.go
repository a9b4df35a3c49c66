package bootstrap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
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

// tmpPrefix starts the names of the temporary directories of the cache.
const tmpPrefix = ".tmp-"

// scratch is mmdebstrap's TMPDIR, where it makes the tree (and dpkg
// unpacks every package into it).
type scratch struct {
	path   string
	remove func() error
}

// makeScratch makes the scratch of a bootstrap of o: on a tmpfs when
// there is room in RAM, an owned directory named for this base of this
// cache and registered with jan; else inside tmp, the bootstrap's own
// directory beside the cache. The caller's TMPDIR is never used, so that
// nothing of a bootstrap lies where no sweep looks.
func makeScratch(o Options, tmp string, jan *janitor.Janitor) (scratch, error) {
	if d := RAMDir(true); d != "" {
		owned, err := workdir.Make(d, o.scratchName()+"-*")
		if err != nil {
			return scratch{}, fmt.Errorf("bootstrap scratch: %w", err)
		}
		jan.Add(owned.Path)
		return scratch{owned.Path, func() error {
			err := owned.Remove()
			jan.Forget(owned.Path)
			return err
		}}, nil
	}
	p := filepath.Join(tmp, "scratch")
	if err := os.Mkdir(p, 0o700); err != nil {
		return scratch{}, fmt.Errorf("bootstrap scratch: %w", err)
	}
	return scratch{p, func() error { return nil }}, nil // removed with tmp
}

// Sweep removes what dead bootstraps into o's cache left (see
// janitor.Sweep): the cache's temporary directories, and scratch
// directories in RAM. It returns the paths removed.
func Sweep(o Options) ([]string, error) {
	cache, err := janitor.Sweep(filepath.Dir(o.Path()), tmpPrefix)
	ram, rerr := janitor.Sweep(ramDir, scratchPrefix)
	return append(cache, ram...), errors.Join(err, rerr)
}
