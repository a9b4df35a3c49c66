package integration

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// requireBoot stops t unless the host can build and boot images.
func requireBoot(t *testing.T) {
	t.Helper()
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "qemu-img", "qemu-system-x86_64", "mkfs.ext4", "mkfs.vfat", "mcopy")
}

// builtImage is a vm image built once for all the boot tests.
type builtImage struct {
	once   sync.Once
	dir    string
	name   string
	result *images.Result
	log    bytes.Buffer
	err    error
}

var bootImage builtImage

// vmImage builds (once) the dib-test-boot image as raw and qcow2 and
// returns its name (outputs are NAME.raw and NAME.qcow2).
func vmImage(t *testing.T) string {
	t.Helper()
	requireBoot(t)
	b := &bootImage
	b.once.Do(func() {
		dir, err := filepath.Abs("testdata/flavours")
		if err != nil {
			b.err = err
			return
		}
		// Outside any one test's directory: the image serves several tests.
		b.dir = filepath.Join(testenv.CacheDir(), "integration")
		b.name = filepath.Join(b.dir, "boot-test")
		if err := ensureDir(b.dir); err != nil {
			b.err = err
			return
		}
		spec := images.Spec{
			Name: b.name, Flavours: []string{"dib-test-boot"}, Types: []string{"raw", "qcow2"},
			FlavoursPath: []string{dir}, CacheDir: testenv.CacheDir(), Overwrite: true, Log: &b.log,
			Env: []string{},
		}
		b.result, b.err = images.Build(context.Background(), spec)
	})
	if b.err != nil {
		t.Logf("build log:\n%s", b.log.String())
	}
	require.NoError(t, b.err, "build the boot test image")
	return b.name
}

// rootUUID is the root filesystem UUID of the built image.
func (b *builtImage) rootUUID(t *testing.T) string {
	require.NotEmpty(t, b.result.RootUUID)
	return b.result.RootUUID
}
