package images_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
)

func TestTwoBuildsAtOnceShareTheCacheAndBothSucceed(t *testing.T) {
	requireBuilder(t)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	specs := make([]images.Spec, 2)
	for i := range specs {
		specs[i] = testSpec(t, "twin", "dib-test-all")
		specs[i].Types = []string{"tar"}
		// Both install packages through apt from the shared package cache.
		specs[i].Packages = []string{"hello"}
	}
	for i := range specs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = images.Build(context.Background(), specs[i])
		}(i)
	}
	wg.Wait()
	for i := range specs {
		require.NoError(t, errs[i], "build %d", i)
		files := readTar(t, specs[i].Name+".tar")
		assert.Contains(t, files, "./usr/bin/hello")
	}
}
