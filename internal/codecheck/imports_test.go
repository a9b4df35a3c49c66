package codecheck

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

const module = "github.com/tripleo/diskimage-builder"

// deps lists the packages pkg depends on, itself excluded (go list -deps).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := run.Output(context.Background(), "go", "list", "-deps", module+"/"+pkg)
	require.NoError(t, err)
	var list []string
	for _, p := range strings.Fields(out) {
		if p != module+"/"+pkg {
			list = append(list, p)
		}
	}
	return list
}

func TestTheRootBuilderAndTheOutputStagesImportOnlyDownwards(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "go")
	rules := map[string][]string{
		// The root builder knows nothing of its outputs.
		"rootfs": {"images", "ramdisk"},
		// The output stages read a built root; neither uses the other.
		"images":  {"ramdisk"},
		"ramdisk": {"images"},
	}
	for pkg, forbidden := range rules {
		got := deps(t, pkg)
		assert.Contains(t, got, module+"/flavours", "%s: the listing is real", pkg)
		for _, f := range forbidden {
			assert.NotContains(t, got, module+"/"+f, "%s must not depend on %s", pkg, f)
		}
	}
}

func TestTheSystemLayerImportsNothingAboveIt(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "go")
	out, err := run.Output(context.Background(), "go", "list", module+"/internal/sys/...")
	require.NoError(t, err)
	pkgs := strings.Fields(out)
	require.NotEmpty(t, pkgs)
	for _, pkg := range pkgs {
		for _, d := range deps(t, strings.TrimPrefix(pkg, module+"/")) {
			if strings.HasPrefix(d, module+"/") {
				assert.True(t, strings.HasPrefix(d, module+"/internal/sys/"), "%s is low-level: it must not import %s", pkg, d)
			}
		}
	}
}
