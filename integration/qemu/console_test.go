package qemu

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsoleExpectFindsMarkersInOrder(t *testing.T) {
	t.Parallel()
	c := NewConsole("Booting\r\nstep one\r\nstep two\r\n")
	require.NoError(t, c.Expect("step one", time.Second))
	require.NoError(t, c.Expect("step two", time.Second))
	err := c.Expect("step one", 10*time.Millisecond)
	require.ErrorIs(t, err, ErrTimeout, "a matched marker is consumed")
	assert.Equal(t, "Booting\nstep one\nstep two\n", c.String(), "carriage returns are dropped")
}

func TestConsoleExpectWaitsForLaterOutput(t *testing.T) {
	t.Parallel()
	c := NewConsole("")
	go func() {
		time.Sleep(20 * time.Millisecond)
		_, _ = c.Write([]byte("log"))
		time.Sleep(20 * time.Millisecond)
		_, _ = c.Write([]byte("in: "))
	}()
	require.NoError(t, c.Expect("login: ", 5*time.Second), "a marker split across writes and without a newline matches")
}

func TestConsoleExpectTimeoutShowsTheLastLines(t *testing.T) {
	t.Parallel()
	c := NewConsole("\x1b[2J\x1b[01;01Hfirst\nKernel panic - not syncing\n")
	err := c.Expect("login:", 10*time.Millisecond)
	require.ErrorIs(t, err, ErrTimeout)
	assert.Contains(t, err.Error(), `wait for "login:" on the console`)
	assert.Contains(t, err.Error(), "\tfirst\n\tKernel panic - not syncing")
}

func TestConsoleExpectFailsAtOnceWhenTheConsoleCloses(t *testing.T) {
	t.Parallel()
	c := NewConsole("partial")
	go func() {
		time.Sleep(20 * time.Millisecond)
		_ = c.CloseWithError(errors.New("qemu exited: exit status 1"))
	}()
	start := time.Now()
	err := c.Expect("never", time.Minute)
	require.ErrorIs(t, err, ErrConsoleClosed)
	assert.Contains(t, err.Error(), "exit status 1")
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestConsoleExpectREReturnsSubmatches(t *testing.T) {
	t.Parallel()
	c := NewConsole("eth0: 10.0.2.15/24\nready\n")
	m, err := c.ExpectRE(regexp.MustCompile(`eth0: ([0-9.]+)/(\d+)`), time.Second)
	require.NoError(t, err)
	assert.Equal(t, []string{"eth0: 10.0.2.15/24", "10.0.2.15", "24"}, m)
	require.NoError(t, c.Expect("ready", time.Second))
}

func TestConsoleTailKeepsTheLastCleanLines(t *testing.T) {
	t.Parallel()
	c := NewConsole("a\nb\n\x1b[1m\x1b[33mc\x1b[0m\n")
	assert.Equal(t, []string{"b", "c"}, c.Tail(2))
}

func TestCleanRemovesTerminalControlSequences(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "SeaBIOS (version 1.16)\tok",
		Clean("\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16)\tok\x07"))
}
