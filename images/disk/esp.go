package disk

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// espSpec is a FAT32 EFI system partition made inside the image file at
// the partition's offset by mkfs.fat --offset, and filled by mtools, which
// read an image at a byte offset given as FILE@@OFFSET.
type espSpec struct {
	Image  string
	Part   Partition
	Serial uint32
	Files  map[string]string // path on the ESP (e.g. /EFI/BOOT/BOOTX64.EFI) to host file
	// Epoch is the time of every entry (mtools honours SOURCE_DATE_EPOCH;
	// mkfs.fat does not, so its volume label's entry is stamped after it).
	// The zero Time leaves the clock's.
	Epoch time.Time
}

// minFAT32Clusters is a little over the 65525 clusters below which a FAT
// is not FAT32 (firmware and mtools would read it as FAT16).
const minFAT32Clusters = 66000

// clusterSectors is the largest cluster size, up to 4 KiB, that still
// gives a FAT32 enough clusters for a filesystem of size bytes.
func clusterSectors(size int64) int {
	s := 8
	for s > 1 && size/512/int64(s) < minFAT32Clusters {
		s /= 2
	}
	return s
}

func (s espSpec) mkfsArgv() []string {
	return []string{"mkfs.fat", "-F", "32", "-s", strconv.Itoa(clusterSectors(s.Part.Size)),
		"-n", "EFI", "--invariant", "-i", fmt.Sprintf("%08X", s.Serial),
		"--offset=" + strconv.FormatInt(s.Part.Start/512, 10),
		s.Image, strconv.FormatInt(s.Part.Size/1024, 10)}
}

// mtoolsImage names the ESP for mtools' -i.
func (s espSpec) mtoolsImage() string {
	return s.Image + "@@" + strconv.FormatInt(s.Part.Start, 10)
}

// dirs lists the directories the files need, parents first.
func (s espSpec) dirs() []string {
	seen := map[string]bool{}
	var dirs []string
	for dst := range s.Files {
		for d := path.Dir(dst); d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs)
	return dirs
}

// mtoolsEnv is the environment of mtools: times in UTC (FAT records local
// times), and the epoch as SOURCE_DATE_EPOCH.
func (s espSpec) mtoolsEnv() []string {
	env := append(os.Environ(), "MTOOLS_SKIP_CHECK=1", "TZ=UTC")
	if !s.Epoch.IsZero() {
		env = append(env, epoch.Env(s.Epoch))
	}
	return env
}

// makeESP makes the FAT filesystem (--invariant: no random serial, no
// clock; the serial is the one given) and copies the files in.
func makeESP(ctx context.Context, s espSpec, stream io.Writer) error {
	if _, err := run.Run(ctx, run.Cmd{Argv: s.mkfsArgv(), Stream: stream}); err != nil {
		return fmt.Errorf("make ESP in %s: %w", s.Image, err)
	}
	if !s.Epoch.IsZero() {
		if err := stampFATLabel(s.Image, s.Part.Start, s.Epoch); err != nil {
			return fmt.Errorf("make ESP in %s: %w", s.Image, err)
		}
	}
	env := s.mtoolsEnv()
	var cmds [][]string
	if dirs := s.dirs(); len(dirs) > 0 {
		argv := []string{"mmd", "-i", s.mtoolsImage()}
		for _, d := range dirs {
			argv = append(argv, "::"+d)
		}
		cmds = append(cmds, argv)
	}
	dsts := make([]string, 0, len(s.Files))
	for dst := range s.Files {
		dsts = append(dsts, dst)
	}
	sort.Strings(dsts)
	for _, dst := range dsts {
		cmds = append(cmds, []string{"mcopy", "-i", s.mtoolsImage(), s.Files[dst], "::" + dst})
	}
	for _, argv := range cmds {
		if _, err := run.Run(ctx, run.Cmd{Argv: argv, Env: env, Stream: stream}); err != nil {
			return fmt.Errorf("make ESP in %s: %w", s.Image, err)
		}
	}
	return nil
}
