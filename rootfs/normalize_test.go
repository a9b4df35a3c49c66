package rootfs

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pyc is a bytecode file's header: time-checked with source time src, or
// hash-checked when src is zero.
func pyc(src time.Time) []byte {
	h := make([]byte, 24)
	copy(h, []byte{0xf3, 0x0d, '\r', '\n'})
	if src.IsZero() {
		binary.LittleEndian.PutUint32(h[4:], 3) // checked hash
	} else {
		binary.LittleEndian.PutUint32(h[8:], uint32(src.Unix()))
	}
	return h
}

func TestNormalizeRemovesWhatDiffersFromRunToRunAndKeepsTheRest(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	at := time.Unix(1795252544, 0)
	day := at.Unix() / 86400
	files := map[string][]byte{
		"var/log/dpkg.log":                    []byte("2026-12-01 install hello\n"),
		"var/log/apt/history.log":             []byte("Start-Date: 2026-12-01\n"),
		"var/log/apt/term.log":                nil,
		"var/log/alternatives.log":            nil,
		"var/cache/ldconfig/aux-cache":        nil,
		"var/cache/debconf/templates.dat-old": nil,
		"var/lib/dpkg/status-old":             nil,
		"var/lib/dbus/machine-id":             []byte("0123\n"),
		"var/lib/dpkg/status":                 []byte("Package: hello\n"),
		"var/cache/debconf/templates.dat":     nil,
		"var/log/README":                      nil,
		"usr/lib/python3/dist-packages/a/__pycache__/new.cpython-313.pyc":  pyc(at.Add(time.Hour)),
		"usr/lib/python3/dist-packages/a/__pycache__/old.cpython-313.pyc":  pyc(at.Add(-time.Hour)),
		"usr/lib/python3/dist-packages/a/__pycache__/hash.cpython-313.pyc": pyc(time.Time{}),
		"etc/shadow": []byte("root:*:" + itoa(day-10) + ":0:99999:7:::\nalice:$y$x:" + itoa(day+3) + ":0:99999:7:::\nbob:!::0:99999:7:::\n"),
	}
	for p, data := range files {
		full := filepath.Join(tree, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, data, 0o640))
	}
	r := &Root{Tree: tree, Result: Result{Epoch: at}}
	require.NoError(t, r.normalize(t.Context()))

	for _, gone := range []string{"var/log/dpkg.log", "var/log/apt/history.log", "var/log/apt/term.log", "var/log/alternatives.log",
		"var/cache/ldconfig/aux-cache", "var/cache/debconf/templates.dat-old", "var/lib/dpkg/status-old", "var/lib/dbus/machine-id",
		"usr/lib/python3/dist-packages/a/__pycache__/new.cpython-313.pyc"} {
		assert.NoFileExists(t, filepath.Join(tree, gone))
	}
	for _, kept := range []string{"var/lib/dpkg/status", "var/cache/debconf/templates.dat", "var/log/README",
		"usr/lib/python3/dist-packages/a/__pycache__/old.cpython-313.pyc", "usr/lib/python3/dist-packages/a/__pycache__/hash.cpython-313.pyc"} {
		assert.FileExists(t, filepath.Join(tree, kept))
	}
	shadow, err := os.ReadFile(filepath.Join(tree, "etc/shadow"))
	require.NoError(t, err)
	assert.Equal(t, "root:*:"+itoa(day-10)+":0:99999:7:::\nalice:$y$x:"+itoa(day)+":0:99999:7:::\nbob:!::0:99999:7:::\n", string(shadow))
	fi, err := os.Stat(filepath.Join(tree, "etc/shadow"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm(), "its mode is kept")
	assert.Equal(t, at.Unix(), fi.ModTime().Unix(), "times are clamped")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
