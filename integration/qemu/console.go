package qemu

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// ErrTimeout is wrapped by an Expect error when the marker did not appear in
// time.
var ErrTimeout = errors.New("timed out")

// ErrConsoleClosed is wrapped by an Expect error when the console ended (QEMU
// exited) before the marker appeared.
var ErrConsoleClosed = errors.New("console closed")

// tailLines is how many console lines an Expect error shows.
const tailLines = 20

// Console is the text a guest wrote to its serial console, growing while the
// guest runs. Carriage returns are dropped. Expect and ExpectRE consume the
// text they match, so consecutive calls find markers in order.
//
// Write and Close feed it; a Console made by NewConsole from a string serves
// unit tests of code that reads consoles.
type Console struct {
	mu      sync.Mutex
	buf     []byte
	pos     int           // where the next Expect starts looking
	changed chan struct{} // closed and replaced on every change
	closed  bool
	cause   error // why the console closed, if known
}

// NewConsole returns a console holding text, still open for writing.
func NewConsole(text string) *Console {
	c := &Console{changed: make(chan struct{})}
	_, _ = c.Write([]byte(text))
	return c
}

// Write adds guest output. It never fails.
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range p {
		if b != '\r' {
			c.buf = append(c.buf, b)
		}
	}
	c.notify()
	return len(p), nil
}

// Close marks the end of the output: waiting for more is then pointless.
func (c *Console) Close() error { return c.CloseWithError(nil) }

// CloseWithError marks the end of the output, with cause (such as QEMU's exit
// status) for the errors of Expect.
func (c *Console) CloseWithError(cause error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed, c.cause = true, cause
		c.notify()
	}
	return nil
}

// notify wakes the waiters; c.mu is held.
func (c *Console) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// String returns all the output so far.
func (c *Console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}

// Tail returns the last n lines of output, with terminal control sequences
// removed.
func (c *Console) Tail(n int) []string {
	lines := strings.Split(strings.TrimRight(Clean(c.String()), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// Expect waits up to timeout for marker to appear after the previous match.
func (c *Console) Expect(marker string, timeout time.Duration) error {
	_, err := c.wait(fmt.Sprintf("%q", marker), timeout, func(b []byte) (int, []string) {
		i := bytes.Index(b, []byte(marker))
		if i < 0 {
			return -1, nil
		}
		return i + len(marker), []string{marker}
	})
	return err
}

// ExpectRE waits up to timeout for re to match after the previous match, and
// returns the match and its submatches.
func (c *Console) ExpectRE(re *regexp.Regexp, timeout time.Duration) ([]string, error) {
	return c.wait("/"+re.String()+"/", timeout, func(b []byte) (int, []string) {
		loc := re.FindSubmatchIndex(b)
		if loc == nil {
			return -1, nil
		}
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = string(b[loc[2*i]:loc[2*i+1]])
			}
		}
		return loc[1], m
	})
}

// wait runs match over the unconsumed output whenever it changes, until it
// matches, the console closes, or timeout passes.
func (c *Console) wait(what string, timeout time.Duration, match func([]byte) (int, []string)) ([]string, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		c.mu.Lock()
		end, m := match(c.buf[c.pos:])
		if end >= 0 {
			c.pos += end
			c.mu.Unlock()
			return m, nil
		}
		closed, cause, changed := c.closed, c.cause, c.changed
		c.mu.Unlock()
		if closed {
			err := ErrConsoleClosed
			if cause != nil {
				err = fmt.Errorf("%w (%w)", ErrConsoleClosed, cause)
			}
			return nil, c.expectError(what, err)
		}
		select {
		case <-changed:
		case <-timer.C:
			return nil, c.expectError(what, fmt.Errorf("%w after %s", ErrTimeout, timeout))
		}
	}
}

func (c *Console) expectError(what string, err error) error {
	return fmt.Errorf("wait for %s on the console: %w; last console lines:\n\t%s",
		what, err, strings.Join(c.Tail(tailLines), "\n\t"))
}

// controlSeq matches terminal escape sequences (CSI, charset selection,
// single-character escapes) and other control characters but tab and newline.
var controlSeq = regexp.MustCompile(`\x1b\[[0-9;?=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[@-Z\\-_a-z]|[\x00-\x08\x0b-\x1f\x7f]`)

// Clean removes terminal control sequences from console text, for logs.
func Clean(s string) string { return controlSeq.ReplaceAllString(s, "") }
