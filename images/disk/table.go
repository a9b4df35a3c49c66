package disk

import (
	"fmt"
	"os"

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
