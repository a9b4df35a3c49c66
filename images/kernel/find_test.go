package kernel

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func link(target string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink}
}

func regular(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestFindInPicksNewestKernelThatHasAnInitrd(t *testing.T) {
	t.Parallel()
	b, err := FindIn(fstest.MapFS{
		"boot/vmlinuz-6.12.9-amd64":     regular("k9"),
		"boot/initrd.img-6.12.9-amd64":  regular("i9"),
		"boot/vmlinuz-6.12.10-amd64":    regular("k10"),
		"boot/initrd.img-6.12.10-amd64": regular("i10"),
		"boot/vmlinuz-6.13.0-amd64":     regular("no initrd"),
	})
	require.NoError(t, err)
	assert.Equal(t, Boot{Kernel: "boot/vmlinuz-6.12.10-amd64", Initrd: "boot/initrd.img-6.12.10-amd64", Version: "6.12.10-amd64"}, b)
}

func TestFindInKnowsOtherDistributionsInitrdNames(t *testing.T) {
	t.Parallel()
	b, err := FindIn(fstest.MapFS{
		"vmlinuz-5.14.0-427.el9.x86_64":       regular("k"),
		"initramfs-5.14.0-427.el9.x86_64.img": regular("i"),
		"vmlinuz-0-rescue-0123456789abcdef":   regular("rescue"),
	})
	require.NoError(t, err)
	assert.Equal(t, "vmlinuz-5.14.0-427.el9.x86_64", b.Kernel)
	assert.Equal(t, "initramfs-5.14.0-427.el9.x86_64.img", b.Initrd)
}

func TestFindInFollowsRelativeAndAbsoluteLinks(t *testing.T) {
	t.Parallel()
	b, err := FindIn(fstest.MapFS{
		"vmlinuz":          link("boot/vmlinuz-6.1.0-28-amd64"),
		"initrd.img":       link("/boot/initrd.img-6.1.0-28-amd64"),
		"boot/vmlinuz-new": link("../boot/./vmlinuz-6.1.0-28-amd64"),
		"boot/real-kernel": regular("k"),
		"boot/real-initrd": regular("i"),
		// the versioned names are themselves links
		"boot/vmlinuz-6.1.0-28-amd64":    link("real-kernel"),
		"boot/initrd.img-6.1.0-28-amd64": link("/../boot/real-initrd"),
	})
	require.NoError(t, err)
	assert.Equal(t, Boot{Kernel: "boot/real-kernel", Initrd: "boot/real-initrd", Version: "6.1.0-28-amd64"}, b)
}

func TestFindInReportsMissingKernelAndMissingInitrd(t *testing.T) {
	t.Parallel()
	_, err := FindIn(fstest.MapFS{"boot/grub/grub.cfg": regular("")})
	require.ErrorIs(t, err, ErrNoKernel)
	assert.Contains(t, err.Error(), "/boot")
	_, err = FindIn(fstest.MapFS{"boot/vmlinuz-1": regular("k"), "vmlinuz": link("/nowhere")})
	require.ErrorIs(t, err, ErrNoKernel)
	assert.Contains(t, err.Error(), "no initrd for boot/vmlinuz-1")
	_, err = FindIn(fstest.MapFS{"vmlinuz": link("vmlinuz")})
	require.ErrorIs(t, err, ErrNoKernel)
}
