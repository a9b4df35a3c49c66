package qemu

import (
	"bytes"
	"strings"
	"sync"
)

// dirName turns a test name into something fit for a directory name.
func dirName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// lineLogger logs each complete line written to it with t.Logf, cleaned of
// terminal control sequences, and keeps the last few lines.
type lineLogger struct {
	logf   func(string, ...any)
	prefix string
	watch  func(line string) // if set, sees each line logged
	mu     sync.Mutex
	buf    []byte
	tail   []string
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.log(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

// Flush logs a last line that has no newline.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.log(string(l.buf))
		l.buf = nil
	}
}

// log logs one line; l.mu is held.
func (l *lineLogger) log(line string) {
	line = Clean(line)
	l.logf("%s: %s", l.prefix, line)
	if l.watch != nil {
		l.watch(line)
	}
	if strings.TrimSpace(line) == "" {
		return
	}
	l.tail = append(l.tail, line)
	if len(l.tail) > 5 {
		l.tail = l.tail[1:]
	}
}

// Tail returns the last lines logged, joined with " | ".
func (l *lineLogger) Tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.tail, " | ")
}
