package images_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// TestALinkAtAnyOutputsNameIsRefusedForACaller: a build for a caller
// (through sudo) checks every output it will place, the image properties
// and checksums too, and the bill of materials, and refuses a link at any
// of their names.
func TestALinkAtAnyOutputsNameIsRefusedForACaller(t *testing.T) {
	testenv.RequireRoot(t)
	nobody := &rootfs.Owner{Name: "nobody", UID: 65534, GID: 65534}
	for _, out := range []string{"img.qcow2", "img.qcow2.properties.json", "img.qcow2.sha256", "img.tar.md5", "img.cdx.json"} {
		t.Run(out, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
			require.NoError(t, os.Chmod(dir, 0o777))
			require.NoError(t, os.Symlink("/etc/shadow", filepath.Join(dir, out)))
			spec := images.Spec{Name: filepath.Join(dir, "img"), Types: []string{"qcow2", "tar"}, Checksum: true,
				Flavours: []string{"base"}, Owner: nobody}
			_, err := spec.Plan()
			assert.ErrorContains(t, err, "output "+filepath.Join(dir, out)+" is a symbolic link: refused")
		})
	}
}
