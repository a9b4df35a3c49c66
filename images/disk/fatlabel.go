package disk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"
)

// FAT32 boot sector fields and directory entry layout used to find and
// stamp the volume label's entry.
const (
	fatBytesPerSec = 11 // uint16
	fatSecPerClus  = 13 // uint8
	fatRsvdSecs    = 14 // uint16
	fatNumFATs     = 16 // uint8
	fatSize32      = 36 // uint32, sectors per FAT
	fatRootClus    = 44 // uint32
	fatDirEntry    = 32
	fatAttrLabel   = 0x08
	fatAttrLFN     = 0x0f
)

// stampFATLabel sets the times of the volume label's entry in the root
// directory of the FAT32 filesystem at off in the image file to at (UTC):
// mkfs.fat --invariant writes a fixed time of its own there, and no other
// entry exists before mtools (given SOURCE_DATE_EPOCH) adds files.
func stampFATLabel(image string, off int64, at time.Time) error {
	fh, err := os.OpenFile(image, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("stamp the ESP's label: %w", err)
	}
	defer fh.Close()
	bs := make([]byte, 512)
	if _, err := fh.ReadAt(bs, off); err != nil {
		return fmt.Errorf("stamp the ESP's label: %w", err)
	}
	le := binary.LittleEndian
	bps, spc := int64(le.Uint16(bs[fatBytesPerSec:])), int64(bs[fatSecPerClus])
	rsvd, nfats := int64(le.Uint16(bs[fatRsvdSecs:])), int64(bs[fatNumFATs])
	fatSize, root := int64(le.Uint32(bs[fatSize32:])), int64(le.Uint32(bs[fatRootClus:]))
	if bps < 512 || bps > 4096 || spc == 0 || spc > 128 || root < 2 || fatSize == 0 {
		return errors.New("stamp the ESP's label: not a FAT32 boot sector")
	}
	dirOff := off + (rsvd+nfats*fatSize+(root-2)*spc)*bps
	dir := make([]byte, bps*spc)
	if _, err := fh.ReadAt(dir, dirOff); err != nil {
		return fmt.Errorf("stamp the ESP's label: %w", err)
	}
	date, tm := fatTime(at)
	for i := 0; i+fatDirEntry <= len(dir); i += fatDirEntry {
		e := dir[i : i+fatDirEntry]
		if e[0] == 0 {
			break
		}
		if e[0] == 0xe5 || e[11] == fatAttrLFN || e[11]&fatAttrLabel == 0 {
			continue
		}
		e[13] = 0
		le.PutUint16(e[14:], tm)
		le.PutUint16(e[16:], date)
		le.PutUint16(e[18:], date)
		le.PutUint16(e[22:], tm)
		le.PutUint16(e[24:], date)
		if _, err := fh.WriteAt(e, dirOff+int64(i)); err != nil {
			return fmt.Errorf("stamp the ESP's label: %w", err)
		}
		return fh.Close()
	}
	return errors.New("stamp the ESP's label: no label entry in the root directory")
}

// fatTime encodes t (UTC) as a FAT date and time, within the years FAT
// can hold (1980 to 2107), to two seconds.
func fatTime(t time.Time) (date, tm uint16) {
	t = t.UTC()
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if t.Year() > 2107 {
		t = time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)
	}
	date = uint16(t.Year()-1980)<<9 | uint16(t.Month())<<5 | uint16(t.Day())
	tm = uint16(t.Hour())<<11 | uint16(t.Minute())<<5 | uint16(t.Second()/2)
	return date, tm
}
