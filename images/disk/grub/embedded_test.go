package grub

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadEmbeddedFindsThePrefixAndConfigGrubMkimageBuiltIn(t *testing.T) {
	t.Parallel()
	tree := testTree(t)
	out := filepath.Join(t.TempDir(), "grubx64.efi")
	img := Image{Platform: EFI, Modules: EFIModules, Config: "echo hello\n", Prefix: "/EFI/debian"}
	require.NoError(t, Mkimage(context.Background(), tree, img, out, nil))
	e, err := ReadEmbedded(out)
	require.NoError(t, err)
	assert.Equal(t, Embedded{Prefix: "/EFI/debian", Config: "echo hello\n"}, e)
}

// moduleArea builds a mods section: the area header, then objects.
func moduleArea(objs ...[]byte) []byte {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint32(b, moduleMagic)
	binary.LittleEndian.PutUint64(b[8:], 24)
	for _, o := range objs {
		b = append(b, o...)
	}
	binary.LittleEndian.PutUint64(b[16:], uint64(len(b)))
	return b
}

// object is one module object of typ holding body, padded as
// grub-mkimage pads strings.
func object(typ uint32, body string) []byte {
	o := make([]byte, 8, 8+len(body)+4)
	o = append(o, body...)
	o = append(o, 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(o, typ)
	binary.LittleEndian.PutUint32(o[4:], uint32(len(o)))
	return o
}

func TestParseModulesSkipsModulesAndReadsStrings(t *testing.T) {
	t.Parallel()
	e, err := parseModules(moduleArea(object(0, "\x7fELF..."), object(1, "hsqs"), object(objPrefix, "/EFI/debian")))
	require.NoError(t, err)
	assert.Equal(t, Embedded{Prefix: "/EFI/debian", Memdisk: []byte("hsqs\x00\x00\x00\x00")}, e)
}

func TestParseModulesRefusesSizesBeyondTheSection(t *testing.T) {
	t.Parallel()
	tooBig := object(objPrefix, "/EFI/x")
	binary.LittleEndian.PutUint32(tooBig[4:], 1<<30)
	zero := object(objPrefix, "/EFI/x")
	binary.LittleEndian.PutUint32(zero[4:], 0)
	area := moduleArea(object(objPrefix, "/EFI/x"))
	binary.LittleEndian.PutUint64(area[16:], uint64(len(area)+1))
	for name, b := range map[string][]byte{
		"object size":     moduleArea(tooBig),
		"zero size":       moduleArea(zero),
		"area size":       area,
		"no magic":        make([]byte, 64),
		"short":           {1, 2, 3},
		"truncated entry": moduleArea([]byte{3, 0, 0}),
	} {
		_, err := parseModules(b)
		assert.Error(t, err, name)
	}
}

func TestReadEmbeddedOfAFileThatIsNotAGrubImageSaysSo(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "x.efi")
	require.NoError(t, os.WriteFile(p, []byte("MZ not really"), 0o644))
	_, err := ReadEmbedded(p)
	assert.ErrorContains(t, err, p)
}

func FuzzParseModules(f *testing.F) {
	f.Add(moduleArea(object(objPrefix, "/EFI/debian"), object(objConfig, "x")))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseModules(b)
	})
}
