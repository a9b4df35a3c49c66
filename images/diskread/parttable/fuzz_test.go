package parttable

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
	"github.com/tripleo/diskimage-builder/internal/fuzzguard"
)

// FuzzPartitionTable reads a partition table from the fuzzed bytes and
// checks that every partition it gives lies within the disk. Seeds: a
// crafted GPT and MBR, and an MBR with a chain of extended boot records.
func FuzzPartitionTable(f *testing.F) {
	f.Add(craft.GPT(48<<10, craft.Part{Start: 40, Data: make([]byte, 4096)}, craft.Part{Start: 60, Data: make([]byte, 512)}))
	f.Add(craft.MBR(16<<10, craft.Part{Start: 4, Data: make([]byte, 4096), Type: 0x0c}))
	ext := make([]byte, 8<<10)
	for _, ebr := range []int{0, 8} {
		e := ext[ebr*512:]
		e[0x1be+4] = 0x83
		binary.LittleEndian.PutUint32(e[0x1be+8:], 1)
		binary.LittleEndian.PutUint32(e[0x1be+12:], 4)
		e[0x1ce+4] = 0x05
		binary.LittleEndian.PutUint32(e[0x1ce+8:], 8)
		e[510], e[511] = 0x55, 0xaa
	}
	f.Add(craft.MBR(32<<10, craft.Part{Start: 8, Data: ext, Type: 0x05}))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzguard.Run(t, func() {
			_, parts, err := Read(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				return
			}
			for _, p := range parts {
				if p.Start < 0 || p.Size <= 0 || p.Start > int64(len(b))-p.Size {
					t.Fatalf("%s at %d of %d bytes is outside the %d-byte disk", p, p.Start, p.Size, len(b))
				}
			}
		})
	})
}
