package disk

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/debversion"
	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/sys/treeexec"
)

// epochMke2fs is the first e2fsprogs whose mke2fs honours
// SOURCE_DATE_EPOCH: with it every inode time (access, change, creation,
// and modification when newer) and the superblock's times are the epoch,
// not the clock or the tree's change times, which no tool can set.
const epochMke2fs = "1.47.1"

// Mke2fs is the mke2fs that makes a root filesystem.
type Mke2fs struct {
	Argv    []string // the program, run with Env
	Env     []string // nil means the caller's
	Version string   // as mke2fs -V says
	Tree    bool     // the tree's own
}

// Reproducible reports whether this mke2fs makes the same filesystem from
// the same tree whatever the clock and the tree's change times.
func (m Mke2fs) Reproducible() bool {
	return m.Version != "" && debversion.Compare(m.Version, epochMke2fs) >= 0
}

// FindMke2fs picks the mke2fs that makes the tree's root filesystem: the
// tree's own when it honours SOURCE_DATE_EPOCH (run with the tree's loader
// and libraries, see treeexec, and the tree's mke2fs.conf, so the
// filesystem has the features the image's own e2fsck and kernel expect and
// does not depend on the host), else the host's mkfs.ext4. at is the
// build's epoch, given to it; the zero Time gives none.
func FindMke2fs(ctx context.Context, tree string, at time.Time) Mke2fs {
	env := func(extra ...string) []string {
		if at.IsZero() {
			return append(os.Environ(), extra...)
		}
		return append(os.Environ(), append(extra, epoch.Env(at), "E2FSPROGS_FAKE_TIME="+epoch.Format(at))...)
	}
	if argv, err := treeexec.Command(tree, "/usr/sbin/mke2fs"); err == nil {
		own := Mke2fs{Argv: argv, Tree: true, Version: mke2fsVersion(ctx, argv)}
		if conf, err := inroot.HostPath(tree, "/etc/mke2fs.conf"); err == nil && own.Reproducible() {
			own.Env = env("MKE2FS_CONFIG=" + conf)
			return own
		}
	}
	host := Mke2fs{Argv: []string{"mkfs.ext4"}}
	host.Version = mke2fsVersion(ctx, []string{"mke2fs"})
	host.Env = env()
	return host
}

var mke2fsVersionRe = regexp.MustCompile(`mke2fs (\d+\.\d+(?:\.\d+)?)`)

// mke2fsVersion runs argv -V and returns the version it prints, or "".
func mke2fsVersion(ctx context.Context, argv []string) string {
	var out bytes.Buffer
	_, _ = run.Run(ctx, run.Cmd{Argv: append(append([]string(nil), argv...), "-V"), Stream: &out})
	if m := mke2fsVersionRe.FindSubmatch(out.Bytes()); m != nil {
		return string(m[1])
	}
	return ""
}
