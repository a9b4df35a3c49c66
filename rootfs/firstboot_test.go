package rootfs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAFirstBootHookLinkedOutOfTheHooksTreeIsNotFollowed: the merged hooks
// tree holds links as a flavour had them; a first-boot hook that is a link
// to a host file is refused, and nothing of that file reaches the image.
func TestAFirstBootHookLinkedOutOfTheHooksTreeIsNotFollowed(t *testing.T) {
	t.Parallel()
	flv := filepath.Join(t.TempDir(), "fb")
	require.NoError(t, os.MkdirAll(filepath.Join(flv, "first-boot.d"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(flv, "first-boot.d", "10-hello"), []byte("#!/bin/sh\necho hello\n"), 0o755))
	p, err := Spec{Flavours: []string{"fb"}, FlavoursPath: []string{filepath.Dir(flv)}}.Plan()
	require.NoError(t, err)
	secret := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secret, []byte("SECRET\n"), 0o600))
	hooks := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(hooks, "first-boot.d"), 0o755))
	require.NoError(t, os.Symlink(secret, filepath.Join(hooks, "first-boot.d", "10-hello")))
	r := &Root{Plan: p, Tree: t.TempDir(), hooksDir: hooks, log: os.Stderr}
	err = r.installFirstBoot(context.Background())
	require.Error(t, err)
	assert.NoFileExists(t, filepath.Join(r.Tree, "usr/local/lib/dib/first-boot.d/10-hello"))
}
