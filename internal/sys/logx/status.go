package logx

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// NewTerminalWriter is a TimestampWriter for a terminal: it can also show
// a status line below the log (see SetStatus), redrawn after each line.
func NewTerminalWriter(w *os.File) *TimestampWriter {
	t := NewTimestampWriter(w)
	t.tty = true
	return t
}

// SetStatus shows s as the last line of a terminal, replacing the previous
// status; "" removes it. On a writer that is not a terminal it does nothing.
func (t *TimestampWriter) SetStatus(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.tty {
		return
	}
	t.status = s
	fmt.Fprintf(t.w, "\r\033[K%s", s)
}

// StatusSetter is what a log writer offers when it can show progress.
type StatusSetter interface{ SetStatus(string) }

// Progress shows "label... Ns" on w's status line while a long step runs,
// when w can show one, and returns the function that ends it.
func Progress(w any, label string) (stop func()) {
	s, ok := w.(StatusSetter)
	if !ok {
		return func() {}
	}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			s.SetStatus(fmt.Sprintf("%s... %ds", label, int(time.Since(start).Seconds())))
			select {
			case <-done:
				s.SetStatus("")
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done) }
}
