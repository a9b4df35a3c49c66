package disk

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// ext4Spec is one mkfs.ext4 run that makes a filesystem from a tree
// directly inside the image file, at the root partition's offset.
type ext4Spec struct {
	Tree     string
	Image    string
	Part     Partition
	Label    string
	UUID     string
	HashSeed string   // empty means mkfs's own
	Inodes   int64    // 0 means mkfs's own count from the inode ratio
	Extra    []string // the caller's options (Spec.MkfsOptions)
	Mke2fs   Mke2fs   // the program; its zero value is the host's mkfs.ext4
}

// argv is the mkfs.ext4 command line: -E offset writes the filesystem at
// the partition's offset into the file (the file's length is not changed),
// the size argument counts 4 KiB blocks, and -d copies the tree with its
// owners, modes and extended attributes.
func (s ext4Spec) argv() []string {
	ext := "offset=" + strconv.FormatInt(s.Part.Start, 10) + ",root_owner=0:0"
	if s.HashSeed != "" {
		ext += ",hash_seed=" + s.HashSeed
	}
	argv := append([]string(nil), s.Mke2fs.Argv...)
	if len(argv) == 0 {
		argv = []string{"mkfs.ext4"}
	}
	// The caller's options first: mke2fs takes the last of an option
	// given twice, so the builder's settings always win.
	argv = append(argv, s.Extra...)
	argv = append(argv, "-q", "-F", "-t", "ext4", "-b", strconv.Itoa(blockSize),
		"-I", strconv.Itoa(inodeSize), "-i", strconv.Itoa(inodeRatio))
	if s.Inodes > 0 {
		argv = append(argv, "-N", strconv.FormatInt(s.Inodes, 10))
	}
	argv = append(argv, "-L", s.Label, "-U", s.UUID, "-E", ext, "-d", s.Tree,
		s.Image, strconv.FormatInt(s.Part.Size/blockSize, 10))
	return argv
}

// makeExt4 runs mkfs.ext4 for s.
func makeExt4(ctx context.Context, s ext4Spec, stream io.Writer) error {
	if _, err := run.Run(ctx, run.Cmd{Argv: s.argv(), Env: s.Mke2fs.Env, Stream: stream, Label: "mke2fs"}); err != nil {
		return fmt.Errorf("make root filesystem in %s: %w", s.Image, err)
	}
	return nil
}
