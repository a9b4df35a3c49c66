package nsrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"golang.org/x/sys/unix"
)

// child is the runner: PID 1 of a fresh PID namespace in a fresh mount
// namespace. It reads the job on jobFD and reports on reportFD.
func child() int {
	report := os.NewFile(reportFD, "report")
	enc := json.NewEncoder(report)
	var job Job
	jobFile := os.NewFile(jobFD, "job")
	err := json.NewDecoder(jobFile).Decode(&job)
	jobFile.Close()
	if err != nil {
		enc.Encode(message{Setup: "decode job: " + err.Error()})
		return 1
	}
	// Dying on SIGTERM/SIGINT is what PID 1 does not do by default.
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	if job.Trace {
		ctx = run.WithTrace(ctx, os.Stderr)
	}
	if err := setup(job); err != nil {
		enc.Encode(message{Setup: err.Error()})
		return 1
	}
	env, err := loadEnv(ctx, job)
	if err != nil {
		enc.Encode(message{Setup: err.Error()})
		return 1
	}
	dir := job.Dir
	if dir == "" {
		dir = "/"
	}
	for _, s := range job.Steps {
		r := runStep(ctx, s, env, dir)
		enc.Encode(message{Result: &r})
		if r.ExitCode != 0 {
			return 1
		}
	}
	return 0
}

func runStep(ctx context.Context, s Step, env []string, dir string) Result {
	if s.Interactive {
		return runInteractive(ctx, s, env, dir)
	}
	start := time.Now()
	c := run.Cmd{Argv: s.Argv, Env: env, Dir: dir, Label: s.Label, Stream: os.Stdout}
	out, err := run.Run(ctx, c)
	r := Result{Label: s.Label, Duration: time.Since(start)}
	if s.Capture {
		r.Stdout = out
	}
	if err != nil {
		r.Err = err.Error()
		r.ExitCode = -1
		var re *run.Error
		if errors.As(err, &re) && re.ExitCode() > 0 {
			r.ExitCode = re.ExitCode()
			r.Err = fmt.Sprintf("exit status %d", re.ExitCode())
			if re.Stderr != "" {
				r.Err += ": " + strings.ReplaceAll(re.Stderr, "\n", " | ")
			}
		}
	}
	return r
}

// setup names the UTS namespace for the image, makes the mount namespace
// private, mounts what the job asks for inside its root and enters the root.
func setup(job Job) error {
	// Package scripts and hooks that ask for the host name (ssh key
	// comments, mail names, /etc/hosts) get the image's, never the
	// build host's.
	if err := unix.Sethostname([]byte(Hostname)); err != nil {
		return fmt.Errorf("set host name: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if job.Root == "" {
		return nil
	}
	root := job.Root
	if job.SystemMounts {
		if err := systemMounts(root); err != nil {
			return err
		}
	}
	for _, b := range job.Binds {
		if err := bind(root, b); err != nil {
			return err
		}
	}
	if err := unix.Chroot(root); err != nil {
		return fmt.Errorf("chroot %s: %w", root, err)
	}
	return os.Chdir("/")
}

// loadEnv sources the job's environment files with every assignment
// exported and returns the resulting environment.
func loadEnv(ctx context.Context, job Job) ([]string, error) {
	if len(job.EnvFiles) == 0 {
		return job.Env, nil
	}
	script := `set -a; for f do . "$f" || { echo "sourcing $f failed" >&2; exit 1; }; done; exec env -0`
	argv := append([]string{"/bin/sh", "-c", script, "environment.d"}, job.EnvFiles...)
	if len(job.EnvLoader) > 0 {
		argv = append(append([]string(nil), job.EnvLoader...), job.EnvFiles...)
	}
	var buf bytes.Buffer
	_, err := run.Run(ctx, run.Cmd{Argv: argv, Env: job.Env, Label: "environment.d", Stream: os.Stderr, Stdout: &buf})
	out := buf.String()
	if err != nil {
		return nil, fmt.Errorf("environment.d: %w", err)
	}
	var env []string
	for _, kv := range strings.Split(out, "\x00") {
		if kv != "" && strings.Contains(kv, "=") && !strings.HasPrefix(kv, "_=") && !strings.HasPrefix(kv, "PWD=") && !strings.HasPrefix(kv, "SHLVL=") {
			env = append(env, kv)
		}
	}
	return env, nil
}

// runInteractive runs a step on the runner's own terminal.
func runInteractive(ctx context.Context, s Step, env []string, dir string) Result {
	start := time.Now()
	if w := run.Tracer(ctx); w != nil {
		fmt.Fprintf(w, "+ %s\n", run.Quote(s.Argv))
	}
	cmd := exec.CommandContext(ctx, s.Argv[0], s.Argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	r := Result{Label: s.Label, Duration: time.Since(start)}
	if err != nil {
		r.ExitCode, r.Err = -1, err.Error()
		if cmd.ProcessState != nil && cmd.ProcessState.ExitCode() > 0 {
			r.ExitCode = cmd.ProcessState.ExitCode()
		}
	}
	return r
}
