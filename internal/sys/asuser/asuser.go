// Package asuser lets a build that runs as root for another user (a build
// re-run through the sudoers rule) use the paths that user names with that
// user's rights, never root's: the kernel resolves, checks and creates them
// as it would for the user, and what is created belongs to the user.
//
// It does so the way file servers do: on an OS thread of its own, the
// filesystem user and group IDs (setfsuid, setfsgid) and the supplementary
// groups are the user's. The kernel then checks every path against them and
// drops root's capabilities over files (CAP_DAC_OVERRIDE, CAP_FOWNER...)
// for that thread. The thread is never given back: it ends with the work.
package asuser

import (
	"fmt"
	"os/user"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// User is the user a root build works for.
type User struct {
	Name   string
	UID    int
	GID    int
	Groups []int // supplementary groups
}

// String is the user's name, for messages.
func (u *User) String() string { return u.Name }

// FromSudo returns the user a root process runs for through sudo: the one
// SUDO_UID and SUDO_GID of env name (sudo sets them, and no sudoers rule
// lets a caller set them), with the supplementary groups of the user
// database. It returns nil when the process is not root, or not run
// through sudo, or run through sudo by root.
func FromSudo(env []string, euid int) (*User, error) {
	if euid != 0 {
		return nil, nil
	}
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "SUDO_") {
			vars[k] = v
		}
	}
	if vars["SUDO_UID"] == "" {
		return nil, nil
	}
	uid, err := strconv.Atoi(vars["SUDO_UID"])
	if err != nil || uid < 0 {
		return nil, fmt.Errorf("bad SUDO_UID %q", vars["SUDO_UID"])
	}
	gid, err := strconv.Atoi(vars["SUDO_GID"])
	if err != nil || gid < 0 {
		return nil, fmt.Errorf("bad SUDO_GID %q", vars["SUDO_GID"])
	}
	if uid == 0 {
		return nil, nil
	}
	u := &User{Name: vars["SUDO_USER"], UID: uid, GID: gid}
	if u.Name == "" {
		u.Name = "uid " + vars["SUDO_UID"]
	}
	if found, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		ids, _ := found.GroupIds()
		for _, id := range ids {
			if g, err := strconv.Atoi(id); err == nil {
				u.Groups = append(u.Groups, g)
			}
		}
	}
	return u, nil
}

// DoFunc is u.Do as a function value; nil when u is nil (no user: the
// process's own rights).
func (u *User) DoFunc() func(func() error) error {
	if u == nil {
		return nil
	}
	return u.Do
}

// Do runs fn with u's rights over files (see the package comment), and
// returns its error. fn must do its file work itself, not in goroutines
// it starts, which run on other threads. A nil u runs fn as it is.
func (u *User) Do(fn func() error) error {
	if u == nil {
		return fn()
	}
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the runtime ends a thread whose goroutine exits
		// locked to it, so these IDs never serve other work, and it makes
		// new threads from a clean template thread meanwhile.
		runtime.LockOSThread()
		if err := u.become(); err != nil {
			done <- err
			return
		}
		done <- fn()
	}()
	return <-done
}

// become gives the calling thread u's groups and filesystem IDs.
func (u *User) become() error {
	groups := u.Groups
	if len(groups) == 0 {
		groups = []int{u.GID}
	}
	if err := unix.Setgroups(groups); err != nil { // this thread only
		return fmt.Errorf("act as %s: set groups: %w", u, err)
	}
	unix.Setfsgid(u.GID)
	unix.Setfsuid(u.UID)
	gid, _ := unix.SetfsgidRetGid(-1)
	uid, _ := unix.SetfsuidRetUid(-1)
	if uid != u.UID || gid != u.GID {
		return fmt.Errorf("act as %s: filesystem ids are %d:%d, not %d:%d", u, uid, gid, u.UID, u.GID)
	}
	return nil
}

// CanWrite reports, as an error naming the user, whether u may create
// entries in the directory dir (write and search rights), u's symbolic
// links in its path followed with u's rights. A nil u checks root's.
func (u *User) CanWrite(dir string) error {
	return u.Do(func() error {
		err := unix.Faccessat2(unix.AT_FDCWD, dir, unix.W_OK|unix.X_OK, unix.AT_EACCESS)
		if err != nil && u != nil {
			return fmt.Errorf("%w (as %s)", err, u)
		}
		return err
	})
}
