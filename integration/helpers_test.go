package integration

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

func ensureDir(d string) error { return os.MkdirAll(d, 0o755) }

// copyDisk copies a disk file (sparse) into t's directory, so a boot does
// not change the shared image.
func copyDisk(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "disk"+filepath.Ext(src))
	_, err := run.Run(context.Background(), run.Cmd{Argv: []string{"cp", "--sparse=always", src, dst}})
	require.NoError(t, err)
	return dst
}
