package kernel

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
	"github.com/tripleo/diskimage-builder/internal/fuzzguard"
)

// FuzzFind runs the whole kernel search over a raw image made of the
// fuzzed bytes: partition table, filesystems, links, version order, then
// reads the kernel and initrd it finds as Extract would (with a smaller
// limit, to keep each run short). Seeds: crafted GPT, MBR and bare
// images with ext4 and FAT, and an ext2 made by mkfs when installed.
func FuzzFind(f *testing.F) {
	boot := []craft.File{{Path: "vmlinuz-6.1.0", Data: []byte("kernel")}, {Path: "initrd.img-6.1.0", Data: []byte("initrd")}}
	root := []craft.File{{Path: "boot/vmlinuz-6.1.0", Data: []byte("old")}, {Path: "boot/initrd.img-6.1.0", Data: []byte("old")},
		{Path: "boot/vmlinuz-6.12.10", Data: bytes.Repeat([]byte("new"), 500)}, {Path: "boot/initrd.img-6.12.10", Data: []byte("new")},
		{Path: "vmlinuz", Link: "boot/vmlinuz-6.12.10"}, {Path: "initrd.img", Link: "/boot/initrd.img-6.12.10"}}
	ext, fat := craft.BuildExt(root, 0).Bytes, craft.BuildFAT(12, 60, boot).Bytes
	f.Add(craft.GPT(int64(len(ext)+len(fat))+64<<10, craft.Part{Start: 40, Data: fat}, craft.Part{Start: 40 + uint64(len(fat))/512, Data: ext}))
	f.Add(craft.MBR(int64(len(fat))+4096, craft.Part{Start: 8, Data: fat, Type: 0x0c}))
	f.Add(ext)
	if seed := mkfsSeed(f); seed != nil {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzguard.Run(t, func() {
			found, fsys, err := searchIn(context.Background(), bytes.NewReader(b), int64(len(b)), "fuzz.raw", "raw")
			if err != nil {
				return
			}
			for _, name := range []string{found.Kernel, found.Initrd} {
				_ = copyOut(io.Discard, fsys, name, "file", 8<<20)
			}
		})
	})
}

// mkfsSeed returns a GPT image of one ext2 partition made by mkfs from
// a root tree, or nil when mkfs.ext2 is not installed.
func mkfsSeed(f *testing.F) []byte {
	if _, err := exec.LookPath("mkfs.ext2"); err != nil {
		return nil
	}
	dir := f.TempDir()
	for name, content := range map[string]string{"boot/vmlinuz-6.12.10-amd64": "kernel", "boot/initrd.img-6.12.10-amd64": "initrd"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.Symlink("boot/vmlinuz-6.12.10-amd64", filepath.Join(dir, "vmlinuz")); err != nil {
		f.Fatal(err)
	}
	img := filepath.Join(f.TempDir(), "ext2")
	if out, err := exec.Command("mkfs.ext2", "-q", "-b", "1024", "-N", "32", "-O", "^resize_inode", "-d", dir, img, "96k").CombinedOutput(); err != nil {
		f.Fatalf("mkfs.ext2: %v: %s", err, out)
	}
	b, err := os.ReadFile(img)
	if err != nil {
		f.Fatal(err)
	}
	return craft.GPT(int64(len(b))+48<<10, craft.Part{Start: 40, Data: b})
}

// FuzzSearchWithABudget runs the whole kernel search over fuzzed images
// seeded with hostile link farms, with a small budget: every run ends,
// found or refused, and a run that spends its budget says so.
func FuzzSearchWithABudget(f *testing.F) {
	for _, e := range []*craft.Ext{deepLinks(40, 6), plainBoot(), manyKernels(30)} {
		f.Add(craft.GPT(int64(2*len(e.Bytes))+64<<10, craft.Part{Start: 40, Data: e.Bytes}, craft.Part{Start: 40, Data: e.Bytes}))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzguard.Run(t, func() {
			bud := budgetOf(context.Background(), 20000, 500)
			found, _, err := searchWith(bud, bytes.NewReader(b), int64(len(b)), "fuzz.raw", "raw")
			if err == nil && found.Kernel == "" {
				t.Fatalf("a search that found nothing and said nothing")
			}
			if bud.work < -1000 || bud.hops < -1 {
				t.Fatalf("the search went on past its budget: work %d, hops %d left", bud.work, bud.hops)
			}
		})
	})
}
