// Package logx formats build output: every line gets a timestamp, so a log
// read later says when each hook printed what.
package logx

import (
	"bytes"
	"io"
	"sync"
	"time"
)

// TimestampWriter prefixes each line written to it with the wall-clock time.
type TimestampWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	now func() time.Time
	// tty and status: on a terminal, the status line under the log.
	tty    bool
	status string
}

// NewTimestampWriter returns a writer that timestamps lines onto w.
func NewTimestampWriter(w io.Writer) *TimestampWriter {
	return &TimestampWriter{w: w, now: time.Now}
}

// Write writes the complete lines of p, each after the time, and keeps a
// partial last line for the next call.
func (t *TimestampWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := append([]byte(t.now().Format("2006-01-02 15:04:05.000 ")), t.buf[:i+1]...)
		if t.tty && t.status != "" {
			line = append(append([]byte("\r\033[K"), line...), t.status...)
		}
		if _, err := t.w.Write(line); err != nil {
			return len(p), err
		}
		t.buf = t.buf[i+1:]
	}
}
