package fatfs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
	"github.com/tripleo/diskimage-builder/internal/fuzzguard"
)

// FuzzFAT opens a FAT filesystem from the fuzzed bytes and reads all of
// it. Seeds: a crafted FAT12, and a small FAT12 made by mkfs.vfat and
// filled by mcopy when they are installed.
func FuzzFAT(f *testing.F) {
	f.Add(craft.BuildFAT(12, 100, sample()).Bytes)
	if seed := mkfsSeed(f); seed != nil {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzguard.Run(t, func() {
			fsys, err := Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				return
			}
			fuzzguard.WalkFS(t, fsys)
		})
	})
}

// mkfsSeed returns a 128 KiB FAT12 holding a kernel, an initrd and an
// EFI directory, or nil when mkfs.vfat or mcopy is not installed.
func mkfsSeed(f *testing.F) []byte {
	if _, err := exec.LookPath("mkfs.vfat"); err != nil {
		return nil
	}
	if _, err := exec.LookPath("mcopy"); err != nil {
		return nil
	}
	dir := f.TempDir()
	for name, content := range map[string]string{"vmlinuz-6.1.0": "kernel", "initrd.img-6.1.0": "initrd", "EFI/BOOT/BOOTX64.EFI": "efi"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), bytes.Repeat([]byte(content), 200), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	img := filepath.Join(f.TempDir(), "fat")
	run := func(argv ...string) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			f.Fatalf("%v: %v: %s", argv, err, out)
		}
	}
	run("mkfs.vfat", "-C", "-F", "12", "-s", "1", img, "128")
	for _, name := range []string{"vmlinuz-6.1.0", "initrd.img-6.1.0", "EFI"} {
		run("mcopy", "-s", "-i", img, filepath.Join(dir, name), "::/")
	}
	b, err := os.ReadFile(img)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
