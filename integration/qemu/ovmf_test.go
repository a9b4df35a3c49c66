package qemu

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func touch(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("fw"), 0o644))
}

func TestFindOVMFPrefersSplitFirmwareWithItsVariables(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	touch(t, filepath.Join(root, "usr/share/ovmf/OVMF.fd"))
	touch(t, filepath.Join(root, "usr/share/OVMF/OVMF_CODE_4M.fd")) // no VARS_4M beside it
	touch(t, filepath.Join(root, "usr/share/OVMF/OVMF_CODE.fd"))
	touch(t, filepath.Join(root, "usr/share/OVMF/OVMF_VARS.fd"))
	fw, err := findOVMF(root, ovmfCandidates)
	require.NoError(t, err)
	assert.Equal(t, Firmware{
		Code: filepath.Join(root, "usr/share/OVMF/OVMF_CODE.fd"),
		Vars: filepath.Join(root, "usr/share/OVMF/OVMF_VARS.fd"),
	}, fw)
}

func TestFindOVMFFallsBackToACombinedImage(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	touch(t, filepath.Join(root, "usr/share/qemu/OVMF.fd"))
	fw, err := findOVMF(root, ovmfCandidates)
	require.NoError(t, err)
	assert.Equal(t, Firmware{Code: filepath.Join(root, "usr/share/qemu/OVMF.fd")}, fw)
}

func TestFindOVMFNamesThePathsItTried(t *testing.T) {
	t.Parallel()
	_, err := findOVMF(t.TempDir(), ovmfCandidates)
	require.ErrorContains(t, err, "OVMF_CODE_4M.fd")
	require.ErrorContains(t, err, "apt-get install ovmf")
}
