package diskread

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tripleo/diskimage-builder/internal/fuzzguard"
)

// FuzzImageHeader runs the format detection and header checks on the
// fuzzed bytes as an image file. Seeds: the first 64 KiB of images
// qemu-img makes (qcow2 plain, with a backing file and with an external
// data file; vmdk sparse and with a parent; vhd), a vmdk descriptor,
// when qemu-img is installed.
func FuzzImageHeader(f *testing.F) {
	f.Add([]byte("# Disk DescriptorFile\ncreateType=\"monolithicFlat\"\nRW 16 FLAT \"/etc/passwd\" 0\n"))
	for _, seed := range headerSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzguard.Run(t, func() {
			_, _ = detect(bytes.NewReader(b), int64(len(b)))
		})
	})
}

func headerSeeds(f *testing.F) [][]byte {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		return nil
	}
	dir := f.TempDir()
	var out [][]byte
	for i, args := range [][]string{
		{"-f", "qcow2"}, {"-f", "qcow2", "-u", "-b", "/etc/shadow", "-F", "raw"}, {"-f", "qcow2", "-o", "data_file=" + filepath.Join(dir, "data")},
		{"-f", "vmdk"}, {"-f", "vmdk", "-u", "-b", filepath.Join(dir, "img3"), "-F", "vmdk"}, {"-f", "vpc"},
	} {
		img := filepath.Join(dir, "img"+string(rune('0'+i)))
		if b, err := exec.Command("qemu-img", append(append([]string{"create", "-q"}, args...), img, "1M")...).CombinedOutput(); err != nil {
			f.Fatalf("qemu-img create %v: %v: %s", args, err, b)
		}
		b, err := os.ReadFile(img)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b[:min(len(b), 64<<10)])
	}
	return out
}
