package images_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
)

// TestTraceLogsEveryCommandTheBuildRuns: -x promises the commands run, in
// the log the user reads, each as a line a shell can run again.
func TestTraceLogsEveryCommandTheBuildRuns(t *testing.T) {
	requireBuilder(t)
	spec := testSpec(t, "traced", "dib-test-dep")
	spec.Types = []string{"raw", "tar"}
	spec.Trace = true
	_, err := images.Build(context.Background(), spec)
	require.NoError(t, err)
	log := spec.Log.(*testLog).String()
	for _, want := range []string{
		`(?m)^\+ tar --zstd -xpf - -C \S+/root --numeric-owner --xattrs '--xattrs-include=\*'$`,              // the base unpacked
		`(?m)^\+ /bin/sh -x /tmp/in_target.d/install.d/05-dep$`,                                              // a hook started by its runner
		`(?m)^dib-test-dep/install.d/05-dep: \+ mkdir -p /etc/dib-test$`,                                     // its shell's trace
		`(?m)^\+ \S+ --inhibit-cache --library-path \S+ \S+/root/usr/sbin/mke2fs -q -F -t ext4 -d \S+/root `, // the filesystem, by the image's own mke2fs
		`(?m)^\+ qemu-img convert -f raw -O raw `,                                                            // the raw output
		`(?m)^\+ tar --create --force-local --file \S+ --directory \S+/root `,                                // the tar output
	} {
		assert.Regexp(t, regexp.MustCompile(want), log)
	}
}
