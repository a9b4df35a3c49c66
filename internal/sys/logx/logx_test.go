package logx

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestEveryLineGetsATimestampEvenWhenWrittenInPieces(t *testing.T) {
	var b bytes.Buffer
	w := NewTimestampWriter(&b)
	w.now = func() time.Time { return time.Date(2026, 11, 26, 6, 0, 1, 5e6, time.UTC) }
	w.Write([]byte("one\ntw"))
	w.Write([]byte("o\n"))
	assert.Equal(t, "2026-11-26 06:00:01.005 one\n2026-11-26 06:00:01.005 two\n", b.String())
}

func TestAStatusLineIsRedrawnBelowTheLogOnATerminalOnly(t *testing.T) {
	var b bytes.Buffer
	w := NewTimestampWriter(&b)
	w.SetStatus("bootstrap... 3s")
	w.Write([]byte("plain\n"))
	assert.NotContains(t, b.String(), "bootstrap", "no status on a plain writer")

	b.Reset()
	w.tty = true
	w.SetStatus("bootstrap... 3s")
	w.Write([]byte("line\n"))
	out := b.String()
	assert.True(t, strings.HasPrefix(out, "\r\033[Kbootstrap... 3s\r\033[K"), "%q", out)
	assert.True(t, strings.HasSuffix(out, "line\nbootstrap... 3s"), "%q", out)
	w.SetStatus("")
	assert.True(t, strings.HasSuffix(b.String(), "\r\033[K"))
}

func TestProgressTicksUntilStopped(t *testing.T) {
	var b bytes.Buffer
	w := NewTimestampWriter(&b)
	w.tty = true
	stop := Progress(w, "converting")
	time.Sleep(50 * time.Millisecond)
	stop()
	time.Sleep(50 * time.Millisecond)
	assert.Contains(t, b.String(), "converting... 0s")
	// A writer without a status line gets nothing.
	Progress(&bytes.Buffer{}, "x")()
}
