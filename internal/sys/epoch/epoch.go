// Package epoch handles SOURCE_DATE_EPOCH, the time that stands for "when"
// in a reproducible build (https://reproducible-builds.org/specs/source-date-epoch/):
// it parses the variable, gives it to the tools that stamp times, and
// clamps the times of a tree to it, so that no file of an image carries the
// clock of the build.
package epoch

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Var is the variable's name.
const Var = "SOURCE_DATE_EPOCH"

// maxEpoch bounds what Parse accepts: the year 9999, past which no tool
// stamps a time.
const maxEpoch = 253402300799

// Parse reads a SOURCE_DATE_EPOCH value: whole seconds since 1970-01-01
// UTC, as decimal digits.
func Parse(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > maxEpoch || t == "" || t[0] == '+' {
		return time.Time{}, fmt.Errorf("%s=%q: want whole seconds since 1970-01-01 UTC, such as 1735689600", Var, s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// Format is t as the variable's value.
func Format(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// Env is the environment entry that gives t to a tool.
func Env(t time.Time) string { return Var + "=" + Format(t) }

// TarOptions are GNU tar's options that make an archive the same bytes
// for the same tree: names sorted, modification times clamped to at, no
// access or change times, extended header names without a process id.
func TarOptions(at time.Time) []string {
	return []string{"--sort=name", "--format=pax", "--mtime=@" + Format(at), "--clamp-mtime",
		"--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime"}
}

// ClampTree sets the modification and access times of every entry below
// dir (dir included, links themselves and not their targets) that is newer
// than t to t; older times are kept, as the files of packages carry the
// times their authors gave them. It follows no link and changes nothing
// else.
func ClampTree(dir string, t time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(t.UnixNano()), unix.NsecToTimespec(t.UnixNano())}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return fmt.Errorf("stat %s: no unix times", p)
		}
		if !newer(st.Mtim, t) && !newer(st.Atim, t) {
			return nil
		}
		set := ts
		if !newer(st.Mtim, t) {
			set = []unix.Timespec{ts[0], unix.NsecToTimespec(st.Mtim.Nano())}
		}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, set, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("clamp times of %s: %w", p, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("clamp times below %s to %s: %w", dir, Format(t), err)
	}
	return nil
}

// newer reports whether ts is after t.
func newer(ts syscall.Timespec, t time.Time) bool {
	return time.Unix(ts.Unix()).After(t)
}
