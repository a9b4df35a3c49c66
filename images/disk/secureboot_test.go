package disk

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/disk/grub"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestSignedESPPutsShimOnTheRemovablePathAndTheChainWhereTheSignedGrubLooks(t *testing.T) {
	t.Parallel()
	c := SignedChain{Shim: "/t/shim", Fallback: "/t/fb", MokManager: "/t/mm", Grub: "/t/grub"}
	assert.Equal(t, map[string]string{
		"/EFI/BOOT/BOOTX64.EFI":   "/t/shim",
		"/EFI/BOOT/fbx64.efi":     "/t/fb",
		"/EFI/BOOT/mmx64.efi":     "/t/mm",
		"/EFI/BOOT/grubx64.efi":   "/t/grub",
		"/EFI/debian/shimx64.efi": "/t/shim",
		"/EFI/debian/mmx64.efi":   "/t/mm",
		"/EFI/debian/grubx64.efi": "/t/grub",
		"/EFI/debian/BOOTX64.CSV": "/w/csv",
		"/EFI/debian/grub.cfg":    "/w/cfg",
	}, SignedESP(c, "/EFI/debian", "/w/cfg", "/w/csv"))
	assert.Equal(t, map[string]string{"/EFI/BOOT/BOOTX64.EFI": "/w/x.efi"}, UnsignedESP("/w/x.efi"))
}

func TestESPGrubCfgGoesOnWithTheRootFilesystemsGrubCfg(t *testing.T) {
	t.Parallel()
	cfg := ESPGrubCfg("1234")
	assert.Contains(t, cfg, "search --no-floppy --fs-uuid --set=root 1234\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n")
}

func TestBootCSVIsOneUCS2LineNamingShimBesideIt(t *testing.T) {
	t.Parallel()
	b := BootCSV("debian")
	require.Zero(t, len(b)%2)
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	assert.Equal(t, "shimx64.efi,debian,,This is the boot entry for debian\n", string(utf16.Decode(u)))
}

// efiApp makes a GRUB EFI application with the tree's grub-mkimage, built
// with prefix: a PE file to stand in for the signed chain.
func efiApp(t *testing.T, tree, prefix string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "app.efi")
	img := grub.Image{Platform: grub.EFI, Modules: []string{"normal"}, Prefix: prefix}
	require.NoError(t, grub.Mkimage(context.Background(), tree, img, out, nil))
	return out
}

// fakeSign gives the PE file at p a certificate table (8 bytes appended),
// which is all checkSigned looks for.
func fakeSign(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	opt := int(binary.LittleEndian.Uint32(b[0x3c:])) + 24
	require.Equal(t, uint16(0x20b), binary.LittleEndian.Uint16(b[opt:]), "PE32+")
	dir := opt + 112 + 4*8 // data directory entry 4: the certificate table
	binary.LittleEndian.PutUint32(b[dir:], uint32(len(b)))
	binary.LittleEndian.PutUint32(b[dir+4:], 8)
	require.NoError(t, os.WriteFile(p, append(b, make([]byte, 8)...), 0o644))
}

// installChain puts a stand-in signed chain into tree: each file a
// distinct, fake-signed EFI application; GRUB's prefix is prefix.
func installChain(t *testing.T, tree, prefix string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for i, p := range []string{signedShim, signedFallback, signedMokManager, signedGrub} {
		app := efiApp(t, tree, prefix+"/"+strconv.Itoa(i))
		if p == signedGrub {
			app = efiApp(t, tree, prefix)
		}
		fakeSign(t, app)
		b, err := os.ReadFile(app)
		require.NoError(t, err)
		writeFiles(t, tree, map[string]string{p: string(b)})
		files[p] = b
	}
	return files
}

func TestSecureBootBuildWritesTheTreesSignedChainOntoTheESPAndKeepsBIOSBoot(t *testing.T) {
	testenv.Short(t)
	testenv.RequireCommands(t, "mcopy", "mtype")
	tree := baseTree(t)
	chain := installChain(t, tree, "/EFI/debian")
	out := filepath.Join(t.TempDir(), "vm.raw")
	res, err := Build(context.Background(), tree, out, Spec{SecureBoot: true, Seed: "sb"})
	require.NoError(t, err)
	esp, _ := res.Layout.Partition(ESP)
	img := out + "@@" + strconv.FormatInt(esp.Start, 10)
	env := append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	read := func(p string) []byte {
		dst := filepath.Join(t.TempDir(), "f")
		_, err := run.Run(context.Background(), run.Cmd{Argv: []string{"mcopy", "-i", img, "::" + p, dst}, Env: env})
		require.NoError(t, err, p)
		b, err := os.ReadFile(dst)
		require.NoError(t, err)
		return b
	}
	for dst, src := range map[string]string{
		"/EFI/BOOT/BOOTX64.EFI": signedShim, "/EFI/BOOT/fbx64.efi": signedFallback,
		"/EFI/BOOT/mmx64.efi": signedMokManager, "/EFI/BOOT/grubx64.efi": signedGrub,
		"/EFI/debian/shimx64.efi": signedShim, "/EFI/debian/mmx64.efi": signedMokManager,
		"/EFI/debian/grubx64.efi": signedGrub,
	} {
		assert.Equal(t, chain[src], read(dst), "%s is %s", dst, src)
	}
	assert.Equal(t, ESPGrubCfg(res.RootUUID), string(read("/EFI/debian/grub.cfg")))
	assert.Equal(t, BootCSV("debian"), read("/EFI/debian/BOOTX64.CSV"))
	listing, err := run.Output(context.Background(), "mdir", "-i", img, "-/", "-b", "::")
	require.NoError(t, err)
	t.Logf("ESP:\n%s", listing)

	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	mbr := make([]byte, 512)
	_, err = f.ReadAt(mbr, 0)
	require.NoError(t, err)
	bios, _ := res.Layout.Partition(BIOSBoot)
	assert.Equal(t, uint64(bios.Start/512), binary.LittleEndian.Uint64(mbr[0x5c:]), "BIOS boot code as without Secure Boot")
}

func TestSecureBootRefusesATreeWithoutASignedChainAKernelOrAGrubPrefixItCanUse(t *testing.T) {
	testenv.Short(t)
	tree := baseTree(t)
	_, err := Plan(tree, Spec{SecureBoot: true})
	assert.ErrorContains(t, err, "install shim-signed, or set DIB_SECURE_BOOT=0")

	installChain(t, tree, "/EFI/debian")
	_, err = FindSignedChain(tree)
	require.NoError(t, err)
	for _, bad := range []string{"/boot/grub", "(hd0,gpt2)/EFI/debian", "/EFI/a b", "/EFI/../x", "/EFI/..", "/EFI/"} {
		_, err := VendorDir(efiApp(t, tree, bad))
		assert.ErrorContains(t, err, "want a directory of the ESP", bad)
	}

	k, err := FindKernel(tree)
	require.NoError(t, err)
	kp := filepath.Join(tree, "boot", "vmlinuz-"+k.Version)
	require.NoError(t, os.Remove(kp))
	require.NoError(t, os.Rename(efiApp(t, tree, "/x"), kp))
	out := filepath.Join(t.TempDir(), "vm.raw")
	_, err = Build(context.Background(), tree, out, Spec{SecureBoot: true})
	assert.ErrorContains(t, err, "would not boot")
	assert.NoFileExists(t, out)

	b, err := os.ReadFile(efiApp(t, tree, "/EFI/debian"))
	require.NoError(t, err)
	writeFiles(t, tree, map[string]string{signedGrub: string(b)})
	_, err = FindSignedChain(tree)
	assert.ErrorContains(t, err, "not signed")
}
