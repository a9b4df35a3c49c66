package bootstrap

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A cache entry is trusted only when it is sealed: NAME.sum beside it
// records its sha256, size and SOURCE_DATE_EPOCH (the time its files were
// clamped to, see archive.State.Epoch), written after the entry was synced to
// disk.
// A truncated entry (a crash, a full disk) fails the size check before it
// is used and is made again; one whose bytes changed fails the checksum
// while it is unpacked and is removed.

// sumPath is where the seal of entry is kept.
func sumPath(entry string) string { return entry + ".sum" }

// Seal syncs entry to disk and records its size, sha256 and epoch beside
// it.
func Seal(entry string, epoch time.Time) error {
	fh, err := os.Open(entry)
	if err != nil {
		return fmt.Errorf("seal %s: %w", entry, err)
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err == nil {
		err = fh.Sync()
	}
	if err != nil {
		return fmt.Errorf("seal %s: %w", entry, err)
	}
	line := fmt.Sprintf("%s %d %d\n", hex.EncodeToString(h.Sum(nil)), n, epoch.Unix())
	return writeSynced(sumPath(entry), []byte(line))
}

// seal is an entry's recorded checksum, size and epoch.
type seal struct {
	sum   string
	size  int64
	epoch time.Time
}

// Stamp is what the seal of a cache entry says of its content.
type Stamp struct {
	SHA256 string    // of the entry's bytes, in hex
	Epoch  time.Time // the SOURCE_DATE_EPOCH its files were clamped to
}

// ReadStamp returns the stamp of a sealed entry. It does not check the
// entry (see Sealed).
func ReadStamp(entry string) (Stamp, error) {
	s, err := readSeal(entry)
	if err != nil {
		return Stamp{}, err
	}
	return Stamp{SHA256: s.sum, Epoch: s.epoch}, nil
}

// readSeal reads the seal of entry.
func readSeal(entry string) (seal, error) {
	data, err := os.ReadFile(sumPath(entry))
	if err != nil {
		return seal{}, err
	}
	f := strings.Fields(string(data))
	if len(f) != 3 || len(f[0]) != 64 {
		return seal{}, fmt.Errorf("seal of %s: malformed", entry)
	}
	size, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return seal{}, fmt.Errorf("seal of %s: %w", entry, err)
	}
	epoch, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return seal{}, fmt.Errorf("seal of %s: %w", entry, err)
	}
	return seal{sum: f[0], size: size, epoch: time.Unix(epoch, 0).UTC()}, nil
}

// Sealed reports whether entry exists, is sealed and has its recorded size.
func Sealed(entry string) bool {
	s, err := readSeal(entry)
	if err != nil {
		return false
	}
	fi, err := os.Stat(entry)
	return err == nil && fi.Size() == s.size
}

// Discard removes entry, its seal and its archive state.
func Discard(entry string) error {
	var errs []error
	for _, p := range []string{sumPath(entry), entry, statePath(entry)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeSynced writes data to path through a synced temporary file renamed
// into place, then syncs the directory.
func writeSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	fh, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = fh.Write(data)
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir syncs a directory, so that renames in it survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// verifier hashes what is read through it and compares at the end.
type verifier struct {
	r    io.Reader
	want seal
	h    hashWriter
	n    int64
}

// hashWriter is the part of hash.Hash a verifier uses.
type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	return n, err
}

// check reports whether everything read matched the seal.
func (v *verifier) check() bool {
	return v.n == v.want.size && hex.EncodeToString(v.h.Sum(nil)) == v.want.sum
}
