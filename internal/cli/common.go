package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tripleo/diskimage-builder/internal/sys/logx"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// buildLog is the build's log: timestamped lines on stderr, and in the log
// file when one is named.
func buildLog(stderr io.Writer, logfile string) (io.Writer, func(), error) {
	if f, ok := stderr.(*os.File); ok && logfile == "" && logx.IsTerminal(f) {
		// A terminal also gets a progress line for long steps.
		return logx.NewTerminalWriter(f), func() {}, nil
	}
	w := io.Writer(stderr)
	closeFn := func() {}
	if logfile != "" {
		fh, err := os.OpenFile(logfile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("log file: %w", err)
		}
		w = io.MultiWriter(stderr, fh)
		closeFn = func() { fh.Close() }
	}
	return logx.NewTimestampWriter(w), closeFn, nil
}

// finish reports a build's end and maps its error to an exit status.
func finish(cmd string, outputs []string, err error, stdout, stderr io.Writer) int {
	var ie *rootfs.InterruptedError
	switch {
	case err == nil:
		for _, o := range outputs {
			fmt.Fprintln(stdout, o)
		}
		return ExitOK
	case rootfs.IsInputError(err):
		return badInput(stderr, cmd, err)
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "%s: interrupted during phase %s; cleaned up\n", cmd, ie.Phase)
		return ExitInterrupted
	default:
		fmt.Fprintf(stderr, "%s: %s\n", cmd, oneLine(err.Error()))
		return ExitFailure
	}
}
