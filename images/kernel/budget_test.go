package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
)

// deepLinks is a filesystem with n kernels in /boot that all link into
// one chain of links through a directory depth deep, ending nowhere: the
// first reader walked the whole chain, each hop a full path walk, for
// every kernel.
func deepLinks(n, depth int) *craft.Ext {
	deep := strings.Repeat("d/", depth)
	files := []craft.File{{Path: "boot/l0", Link: "l1"}}
	for i := 1; i < 30; i++ {
		files = append(files, craft.File{Path: fmt.Sprintf("boot/l%d", i), Link: fmt.Sprintf("/%sl%d", deep, i)},
			craft.File{Path: fmt.Sprintf("%sl%d", deep, i), Link: fmt.Sprintf("/boot/l%d", i+1)})
	}
	for i := range n {
		files = append(files, craft.File{Path: fmt.Sprintf("boot/vmlinuz-6.1.%d", i), Link: "l0"})
	}
	return craft.BuildExt(files, 0)
}

// plainBoot is a filesystem with one kernel and its initrd.
func plainBoot() *craft.Ext {
	return craft.BuildExt([]craft.File{{Path: "boot/vmlinuz-6.1.0", Data: []byte("k")}, {Path: "boot/initrd.img-6.1.0", Data: []byte("i")}}, 0)
}

// timeFind is how long the whole search of the GPT image of e takes, with
// parts copies of its partition at one place, and its error.
func timeFind(t *testing.T, e *craft.Ext, parts int) (time.Duration, error) {
	t.Helper()
	var ps []craft.Part
	for range parts {
		ps = append(ps, craft.Part{Start: 2048, Data: e.Bytes})
	}
	disk := craft.GPT(int64(len(e.Bytes))+2<<20, ps...)
	start := time.Now()
	_, _, err := searchIn(context.Background(), bytes.NewReader(disk), int64(len(disk)), "crafted.raw", "raw")
	return time.Since(start), err
}

// TestASearchThroughSharedDeepLinksWalksTheChainOnce: 20,000 kernels
// linking through one chain of 60 links in a 25-deep directory; the
// search resolves each name once, and takes a bounded multiple of a plain
// image's.
func TestASearchThroughSharedDeepLinksWalksTheChainOnce(t *testing.T) {
	t.Parallel()
	plain, err := timeFind(t, plainBoot(), 1)
	require.NoError(t, err)
	hostile, err := timeFind(t, deepLinks(20000, 25), 1)
	require.ErrorIs(t, err, ErrNoKernel, "no kernel resolves to a file")
	assert.Less(t, hostile, 200*plain+2*time.Second, "plain %s, hostile %s", plain, hostile)
}

// TestOverlappingPartitionsAreSearchedOnce: the same hostile filesystem
// behind 16 GPT entries costs about what it costs behind one.
func TestOverlappingPartitionsAreSearchedOnce(t *testing.T) {
	t.Parallel()
	e := deepLinks(5000, 25)
	one, err := timeFind(t, e, 1)
	require.Error(t, err)
	sixteen, err := timeFind(t, e, 16)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "overlaps a partition already searched")
	assert.Less(t, sixteen, 4*one+time.Second, "one %s, sixteen %s", one, sixteen)
}

// TestASearchBeyondItsBudgetIsRefusedNamingIt: kernels that each link
// through chains of their own spend the hop budget.
func TestASearchBeyondItsBudgetIsRefusedNamingIt(t *testing.T) {
	t.Parallel()
	var files []craft.File
	for i := range 1800 {
		files = append(files, craft.File{Path: fmt.Sprintf("boot/vmlinuz-6.1.%d", i), Link: fmt.Sprintf("c%d-0", i)})
		for k := range 38 {
			files = append(files, craft.File{Path: fmt.Sprintf("boot/c%d-%d", i, k), Link: fmt.Sprintf("c%d-%d", i, k+1)})
		}
	}
	e := craft.BuildExt(files, 0)
	took, err := timeFind(t, e, 1)
	require.ErrorIs(t, err, ErrBudget)
	assert.Contains(t, err.Error(), "more symbolic links followed than it may follow")
	out := t.TempDir()
	img := filepath.Join(t.TempDir(), "budget.raw")
	require.NoError(t, os.WriteFile(img, craft.GPT(int64(len(e.Bytes))+2<<20, craft.Part{Start: 2048, Data: e.Bytes}), 0o644))
	_, err = Extract(context.Background(), Options{Image: img, Dir: out})
	require.ErrorIs(t, err, ErrBudget)
	assertEmpty(t, out)

	// A signal (the context's end) in the middle of that search ends it
	// within a second, writing nothing.
	ctx, cancel := context.WithTimeout(context.Background(), took/4)
	defer cancel()
	start := time.Now()
	_, err = Extract(ctx, Options{Image: img, Dir: out})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), took/4+time.Second)
	assertEmpty(t, out)
}

// TestACancelledSearchStopsAtOnce: the search of a large hostile
// filesystem ends within a second of its context's end.
func TestACancelledSearchStopsAtOnce(t *testing.T) {
	t.Parallel()
	e := deepLinks(20000, 25)
	disk := craft.GPT(int64(len(e.Bytes))+2<<20, craft.Part{Start: 2048, Data: e.Bytes})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, _, err := searchIn(ctx, bytes.NewReader(disk), int64(len(disk)), "crafted.raw", "raw")
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	assert.Less(t, time.Since(start), time.Second)
}
