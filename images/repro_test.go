package images_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/diskfs/go-diskfs/partition/gpt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/images/disk"
	"github.com/tripleo/diskimage-builder/images/format"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/sbom"
	"github.com/tripleo/diskimage-builder/sbom/sbomtest"
)

// TestTheSameInputsGiveTheSameBytesAndChangedInputsOrSeedsOtherOnes builds
// one spec (vm, every output type, a package from apt, a hook that makes
// users and caches) four times from the shared cache: in-process (the
// reference build), and with the command on another host name with
// another TMPDIR, at the same time, in other directories; then with one
// byte of a hook changed, and with another seed. The first two are the
// same bytes; the third differs in every output; the fourth only where its
// identifiers are.
func TestTheSameInputsGiveTheSameBytesAndChangedInputsOrSeedsOtherOnes(t *testing.T) {
	requireBuilder(t)
	t.Parallel() // with the cold cache test, which compares with the same reference build
	cache := testenv.CacheDir()
	b := reproSpec(t, reproFlavours(t), cache)
	var ref *reference
	var errB error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ref = referenceBuild(t) }()
	go func() { defer wg.Done(); errB = buildWithCommand(t, b, "dib-repro-elsewhere", t.TempDir()) }()
	wg.Wait()
	require.NoError(t, ref.err)
	require.NoError(t, errB)
	a, resA, sumsA := ref.spec, ref.res, ref.sums
	assert.Equal(t, sumsA, sums(t, b), "two builds of the same inputs")
	assert.Equal(t, a.Name+sbom.Ext, resA.SBOM)
	checkBillOfMaterials(t, a, sumsA)
	checkStampedWith(t, a, baseStamp(t, a).Epoch) // unset: the release file's date

	// One byte of a comment in a hook, and another seed.
	changed := reproSpec(t, reproFlavours(t), cache)
	hook := filepath.Join(changed.FlavoursPath[0], "dib-test-repro/install.d/50-repro")
	data, err := os.ReadFile(hook)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(hook, bytes.Replace(data, []byte("# Leaves"), []byte("# leaves"), 1), 0o755))
	seeded := reproSpec(t, ref.flavours, cache)
	seeded.Seed = "another seed"
	var resC, resD *images.Result
	var errC, errD error
	wg.Add(2)
	go func() { defer wg.Done(); resC, errC = images.Build(context.Background(), changed) }()
	go func() { defer wg.Done(); resD, errD = images.Build(context.Background(), seeded) }()
	wg.Wait()
	require.NoError(t, errC)
	require.NoError(t, errD)
	sumsC := sums(t, changed)
	for name, sum := range sumsA {
		assert.NotEqual(t, sum, sumsC[name], "%s changes with a hook", name)
	}
	assert.NotEqual(t, resA.RootUUID, resC.RootUUID)
	checkOnlyIdentifiersDiffer(t, a, seeded, resA, resD)
}

// checkBillOfMaterials validates the bill of materials of spec's build
// against the CycloneDX schema and checks what it lists: the outputs with
// their sums, the flavours, and the packages dpkg-query lists inside the
// image.
func checkBillOfMaterials(t *testing.T, spec images.Spec, sums map[string]string) {
	t.Helper()
	doc, err := os.ReadFile(spec.Name + sbom.Ext)
	require.NoError(t, err)
	require.NoError(t, sbomtest.Validate(context.Background(), doc))
	d, err := sbomtest.Read(doc)
	require.NoError(t, err)
	listed := map[string]string{}
	var pkgs []string
	for _, c := range d.Components {
		switch {
		case c.Type == "file":
			listed[c.Name] = c.SHA256()
		case c.Group == "flavour":
			assert.Len(t, c.SHA256(), 64, "flavour %s has a digest", c.Name)
			listed["flavour "+c.Name] = "yes"
		case c.PURL != "":
			pkgs = append(pkgs, c.Name+" "+c.Version+" "+c.Prop("dib:deb:arch"))
			require.NotEmpty(t, c.Pedigree.Ancestors, "%s names its source", c.Name)
			src := c.Pedigree.Ancestors[0]
			upstream := src.Name
			if src.Version != c.Version {
				upstream += "@" + src.Version
			}
			assert.Equal(t, sbom.DebPURL(c.Name, c.Version, c.Prop("dib:deb:arch"), upstream, "13"), c.PURL)
		}
	}
	for name, sum := range sums {
		if !strings.HasSuffix(name, sbom.Ext) {
			assert.Equal(t, sum, listed[name], "the bill of materials has %s's sha256", name)
		}
	}
	assert.Equal(t, "yes", listed["flavour dib-test-repro"])
	assert.Equal(t, "yes", listed["flavour vm"])

	// The packages are those dpkg-query lists inside the image (its tar).
	tree := t.TempDir()
	_, err = run.Run(context.Background(), run.Cmd{Argv: []string{"tar", "-xpf", spec.Output("tar"), "-C", tree, "--numeric-owner"}})
	require.NoError(t, err)
	out, err := run.Output(context.Background(), "chroot", tree, "dpkg-query", "-W",
		"-f", `${db:Status-Status} ${Package} ${Version} ${Architecture}\n`)
	require.NoError(t, err)
	var want []string
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "installed "); ok {
			want = append(want, rest)
		}
	}
	assert.ElementsMatch(t, want, pkgs)
	assert.Contains(t, pkgs, "hello 2.10-5 amd64", "the -p package")
}

// checkOnlyIdentifiersDiffer compares two builds of the same inputs with
// different seeds: every identifier differs; the trees differ only in the
// two files that name them; the bills of materials only in the outputs'
// sums and their serial numbers.
func checkOnlyIdentifiersDiffer(t *testing.T, a, b images.Spec, resA, resB *images.Result) {
	t.Helper()
	assert.NotEqual(t, resA.RootUUID, resB.RootUUID, "root filesystem UUID")
	ta, tb := readGPT(t, a.Output("raw")), readGPT(t, b.Output("raw"))
	assert.NotEqual(t, ta.GUID, tb.GUID, "disk GUID")
	require.Equal(t, len(ta.Partitions), len(tb.Partitions))
	for i := range ta.Partitions {
		pa, pb := *ta.Partitions[i], *tb.Partitions[i]
		if pa.Type != gpt.Unused {
			assert.NotEqual(t, pa.GUID, pb.GUID, "partition %d GUID", i+1)
		}
		pa.GUID, pb.GUID = "", ""
		assert.Equal(t, pa, pb, "partition %d the same otherwise", i+1)
	}
	esp, root := partStart(t, ta, disk.TypeESP), partStart(t, ta, disk.TypeLinux)
	assert.NotEqual(t, blkidValue(t, a.Output("raw"), esp, "UUID"), blkidValue(t, b.Output("raw"), esp, "UUID"), "FAT serial")
	assert.NotEqual(t, hashSeed(t, a.Output("raw"), root), hashSeed(t, b.Output("raw"), root), "ext4 hash seed")
	va, err := format.ReadVHDFooter(a.Output("vhd"))
	require.NoError(t, err)
	vb, err := format.ReadVHDFooter(b.Output("vhd"))
	require.NoError(t, err)
	assert.NotEqual(t, va.UUID, vb.UUID, "vhd UUID")
	assert.Equal(t, va.Time, vb.Time, "the same time")
	ma, err := format.ReadVMDK(a.Output("vmdk"))
	require.NoError(t, err)
	mb, err := format.ReadVMDK(b.Output("vmdk"))
	require.NoError(t, err)
	assert.NotEqual(t, ma.CID, mb.CID, "vmdk CID")
	assert.Equal(t, reproName+".vmdk", ma.Extent, "the vmdk names its own file")

	assert.Equal(t, []string{"./boot/grub/grub.cfg", "./etc/fstab"}, differing(tarDigest(t, a.Output("tar")), tarDigest(t, b.Output("tar"))),
		"the trees differ only where the identifiers are named")
	da, err := os.ReadFile(a.Name + sbom.Ext)
	require.NoError(t, err)
	db, err := os.ReadFile(b.Name + sbom.Ext)
	require.NoError(t, err)
	ca, cb := bomComponents(t, da), bomComponents(t, db)
	assert.Equal(t, []string{"qcow2", "raw", "tar", "vhd", "vmdk"}, differing(ca, cb), "the bills of materials differ in the outputs' sums only")
}

// bomComponents is every component of a document by name (outputs by
// type), with its version, purl and hash.
func bomComponents(t *testing.T, doc []byte) map[string]string {
	d, err := sbomtest.Read(doc)
	require.NoError(t, err)
	m := map[string]string{"metadata": d.Metadata.Timestamp + " " + d.Metadata.Component.Name}
	for _, c := range d.Components {
		m[strings.TrimPrefix(c.Name, reproName+".")] = c.Version + " " + c.PURL + " " + c.SHA256()
	}
	return m
}

// readGPT reads the GPT of a raw image.
func readGPT(t *testing.T, raw string) *gpt.Table {
	fh, err := os.Open(raw)
	require.NoError(t, err)
	defer fh.Close()
	tbl, err := gpt.Read(fh, 512, 512)
	require.NoError(t, err)
	return tbl
}

// partStart is the offset in bytes of the partition of type typ.
func partStart(t *testing.T, tbl *gpt.Table, typ string) int64 {
	for _, p := range tbl.Partitions {
		if strings.EqualFold(string(p.Type), typ) {
			return int64(p.Start) * 512
		}
	}
	t.Fatalf("no partition of type %s", typ)
	return 0
}

func blkidValue(t *testing.T, img string, offset int64, key string) string {
	out, err := run.Output(context.Background(), "blkid", "-p", "-O", itoa(offset), "-o", "value", "-s", key, img)
	require.NoError(t, err)
	return out
}

func hashSeed(t *testing.T, raw string, offset int64) string {
	out, err := run.Output(context.Background(), "dumpe2fs", "-h", raw+"?offset="+itoa(offset))
	require.NoError(t, err)
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "Directory Hash Seed:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no hash seed in dumpe2fs -h of %s", raw)
	return ""
}
