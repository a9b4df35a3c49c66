// Package janitor removes a build's temporary files even when the build
// process is killed with SIGKILL. A build starts a janitor (a copy of its
// own binary) and tells it which paths are temporary; if the build ends
// without saying "done", the janitor removes them, checking first that
// nothing is mounted below them.
package janitor

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
)

const role = "janitor"

func init() { reexec.Register(role, child) }

// Janitor is the build's handle on its janitor process.
type Janitor struct {
	mu  sync.Mutex
	w   io.WriteCloser
	cmd interface{ Wait() error }
}

// Start starts a janitor process.
func Start() (*Janitor, error) {
	cmd, err := reexec.Command(role)
	if err != nil {
		return nil, fmt.Errorf("start janitor: %w", err)
	}
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start janitor: %w", err)
	}
	cmd.Stderr = os.Stderr
	// A new session keeps a terminal's Ctrl-C from reaching it: it must
	// outlive the build to clean up after it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start janitor: %w", err)
	}
	return &Janitor{w: w, cmd: cmd}, nil
}

func (j *Janitor) send(verb, path string) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	fmt.Fprintf(j.w, "%s %s\n", verb, path)
}

// Add registers a temporary path to remove if the build dies.
func (j *Janitor) Add(path string) { j.send("add", path) }

// Forget unregisters a path the build removed or kept itself.
func (j *Janitor) Forget(path string) { j.send("del", path) }

// Done tells the janitor the build cleaned up after itself, and waits for
// it to exit.
func (j *Janitor) Done() {
	if j == nil {
		return
	}
	j.send("done", "-")
	j.w.Close()
	j.cmd.Wait()
}

// child is the janitor process.
func child() int {
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	paths := map[string]bool{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		verb, path, _ := strings.Cut(sc.Text(), " ")
		switch verb {
		case "add":
			if !paths[path] {
				order = append(order, path)
			}
			paths[path] = true
		case "del":
			delete(paths, path)
		case "done":
			return 0
		}
	}
	// The build died. Its namespace runners die with it (they have a
	// parent-death signal); give them a moment so their mounts are gone.
	time.Sleep(500 * time.Millisecond)
	for i := len(order) - 1; i >= 0; i-- {
		p := order[i]
		if !paths[p] {
			continue
		}
		var err error
		for try := 0; try < 10; try++ {
			if err = workdir.Remove(p); err == nil {
				break
			}
			time.Sleep(300 * time.Millisecond)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "janitor: %v\n", err)
		}
	}
	return 0
}
