package rootfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// pycHeader is the size of the header of a Python 3.7+ bytecode file
// (PEP 552): magic, flags, then the source's time and size, or a hash.
const pycHeader = 16

// removeStalePyc removes every __pycache__/*.pyc in tree that records its
// source by time (flags 0) and a source time after at: bytecode of a
// source written during the build, which holds that time and which Python
// would find stale once the source's time is clamped. Bytecode checked by
// hash, and bytecode of the packages' own sources, stays.
func removeStalePyc(tree string, at time.Time) error {
	return filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() || filepath.Ext(p) != ".pyc" || filepath.Base(filepath.Dir(p)) != "__pycache__" {
			return nil
		}
		if src, ok := pycSourceTime(p); ok && src.After(at) {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("remove stale bytecode: %w", err)
			}
		}
		return nil
	})
}

// pycSourceTime reads the source time a time-checked .pyc records.
func pycSourceTime(p string) (time.Time, bool) {
	fh, err := os.Open(p)
	if err != nil {
		return time.Time{}, false
	}
	defer fh.Close()
	var h [pycHeader]byte
	if _, err := io.ReadFull(fh, h[:]); err != nil {
		return time.Time{}, false
	}
	if h[2] != '\r' || h[3] != '\n' || binary.LittleEndian.Uint32(h[4:8]) != 0 {
		return time.Time{}, false // not bytecode, or checked by hash
	}
	return time.Unix(int64(binary.LittleEndian.Uint32(h[8:12])), 0), true
}

// clampShadow sets every password change date in /etc/shadow (days since
// 1970) that is after at back to at's day, as the shadow tools do when
// SOURCE_DATE_EPOCH is set: a hook that ran passwd or useradd without it
// wrote the build's day.
func clampShadow(tree string, at time.Time) error {
	host, err := inroot.HostPath(tree, "/etc/shadow")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	fi, err := os.Lstat(host)
	if err != nil || !fi.Mode().IsRegular() {
		return err
	}
	data, err := os.ReadFile(host)
	if err != nil {
		return fmt.Errorf("read /etc/shadow: %w", err)
	}
	day := at.Unix() / 86400
	lines := bytes.Split(data, []byte("\n"))
	changed := false
	for i, l := range lines {
		f := bytes.Split(l, []byte(":"))
		if len(f) < 3 {
			continue
		}
		if n, err := strconv.ParseInt(string(f[2]), 10, 64); err == nil && n > day {
			f[2] = []byte(strconv.FormatInt(day, 10))
			lines[i], changed = bytes.Join(f, []byte(":")), true
		}
	}
	if !changed {
		return nil
	}
	return inroot.WriteFile(tree, "/etc/shadow", bytes.Join(lines, []byte("\n")), fi.Mode().Perm())
}
