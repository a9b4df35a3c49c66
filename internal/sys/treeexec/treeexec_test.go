package treeexec_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/sys/treeexec"
	"github.com/tripleo/diskimage-builder/internal/testbase"
)

func TestATreesProgramRunsWithTheTreesLoader(t *testing.T) {
	t.Parallel()
	tree := testbase.Tree(t)
	argv, err := treeexec.Command(tree, "/usr/bin/grub-mkimage")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(argv[0], tree+"/"), "the tree's loader: %s", argv[0])
	assert.Equal(t, filepath.Join(tree, "usr/bin/grub-mkimage"), argv[len(argv)-1])
	out, err := run.Output(context.Background(), append(argv, "--version")...)
	require.NoError(t, err)
	assert.Contains(t, out, "(GRUB)")
}

func TestTheHostsOwnProgramRunsAsItIs(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	require.NoError(t, err)
	argv, err := treeexec.Command("/", sh)
	require.NoError(t, err)
	real, err := filepath.EvalSymlinks(sh)
	require.NoError(t, err)
	assert.Equal(t, []string{real}, argv)
}

func TestAMissingProgramOrAFileThatIsNotAProgramIsNamed(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	_, err := treeexec.Command(tree, "/usr/bin/nothing")
	assert.ErrorContains(t, err, "/usr/bin/nothing")
	require.NoError(t, os.WriteFile(filepath.Join(tree, "text"), []byte("#!/bin/sh\n"), 0o755))
	_, err = treeexec.Command(tree, "/text")
	assert.ErrorContains(t, err, "read elf header of "+filepath.Join(tree, "text"))
}
