package kernel

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// BenchmarkExtract reads a realistic image: 1.5 GiB, GPT with an ESP and
// an ext4 root holding about 200 MB, of which a 10 MB kernel and a 40 MB
// initrd; as raw and as the zstd-compressed qcow2 the project ships.
func BenchmarkExtract(b *testing.B) {
	testenv.RequireCommands(b, "qemu-img")
	files, links := debianBoot()
	files["boot/vmlinuz-6.12.10-amd64"] = string(randomBytes(10 << 20))
	files["boot/initrd.img-6.12.10-amd64"] = string(randomBytes(40 << 20))
	for i := range 150 { // 150 MB of other content, half of it compressible
		data := randomBytes(1<<20 + i)
		if i%2 == 0 {
			clear(data[len(data)/2:])
		}
		files[fmt.Sprintf("usr/lib/file-%03d", i)] = string(data)
	}
	raw := makeDisk(b, "gpt", part{fs: "vfat", mib: 64, args: []string{"-F", "16"}}, part{fs: "ext4", tree: tree(b, files, links), mib: 1470})
	images := map[string]string{
		"raw":        raw,
		"qcow2-zstd": convert(b, raw, "qcow2", "-c", "-o", "compression_type=zstd"),
		"qcow2-zlib": convert(b, raw, "qcow2", "-c"),
	}
	for _, name := range []string{"raw", "qcow2-zstd", "qcow2-zlib"} {
		b.Run(name, func(b *testing.B) {
			out := b.TempDir()
			for b.Loop() {
				res, err := Extract(context.Background(), Options{Image: images[name], Dir: out})
				require.NoError(b, err)
				require.Equal(b, filepath.Join(out, "disk-vmlinuz"), res.Kernel)
			}
			st, err := os.Stat(filepath.Join(out, "disk-initrd"))
			require.NoError(b, err)
			require.Equal(b, int64(40<<20), st.Size())
		})
	}
}
