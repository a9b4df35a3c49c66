package nsrun

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"golang.org/x/sys/unix"
)

const role = "nsrun"

// Hostname is the host name every job sees: its own UTS namespace keeps
// the build host's name out of what the job writes.
const Hostname = "localhost"

// The runner's descriptors after the reexec handshake: the job it reads and
// the report it writes.
const (
	jobFD    = reexec.FirstFreeFD
	reportFD = reexec.FirstFreeFD + 1
)

func init() { reexec.Register(role, child) }

// StepError is returned when a step of a job fails.
type StepError struct {
	Result Result
}

// Error names the step and says why it failed.
func (e *StepError) Error() string {
	return fmt.Sprintf("%s failed: %s", e.Result.Label, e.Result.Err)
}

// Run runs job in a new runner process, streaming the steps' labelled
// output to out, and returns the results of the steps that ran. A failing
// step stops the job and is returned as a *StepError. Cancelling ctx kills
// the runner and with it every process of the job.
func Run(ctx context.Context, job Job, out io.Writer) ([]Result, error) {
	return runJob(ctx, job, nil, out, out)
}

// RunInteractive is Run with the steps' standard input, output and error
// connected as given: interactive steps (a debugging shell) use them as
// they are.
func RunInteractive(ctx context.Context, job Job, stdin io.Reader, stdout, stderr io.Writer) ([]Result, error) {
	return runJob(ctx, job, stdin, stdout, stderr)
}

func runJob(ctx context.Context, job Job, stdin io.Reader, stdout, stderr io.Writer) ([]Result, error) {
	job.Trace = job.Trace || run.Tracer(ctx) != nil
	spec, err := json.Marshal(job)
	if err != nil {
		return nil, fmt.Errorf("encode job: %w", err)
	}
	rr, rw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("runner pipe: %w", err)
	}
	defer rr.Close()
	jr, jw, err := os.Pipe()
	if err != nil {
		rw.Close()
		return nil, fmt.Errorf("runner pipe: %w", err)
	}
	defer jr.Close()
	go func() {
		jw.Write(spec)
		jw.Close()
	}()
	cmd, err := reexec.Command(role)
	if err != nil {
		rw.Close()
		return nil, err
	}
	cmd.Stdin = stdin
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// After the handshake: the job on jobFD, the report on reportFD.
	cmd.ExtraFiles = append(cmd.ExtraFiles, jr, rw)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWUTS,
		Pdeathsig:  syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		rw.Close()
		return nil, fmt.Errorf("start namespace runner: %w", err)
	}
	rw.Close()
	stop := context.AfterFunc(ctx, func() { cmd.Process.Kill() })
	defer stop()

	var results []Result
	sc := bufio.NewScanner(rr)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var setupErr string
	for sc.Scan() {
		var m message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			continue
		}
		if m.Setup != "" {
			setupErr = m.Setup
			continue
		}
		if m.Result != nil {
			results = append(results, *m.Result)
		}
	}
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return results, ctx.Err()
	}
	if setupErr != "" {
		return results, errors.New(setupErr)
	}
	if n := len(results); n > 0 && results[n-1].ExitCode != 0 {
		return results, &StepError{Result: results[n-1]}
	}
	if waitErr != nil {
		return results, fmt.Errorf("namespace runner: %w", waitErr)
	}
	if len(results) != len(job.Steps) {
		return results, fmt.Errorf("namespace runner ended after %d of %d steps", len(results), len(job.Steps))
	}
	return results, nil
}

// message is one line the runner writes on its report pipe.
type message struct {
	Setup  string  `json:",omitempty"` // the job could not be set up
	Result *Result `json:",omitempty"`
}
