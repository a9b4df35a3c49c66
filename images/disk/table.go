package disk

import (
	"fmt"
	"os"
	"strings"

	"github.com/diskfs/go-diskfs/partition/gpt"
)

const sectorSize = 512

// writeTable writes the protective MBR's partition entries and both GPTs
// of l into f. The first 446 bytes of the MBR (boot code) are not touched.
func writeTable(f *os.File, l Layout, diskGUID string) error {
	t := &gpt.Table{
		LogicalSectorSize:  sectorSize,
		PhysicalSectorSize: sectorSize,
		ProtectiveMBR:      true,
		GUID:               diskGUID,
	}
	for _, p := range l.Partitions {
		t.Partitions = append(t.Partitions, &gpt.Partition{
			Index: p.Index,
			Start: uint64(p.Start / sectorSize),
			End:   uint64(p.End()/sectorSize - 1),
			Size:  uint64(p.Size),
			Type:  gpt.Type(p.Type),
			Name:  p.Name,
			GUID:  p.GUID,
		})
	}
	if err := t.Write(f, l.Size); err != nil {
		return fmt.Errorf("write partition table to %s: %w", f.Name(), err)
	}
	return nil
}

// ReadLayout reads the GPT of the image file at path back into a Layout;
// roles come from the partition types.
func ReadLayout(path string) (Layout, error) {
	f, err := os.Open(path)
	if err != nil {
		return Layout{}, fmt.Errorf("read partition table: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Layout{}, fmt.Errorf("read partition table: %w", err)
	}
	t, err := gpt.Read(f, sectorSize, sectorSize)
	if err != nil {
		return Layout{}, fmt.Errorf("read partition table of %s: %w", path, err)
	}
	l := Layout{Size: fi.Size()}
	for _, p := range t.Partitions {
		if p.Type == gpt.Unused {
			continue
		}
		typ := strings.ToUpper(string(p.Type))
		l.Partitions = append(l.Partitions, Partition{
			Index: p.Index,
			Role:  roleOf(typ),
			Name:  p.Name,
			Type:  typ,
			GUID:  strings.ToUpper(p.GUID),
			Start: int64(p.Start) * sectorSize,
			Size:  int64(p.End-p.Start+1) * sectorSize,
		})
	}
	return l, nil
}

func roleOf(typ string) Role {
	switch typ {
	case TypeBIOSBoot:
		return BIOSBoot
	case TypeESP:
		return ESP
	case TypeLinux:
		return Root
	}
	return ""
}
