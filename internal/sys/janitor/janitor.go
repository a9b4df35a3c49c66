// Package janitor removes a build's temporary files even when the build
// process is killed with SIGKILL. A build starts a janitor (a copy of its
// own binary) and tells it which paths are temporary; if the build ends
// without saying "done", the janitor removes them, checking first that
// nothing is mounted below them.
//
// The janitor dies too when the whole group is killed (systemd stopping a
// unit, a CI job cancelled, the OOM killer taking the cgroup). So the build
// also writes what it tells the janitor into a journal inside its build
// directory, which it owns (workdir.Owned): Sweep, run by the next build,
// finds the directories whose owner is gone and removes what their
// journals list, then them.
package janitor

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"golang.org/x/sys/unix"
)

const role = "janitor"

func init() { reexec.Register(role, child) }

// Janitor is the build's handle on its janitor process.
type Janitor struct {
	mu      sync.Mutex
	w       io.WriteCloser
	cmd     interface{ Wait() error }
	journal *os.File // nil without one
}

// JournalName is the name of the journal Start is given, inside the
// build directory.
const JournalName = ".janitor"

// Start starts a janitor process. When journal is not empty, every path
// the janitor is told of is also written there (a new file), for Sweep.
func Start(journal string) (*Janitor, error) {
	var jf *os.File
	if journal != "" {
		var err error
		if jf, err = os.OpenFile(journal, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND|unix.O_NOFOLLOW, 0o600); err != nil {
			return nil, fmt.Errorf("start janitor: %w", err)
		}
	}
	j, err := start()
	if err != nil {
		if jf != nil {
			jf.Close()
		}
		return nil, err
	}
	j.journal = jf
	return j, nil
}

func start() (*Janitor, error) {
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
	line := verb + " " + strconv.Quote(path) + "\n" // a path never breaks a line
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.journal != nil && verb != "done" {
		// Before the path is used; one write, appended whole.
		j.journal.WriteString(line)
	}
	io.WriteString(j.w, line)
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
	j.send("done", "")
	j.w.Close()
	j.cmd.Wait()
	if j.journal != nil {
		j.journal.Close()
	}
}

// child is the janitor process.
func child() int {
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	var reg registry
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if reg.apply(sc.Text()) == "done" {
			return 0
		}
	}
	// The build died. Its namespace runners die with it (they have a
	// parent-death signal); give them a moment so their mounts are gone.
	time.Sleep(500 * time.Millisecond)
	for _, p := range reg.pending() {
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

// registry is the paths a build registered and has not forgotten, in the
// order it registered them.
type registry struct {
	live  map[string]bool
	order []string
}

// apply reads one line of the protocol ("add PATH", "del PATH", "done",
// with PATH quoted as strconv.Quote does) and returns its verb. A line
// that is not one, or a path that is not absolute and clean, is ignored.
func (r *registry) apply(line string) string {
	verb, quoted, _ := strings.Cut(line, " ")
	p, err := strconv.Unquote(quoted)
	if verb == "done" || err != nil || !filepath.IsAbs(p) || filepath.Clean(p) != p {
		return verb
	}
	if r.live == nil {
		r.live = map[string]bool{}
	}
	switch verb {
	case "add":
		if !r.live[p] {
			r.order = append(r.order, p)
		}
		r.live[p] = true
	case "del":
		delete(r.live, p)
	}
	return verb
}

// pending is the paths still registered, the last registered first.
func (r *registry) pending() []string {
	var out []string
	for i := len(r.order) - 1; i >= 0; i-- {
		if p := r.order[i]; r.live[p] {
			out = append(out, p)
			delete(r.live, p)
		}
	}
	return out
}
