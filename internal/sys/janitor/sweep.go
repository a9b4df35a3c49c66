package janitor

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
)

// maxJournal bounds what Sweep reads of a journal.
const maxJournal = 1 << 20

// Sweep removes what dead builds left in parent: every directory named
// prefix... whose owner is gone (see workdir.Dead), once the paths its
// journal lists outside it are removed. A listed path that is an owned
// directory whose owner lives is left alone. Nothing of a live build is
// touched. It returns the paths it removed; the directories it could not
// remove are named in the error.
func Sweep(parent, prefix string) ([]string, error) {
	dead, err := workdir.Dead(parent, prefix)
	var removed []string
	var errs []error
	for _, d := range dead {
		for _, p := range journalPaths(filepath.Join(d.Path, JournalName)) {
			if p == d.Path || strings.HasPrefix(p, d.Path+"/") || workdir.Alive(p) {
				continue
			}
			if _, err := os.Lstat(p); err != nil {
				continue
			}
			if err := workdir.Remove(p); err != nil {
				errs = append(errs, err)
				continue
			}
			removed = append(removed, p)
		}
		if err := d.Remove(); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, d.Path)
	}
	return removed, errors.Join(append([]error{err}, errs...)...)
}

// journalPaths reads the journal at path: the paths still registered, last
// first. A journal that is not a regular file of this user is not read.
func journalPaths(path string) []string {
	fh, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil
	}
	defer fh.Close()
	var st unix.Stat_t
	if unix.Fstat(int(fh.Fd()), &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() {
		return nil
	}
	var reg registry
	sc := bufio.NewScanner(io.LimitReader(fh, maxJournal))
	for sc.Scan() {
		reg.apply(sc.Text())
	}
	return reg.pending()
}
