package run

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestATracedContextLogsEveryCommandWithItsArgvQuoted(t *testing.T) {
	var log bytes.Buffer
	ctx := WithTrace(context.Background(), &log)
	_, err := Run(ctx, Cmd{Argv: []string{"true", "a b", "it's", "$HOME"}})
	require.NoError(t, err)
	_, err = Run(ctx, Cmd{Argv: []string{"false"}})
	require.Error(t, err)
	assert.Equal(t, "+ true 'a b' 'it'\\''s' '$HOME'\n+ false\n", log.String(), "each command, failing ones too, before it runs")
}

func TestAnUntracedContextLogsNothing(t *testing.T) {
	var log bytes.Buffer
	_, err := Run(WithTrace(context.Background(), nil), Cmd{Argv: []string{"true"}, Stream: &log})
	require.NoError(t, err)
	_, err = Run(context.Background(), Cmd{Argv: []string{"true"}, Stream: &log})
	require.NoError(t, err)
	assert.Empty(t, log.String())
}
