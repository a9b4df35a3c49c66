package rootfs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
	"github.com/tripleo/diskimage-builder/internal/sys/userns"
)

// A user who is not root builds in a child process that is root of a user
// namespace mapping the user to 0 and its subordinate IDs to 1-65536 (see
// internal/sys/userns). The whole build runs there, root tree and output
// stage alike, so that every tool (mmdebstrap, tar, mkfs.ext4, the hooks)
// sees the image's owners as the image's own and a janitor started there
// can remove what the build made. Output stages register a role with
// RegisterUserNamespaceBuild and start it with InUserNamespace.

// The child's descriptors after the reexec handshake: the spec it reads
// and the report it writes.
const (
	specFD   = reexec.FirstFreeFD
	reportFD = reexec.FirstFreeFD + 1
)

// maxSpec bounds the spec a child reads.
const maxSpec = 16 << 20

// NeedsUserNamespace reports whether a build of this process runs in a
// user namespace: it is not root.
func NeedsUserNamespace() bool { return os.Geteuid() != 0 }

// report is what the child sends back: the result and the error.
type report struct {
	Result json.RawMessage `json:",omitempty"`
	Err    *wireError      `json:",omitempty"`
}

// wireError is an error with what the commands need of it: its kind
// (exit status) and, for an interrupted build, the phase.
type wireError struct {
	Kind  string // "input", "interrupted" or "failure"
	Phase string `json:",omitempty"`
	Msg   string
}

func encodeError(err error) *wireError {
	var ie *InterruptedError
	switch {
	case err == nil:
		return nil
	case IsInputError(err):
		return &wireError{Kind: "input", Msg: err.Error()}
	case errors.As(err, &ie):
		return &wireError{Kind: "interrupted", Phase: ie.Phase, Msg: ie.Err.Error()}
	}
	return &wireError{Kind: "failure", Msg: err.Error()}
}

func (w *wireError) decode() error {
	switch {
	case w == nil:
		return nil
	case w.Kind == "input":
		return &InputError{Err: errors.New(w.Msg)}
	case w.Kind == "interrupted":
		return &InterruptedError{Phase: w.Phase, Err: errors.New(w.Msg)}
	}
	return errors.New(w.Msg)
}

// InUserNamespace runs role, a build registered with reexec.Register whose
// body calls ServeInUserNamespace, as root of a user namespace of this
// user: it sends spec (as JSON), streams the build's log to log and
// decodes the build's result into result, returning the build's error
// (an *InputError or *InterruptedError stays one). With interactive, the
// child shares this process's standard input and output (break shells).
// Cancelling ctx interrupts the build (SIGTERM), which cleans up and
// reports; if this process dies, the child is killed and its janitor
// removes what it made. Without subordinate IDs or user namespaces, the
// error is an *userns.Unavailable saying what is missing.
func InUserNamespace(ctx context.Context, role string, spec, result any, log io.Writer, interactive bool) error {
	_, m, err := userns.Choose()
	if err != nil {
		return err
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encode build spec: %w", err)
	}
	cmd, err := m.Command(role)
	if err != nil {
		return err
	}
	sr, sw, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("build in user namespace: %w", err)
	}
	defer sw.Close()
	rr, rw, err := os.Pipe()
	if err != nil {
		sr.Close()
		return fmt.Errorf("build in user namespace: %w", err)
	}
	defer rr.Close()
	cmd.ExtraFiles = append(cmd.ExtraFiles, sr, rw)
	cmd.Stderr = log
	if interactive {
		cmd.Stdin, cmd.Stdout = os.Stdin, os.Stdout
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	err = cmd.Start()
	sr.Close()
	rw.Close()
	if err != nil {
		return fmt.Errorf("build in user namespace: %w", err)
	}
	go func() {
		sw.Write(data)
		sw.Close()
	}()
	stop := context.AfterFunc(ctx, func() { cmd.Process.Signal(syscall.SIGTERM) })
	defer stop()
	var rep report
	decodeErr := json.NewDecoder(io.LimitReader(rr, maxSpec)).Decode(&rep)
	waitErr := cmd.Wait()
	if decodeErr != nil {
		if ctx.Err() != nil {
			return &InterruptedError{Phase: "unknown", Err: ctx.Err()}
		}
		return fmt.Errorf("build in user namespace (%s): ended without a report: %w", m, errors.Join(waitErr, decodeErr))
	}
	if len(rep.Result) > 0 && result != nil {
		if err := json.Unmarshal(rep.Result, result); err != nil {
			return fmt.Errorf("decode build result: %w", err)
		}
	}
	return rep.Err.decode()
}

// ServeInUserNamespace is the body of a role InUserNamespace starts: it
// reads the spec, runs build with its log on standard error and a context
// that SIGINT and SIGTERM cancel, and reports the result and error. It
// returns the role's exit status.
func ServeInUserNamespace(build func(ctx context.Context, spec []byte, log io.Writer) (any, error)) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	out := json.NewEncoder(os.NewFile(reportFD, "report"))
	data, err := io.ReadAll(io.LimitReader(os.NewFile(specFD, "spec"), maxSpec))
	if err != nil {
		out.Encode(report{Err: encodeError(fmt.Errorf("read build spec: %w", err))})
		return 1
	}
	res, err := build(ctx, data, os.Stderr)
	rep := report{Err: encodeError(err)}
	if rep.Result, err = json.Marshal(res); err != nil {
		rep.Err = encodeError(fmt.Errorf("encode build result: %w", err))
	}
	if out.Encode(rep) != nil || rep.Err != nil {
		return 1
	}
	return 0
}
