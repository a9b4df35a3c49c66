package nsrun

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestATracedJobLogsEveryCommandItsRunnerStarts(t *testing.T) {
	testenv.RequireRoot(t)
	var out bytes.Buffer
	ctx := run.WithTrace(context.Background(), &out)
	job := Job{Env: []string{"PATH=/usr/bin:/bin"}, Steps: []Step{sh("one", "echo hi"), {Label: "two", Argv: []string{"/bin/echo", "a b"}}}}
	_, err := Run(ctx, job, &out)
	require.NoError(t, err)
	assert.Equal(t, "+ /bin/sh -c 'echo hi'\none: hi\n+ /bin/echo 'a b'\ntwo: a b\n", out.String())

	out.Reset()
	_, err = Run(context.Background(), job, &out)
	require.NoError(t, err)
	assert.Equal(t, "one: hi\ntwo: a b\n", out.String(), "untraced")
}
