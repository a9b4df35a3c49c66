// Package run is the project's one way to run an external command: explicit
// argv (never a shell string), a context that kills the command, the command
// logged when verbose, output labelled and streamed, and errors that carry the
// argv and the tail of the command's stderr.
package run

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tailLines is how many lines of stderr an error carries.
const tailLines = 12

// Cmd describes one command to run. Only Argv is required.
type Cmd struct {
	Argv  []string  // program and arguments; Argv[0] is looked up in PATH, then SbinDirs
	Dir   string    // working directory; empty means the current one
	Env   []string  // full environment; nil means the caller's
	Stdin io.Reader // nil means no input
	// Label prefixes each streamed output line ("base/install.d/10-foo").
	// Empty means the program's base name.
	Label string
	// Stream, when non-nil, receives the command's stdout and stderr line by
	// line, each prefixed with Label. When nil, output is only captured.
	Stream io.Writer
	// Stdout, when non-nil, receives the command's standard output as is
	// (and it is not streamed).
	Stdout io.Writer
	// SysProcAttr is passed to the process (namespaces, parent-death signal).
	SysProcAttr *syscall.SysProcAttr
	// Path overrides the program path (Argv[0] is then only its name).
	Path string
}

// Error is returned when a command fails to start or exits unsuccessfully.
type Error struct {
	Argv   []string
	Err    error  // the underlying error (*exec.ExitError, context error, ...)
	Stderr string // the last lines of stderr
}

// Error is the command line, why it failed and the tail of its stderr.
func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %v", Quote(e.Argv), e.Err)
	if e.Stderr != "" {
		msg += ": " + strings.ReplaceAll(strings.TrimSpace(e.Stderr), "\n", " | ")
	}
	return msg
}

// Unwrap returns why the command failed.
func (e *Error) Unwrap() error { return e.Err }

// ExitCode returns the exit status of a failed command, or -1.
func (e *Error) ExitCode() int {
	var ee *exec.ExitError
	if errors.As(e.Err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// Verbose makes Run log every command it starts at debug level (slog),
// when ctx has no trace writer (see WithTrace).
var Verbose = false

// Run runs the command to completion and returns its captured stdout
// (unless Stdout is set). A non-zero exit is an *Error.
func Run(ctx context.Context, c Cmd) (string, error) {
	if len(c.Argv) == 0 {
		return "", errors.New("run: empty argv")
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	if c.Path != "" {
		cmd.Path = c.Path
		cmd.Err = nil
	} else if cmd.Err != nil {
		// not in PATH: the sbin directories an ordinary user's PATH lacks
		if p, err := LookPath(c.Argv[0]); err == nil {
			cmd.Path, cmd.Err = p, nil
		}
	}
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stdin = c.Stdin
	cmd.SysProcAttr = c.SysProcAttr
	if cmd.SysProcAttr == nil {
		// A command dies with the process that started it, so a killed
		// build leaves nothing running.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second

	label := c.Label
	if label == "" {
		label = baseName(c.Argv[0])
	}
	var out bytes.Buffer
	tail := &tailBuffer{max: tailLines}
	var stdout, stderr io.Writer = &out, tail
	var lw *lineWriter
	if c.Stream != nil {
		lw = &lineWriter{dst: c.Stream, prefix: label}
		stdout = io.MultiWriter(&out, lw)
		stderr = io.MultiWriter(tail, lw)
	}
	if c.Stdout != nil {
		stdout = c.Stdout
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if w := Tracer(ctx); w != nil {
		fmt.Fprintf(w, "+ %s\n", Quote(c.Argv))
	} else if Verbose {
		slog.Debug("exec", "argv", Quote(c.Argv))
	}
	err := cmd.Run()
	if lw != nil {
		lw.Flush()
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return out.String(), &Error{Argv: c.Argv, Err: err, Stderr: tail.String()}
	}
	return out.String(), nil
}

// Output runs argv and returns its trimmed standard output.
func Output(ctx context.Context, argv ...string) (string, error) {
	s, err := Run(ctx, Cmd{Argv: argv})
	return strings.TrimSpace(s), err
}

// Quote renders argv so that a person can paste it into a shell.
func Quote(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, needsQuote) < 0 {
			parts[i] = a
			continue
		}
		parts[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(parts, " ")
}

func needsQuote(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-_./=:,+@%", r))
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// lineWriter writes complete lines to dst, each prefixed with "prefix: ".
type lineWriter struct {
	mu     sync.Mutex
	dst    io.Writer
	prefix string
	buf    []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		fmt.Fprintf(w.dst, "%s: %s\n", w.prefix, w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// Flush writes a final unterminated line, if any.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		fmt.Fprintf(w.dst, "%s: %s\n", w.prefix, w.buf)
		w.buf = nil
	}
}

// tailBuffer keeps the last max lines written to it.
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.part = append(t.part, p...)
	for {
		i := bytes.IndexByte(t.part, '\n')
		if i < 0 {
			break
		}
		t.push(string(t.part[:i]))
		t.part = t.part[i+1:]
	}
	return len(p), nil
}

func (t *tailBuffer) push(l string) {
	if strings.TrimSpace(l) == "" {
		return
	}
	t.lines = append(t.lines, l)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if len(t.part) > 0 {
		lines = append(append([]string(nil), lines...), string(t.part))
	}
	return strings.Join(lines, "\n")
}
