package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/internal/sys/logx"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// buildLog is the build's log: timestamped lines on stderr, and in the log
// file when one is named, opened with owner's rights (see openLog).
func buildLog(stderr io.Writer, logfile string, owner *rootfs.Owner) (io.Writer, func(), error) {
	if f, ok := stderr.(*os.File); ok && logfile == "" && logx.IsTerminal(f) {
		// A terminal also gets a progress line for long steps.
		return logx.NewTerminalWriter(f), func() {}, nil
	}
	w := io.Writer(stderr)
	closeFn := func() {}
	if logfile != "" {
		fh, err := openLog(logfile, owner)
		if err != nil {
			return nil, nil, err
		}
		w = io.MultiWriter(stderr, fh)
		closeFn = func() { fh.Close() }
	}
	return logx.NewTimestampWriter(w), closeFn, nil
}

// plainLog is buildLog without the time of each line, as the original's
// DIB_NO_TIMESTAMP asks.
func plainLog(stderr io.Writer, logfile string, owner *rootfs.Owner) (io.Writer, func(), error) {
	if logfile == "" {
		return stderr, func() {}, nil
	}
	fh, err := openLog(logfile, owner)
	if err != nil {
		return nil, nil, err
	}
	return io.MultiWriter(stderr, fh), func() { fh.Close() }, nil
}

// logFor is the build's log as the settings ask for it.
func logFor(v values, stderr io.Writer, owner *rootfs.Owner) (io.Writer, func(), error) {
	if v.on("DIB_NO_TIMESTAMP") {
		return plainLog(stderr, v.str("logfile"), owner)
	}
	return buildLog(stderr, v.str("logfile"), owner)
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

// openLog opens the log file for appending, creating it (0644) if need
// be, with owner's rights when root builds for another user: never
// through a symbolic link at its name, and only a regular file.
func openLog(logfile string, owner *rootfs.Owner) (*os.File, error) {
	var fh *os.File
	err := owner.Do(func() error {
		var err error
		fh, err = os.OpenFile(logfile, os.O_CREATE|os.O_WRONLY|os.O_APPEND|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0o644)
		return err
	})
	switch {
	case errors.Is(err, unix.ELOOP):
		return nil, fmt.Errorf("log file %s is a symbolic link: refused", logfile)
	case err != nil && owner != nil:
		return nil, fmt.Errorf("log file: %w (as %s)", err, owner)
	case err != nil:
		return nil, fmt.Errorf("log file: %w", err)
	}
	if fi, err := fh.Stat(); err != nil || !fi.Mode().IsRegular() {
		fh.Close()
		return nil, fmt.Errorf("log file %s is not a regular file", logfile)
	}
	return fh, nil
}
