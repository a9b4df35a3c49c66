package extfs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
	"github.com/tripleo/diskimage-builder/internal/fuzzguard"
)

// FuzzExt opens a filesystem from the fuzzed bytes and reads all of it.
// Seeds: crafted filesystems, and small ones mkfs.ext4 and mkfs.ext2
// make from a directory when they are installed.
func FuzzExt(f *testing.F) {
	f.Add(craft.BuildExt(sample(), 0).Bytes)
	e, in := kernelImage(2)
	f.Add(e.Bytes)
	tree := e.Bytes[:len(e.Bytes):len(e.Bytes)]
	tree = append([]byte(nil), tree...)
	x := freeBlock(e, 2, 0)
	node(tree[in+0x28:], 4, 1, craft.ExtentIndex(0, x))
	node(tree[x*craft.ExtBlockSize:], 84, 0, craft.ExtentLeaf(0, 4, x+1))
	f.Add(tree)
	for _, seed := range mkfsSeeds(f) {
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

// mkfsSeeds returns 128 KiB ext4 (no journal) and ext2 filesystems made by
// mkfs from a small tree, or none when mkfs is not installed.
func mkfsSeeds(f *testing.F) [][]byte {
	if _, err := exec.LookPath("mkfs.ext4"); err != nil {
		return nil
	}
	dir := f.TempDir()
	for name, content := range map[string]string{"boot/vmlinuz-1": "kernel", "boot/initrd.img-1": "initrd", "etc/hostname": "x"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), bytes.Repeat([]byte(content), 300), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.Symlink("boot/vmlinuz-1", filepath.Join(dir, "vmlinuz")); err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, kind := range []string{"ext4", "ext2"} {
		img := filepath.Join(f.TempDir(), kind)
		args := []string{"-q", "-b", "1024", "-N", "32", "-O", "^has_journal,^resize_inode", "-d", dir, img, "128k"}
		if b, err := exec.Command("mkfs."+kind, args...).CombinedOutput(); err != nil {
			f.Fatalf("mkfs.%s: %v: %s", kind, err, b)
		}
		b, err := os.ReadFile(img)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
