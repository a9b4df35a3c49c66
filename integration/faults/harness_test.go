package faults

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
)

// commands builds the three commands once into a temporary directory.
var commands struct {
	once sync.Once
	dir  string
	err  error
}

// command returns the path of a freshly built command.
func command(t *testing.T, name string) string {
	t.Helper()
	commands.once.Do(func() {
		commands.dir, commands.err = os.MkdirTemp("", "dib-faults-bin-")
		if commands.err != nil {
			return
		}
		for _, c := range []string{"disk-image-create", "ramdisk-image-create", "disk-image-get-kernel"} {
			if _, err := os.Stat(filepath.Join("..", "..", "cmd", c)); err != nil {
				continue
			}
			_, commands.err = run.Run(context.Background(), run.Cmd{
				Argv: []string{"go", "build", "-o", filepath.Join(commands.dir, c), "../../cmd/" + c}})
			if commands.err != nil {
				return
			}
		}
	})
	require.NoError(t, commands.err, "build the commands")
	p := filepath.Join(commands.dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s is not built in this tree", name)
	}
	return p
}

// process is a command started by a test, with its stderr watched.
type process struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
	lines  chan string
	done   chan struct{}
}

// start runs argv with env, streaming stderr lines to the lines channel.
func start(t *testing.T, env []string, argv ...string) *process {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	return startCmd(t, cmd)
}

// startCmd starts cmd as start does.
func startCmd(t *testing.T, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{cmd: cmd, lines: make(chan string, 4096), done: make(chan struct{})}
	r, w, err := os.Pipe()
	require.NoError(t, err)
	p.cmd.Stderr = w
	require.NoError(t, p.cmd.Start())
	w.Close()
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		close(p.lines)
	}()
	return p
}

// waitFor waits until a stderr line contains marker.
func (p *process) waitFor(marker string, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				return fmt.Errorf("the command ended before printing %q", marker)
			}
			if strings.Contains(line, marker) {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("no %q within %s", marker, timeout)
		}
	}
}

// wait waits for the command to end and returns its exit status (-1 when
// killed by a signal).
func (p *process) wait() int {
	err := p.cmd.Wait()
	<-p.done
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -2
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// tokenProcesses lists the processes whose environment holds token: every
// process a build started carries it.
func tokenProcesses(token string) []string {
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil || !bytes.Contains(env, []byte(token)) {
			continue
		}
		comm, _ := os.ReadFile(d + "/cmdline")
		found = append(found, filepath.Base(d)+":"+strings.ReplaceAll(strings.TrimSpace(string(comm)), "\x00", " "))
	}
	return found
}

// mountsUnder lists mount points below any of dirs.
func mountsUnder(dirs ...string) []string {
	var found []string
	for _, d := range dirs {
		mounts, err := workdir.MountsBelow(d)
		if err != nil {
			found = append(found, err.Error())
		}
		found = append(found, mounts...)
	}
	return found
}

// entries lists the names in dir.
func entries(dir string) []string {
	es, _ := os.ReadDir(dir)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// table renders rows as a Markdown table.
func table(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n")
	b.WriteString("|" + strings.Repeat("---|", len(header)) + "\n")
	for _, r := range rows {
		b.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	return b.String()
}
