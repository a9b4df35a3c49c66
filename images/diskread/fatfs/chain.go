package fatfs

import "fmt"

// fatCache keeps a few sectors of the FAT, so that following a chain
// reads each FAT sector about once.
type fatCache struct {
	m     map[int64][]byte
	order []int64
}

// maxCachedFATSectors bounds the FAT kept in memory (256 KiB at most).
const maxCachedFATSectors = 64

// fatSector is the unit the FAT is read and cached in.
const fatSector = 4096

// fatByte returns byte i of the first FAT.
func (f *FS) fatByte(i int64) (byte, error) {
	s := i / fatSector * fatSector
	b, ok := f.fatCache.m[s]
	if !ok {
		b = make([]byte, min(fatSector, f.fatBytes-s))
		if err := f.readFull(b, f.fatStart+s); err != nil {
			return 0, fmt.Errorf("read fat: %w", err)
		}
		if f.fatCache.m == nil {
			f.fatCache.m = map[int64][]byte{}
		}
		if len(f.fatCache.order) == maxCachedFATSectors {
			delete(f.fatCache.m, f.fatCache.order[0])
			f.fatCache.order = f.fatCache.order[1:]
		}
		f.fatCache.m[s] = b
		f.fatCache.order = append(f.fatCache.order, s)
	}
	return b[i-s], nil
}

// entry returns the FAT entry of cluster c, which must be valid: the next
// cluster of its chain, or an end-of-chain, bad or free mark.
func (f *FS) entry(c uint32) (uint32, error) {
	var at int64
	switch f.bits {
	case 12:
		at = int64(c) + int64(c)/2
	case 16:
		at = 2 * int64(c)
	default:
		at = 4 * int64(c)
	}
	var v uint32
	for i := range int64(f.bits+7) / 8 {
		b, err := f.fatByte(at + i)
		if err != nil {
			return 0, err
		}
		v |= uint32(b) << (8 * i)
	}
	switch f.bits {
	case 12:
		if c%2 == 1 {
			v >>= 4
		}
		v &= 0xfff
	case 32:
		v &= 0x0fffffff
	}
	return v, nil
}

// chain follows a cluster chain from first, handing each cluster to
// visit until visit returns false or the chain ends. A chain that comes
// back to a cluster it passed, or leads to a free, bad or out of range
// cluster, is an error. Loops are found with Brent's method: in constant
// memory, within about twice the chain's length.
func (f *FS) chain(first uint32, visit func(c uint32) bool) error {
	eoc := uint32(1)<<f.bits - 8 // 0xff8, 0xfff8 and above end a chain
	if f.bits == 32 {
		eoc = 0x0ffffff8
	}
	mark, power, steps := first, 1, 0
	for c := first; ; {
		if !f.valid(c) {
			return fmt.Errorf("cluster chain from %d leads to cluster %d, not one of the %d clusters", first, c, f.clusters)
		}
		if !visit(c) {
			return nil
		}
		next, err := f.entry(c)
		if err != nil {
			return err
		}
		if next >= eoc {
			return nil
		}
		if c = next; c == mark {
			return fmt.Errorf("cluster chain from %d loops at cluster %d", first, c)
		}
		if steps++; steps == power {
			mark, power, steps = c, 2*power, 0
		}
	}
}
