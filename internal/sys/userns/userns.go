// Package userns runs a build as root of a user namespace, so that a user
// who is not root builds images with every owner, mode and capability a
// root build gives. The namespace maps root (0) to the user and IDs 1 to
// 65536 to the user's subordinate IDs (/etc/subuid, /etc/subgid), with the
// setuid helpers newuidmap and newgidmap of Debian's uidmap package: inside
// it, the build's processes are root with every capability over the
// namespace's files and mounts, and on the host they have only the user's
// rights and the subordinate IDs'.
//
// Choose says whether this process builds as it is (root with every ID an
// image needs), in a user namespace (an ordinary user with subordinate
// IDs), or not at all (an *Unavailable saying what is missing and how to
// add it). Map.Command makes a reexec command that starts as root of the
// namespace.
package userns

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
	"golang.org/x/sys/unix"
)

// Size is how many subordinate IDs a namespace maps, to IDs 1 to Size: the
// IDs of an image's users and groups (nobody is 65534) and one more.
const Size = 65536

// Range is a block of subordinate IDs on the host.
type Range struct {
	Start, Count int
}

// Map is the ID mapping of a build's user namespace: 0 is the user (UID,
// GID) and 1 to Size are the start of its subordinate ranges.
type Map struct {
	User     string
	UID, GID int
	SubUID   Range
	SubGID   Range
}

// String renders m as newuidmap's and newgidmap's arguments say it.
func (m Map) String() string {
	return fmt.Sprintf("uid 0=%d 1-%d=%d-%d, gid 0=%d 1-%d=%d-%d", m.UID, Size, m.SubUID.Start, m.SubUID.Start+Size-1,
		m.GID, Size, m.SubGID.Start, m.SubGID.Start+Size-1)
}

// uidArgs and gidArgs are the mapping as newuidmap and newgidmap take it
// after the process ID: inside, outside, count.
func (m Map) uidArgs() []string { return mapArgs(m.UID, m.SubUID) }
func (m Map) gidArgs() []string { return mapArgs(m.GID, m.SubGID) }

func mapArgs(id int, sub Range) []string {
	return []string{"0", strconv.Itoa(id), "1", "1", strconv.Itoa(sub.Start), strconv.Itoa(Size)}
}

// Command returns a command that runs this binary in role (see package
// reexec) as root of a new user namespace with mapping m, holding every
// capability there: the child is cloned into the namespace with its
// capabilities kept as ambient ones, and waits for its role until
// newuidmap and newgidmap have written its maps. Set other clone flags by
// or-ing them into SysProcAttr.Cloneflags; start it with Start only.
func (m Map) Command(role string, args ...string) (*reexec.Cmd, error) {
	c, err := reexec.Held(role, m.writeMaps, args...)
	if err != nil {
		return nil, err
	}
	c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWUSER, AmbientCaps: allCaps()}
	return c, nil
}

// writeMaps writes the ID maps of the namespace of process pid.
func (m Map) writeMaps(pid int) error {
	p := strconv.Itoa(pid)
	for _, tool := range []struct {
		name string
		args []string
	}{{"newuidmap", m.uidArgs()}, {"newgidmap", m.gidArgs()}} {
		out, err := exec.Command(tool.name, append([]string{p}, tool.args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("user namespace: %s %s %s: %w: %s", tool.name, p, strings.Join(tool.args, " "), err,
				strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// allCaps lists every capability this kernel knows.
func allCaps() []uintptr {
	last := unix.CAP_LAST_CAP
	if data, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && n < last {
			last = n
		}
	}
	caps := make([]uintptr, 0, last+1)
	for c := 0; c <= last; c++ {
		caps = append(caps, uintptr(c))
	}
	return caps
}

// Unavailable says why this process cannot build, and how to fix it, in
// one line.
type Unavailable struct {
	Reason string // what is missing
	Fix    string // how to add it, a command where there is one
}

// Error is the reason and the fix on one line.
func (e *Unavailable) Error() string {
	if e.Fix == "" {
		return e.Reason
	}
	return e.Reason + "; " + e.Fix
}

// IsUnavailable reports whether err is (or wraps) an *Unavailable.
func IsUnavailable(err error) bool {
	var u *Unavailable
	return errors.As(err, &u)
}
