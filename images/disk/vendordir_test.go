package disk

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/disk/grub"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// bookwormMemdiskCfg is shaped as the grub.cfg in the memdisk of
// bookworm's signed GRUB: the prefix's grub.cfg when the prefix exists.
const bookwormMemdiskCfg = `if [ -z "$prefix" -o ! -e "$prefix" ]; then
	search --file --set=root /.disk/info
	set prefix=($root)/boot/grub
fi
if [ -e $prefix/x86_64-efi/grub.cfg ]; then
	source $prefix/x86_64-efi/grub.cfg
elif [ -e $prefix/grub.cfg ]; then
	source $prefix/grub.cfg
else
	source $cmdpath/grub.cfg
fi
`

// memdiskApp makes a GRUB EFI application with prefix /EFI/debian, the
// embedded configuration config and a FAT memdisk holding memdiskCfg as
// grub.cfg.
func memdiskApp(t *testing.T, tree, config, memdiskCfg string) string {
	t.Helper()
	dir := t.TempDir()
	cfg, fat := filepath.Join(dir, "grub.cfg"), filepath.Join(dir, "memdisk.fat")
	require.NoError(t, os.WriteFile(cfg, []byte(memdiskCfg), 0o644))
	for _, argv := range [][]string{{"mkfs.vfat", "-C", fat, "1024"}, {"mcopy", "-i", fat, cfg, "::grub.cfg"}} {
		_, err := run.Run(context.Background(), run.Cmd{Argv: argv})
		require.NoError(t, err)
	}
	out := filepath.Join(dir, "app.efi")
	img := grub.Image{Platform: grub.EFI, Modules: []string{"normal", "memdisk", "fat"}, Prefix: "/EFI/debian", Config: config, Memdisk: fat}
	require.NoError(t, grub.Mkimage(context.Background(), tree, img, out, nil))
	return out
}

func TestVendorDirTakesAMemdiskConfigurationThatReadsThePrefixsGrubCfg(t *testing.T) {
	testenv.Short(t)
	testenv.RequireCommands(t, "mkfs.vfat", "mcopy")
	tree := baseTree(t)
	dir, err := VendorDir(memdiskApp(t, tree, "normal (memdisk)/grub.cfg\n", bookwormMemdiskCfg))
	require.NoError(t, err, "bookworm's signed GRUB")
	assert.Equal(t, "/EFI/debian", dir)

	_, err = VendorDir(memdiskApp(t, tree, "normal (memdisk)/grub.cfg\n", "source $cmdpath/grub.cfg\n"))
	assert.ErrorContains(t, err, "never sources $prefix/grub.cfg")
	_, err = VendorDir(memdiskApp(t, tree, "configfile (hd0,gpt2)/x.cfg\n", bookwormMemdiskCfg))
	assert.ErrorContains(t, err, `embedded configuration that does not read $prefix/grub.cfg: it is "configfile (hd0,gpt2)/x.cfg\n"`)
}
