package disk

import (
	"fmt"
	"os"
	"strings"

	"github.com/diskfs/go-diskfs/partition/gpt"
)

// ReadLayout reads the GPT of the image file at path back into a Layout,
// GUIDs included, as the tests' oracle of what writeTable wrote; roles
// come from the partition types.
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
