package workdir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
	"github.com/tripleo/diskimage-builder/internal/sys/userns"
)

// removeRole removes the paths it reads on standard input, one a line.
const removeRole = "workdir-remove"

func init() { reexec.Register(removeRole, removeChild) }

// RemoveAsNamespaceRoot removes each path (as Remove does, refusing what
// has something mounted below it) in a child process that is root of a
// user namespace mapping this user and its subordinate IDs, as an
// unprivileged build's namespace does: there, the files the build made
// (owned by the image's users, which are subordinate IDs on the host) are
// root's to remove, while the process has no right on the host its user
// does not have. This is how a janitor or a later build removes what an
// unprivileged build left. In a root process it is Remove.
func RemoveAsNamespaceRoot(paths ...string) error {
	if os.Geteuid() == 0 {
		var errs []error
		for _, p := range paths {
			errs = append(errs, Remove(p))
		}
		return errors.Join(errs...)
	}
	m, err := userns.Lookup()
	if err != nil {
		return fmt.Errorf("remove %s: %w", strings.Join(paths, ", "), err)
	}
	cmd, err := m.Command(removeRole)
	if err != nil {
		return fmt.Errorf("remove %s: %w", strings.Join(paths, ", "), err)
	}
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("remove %s: %w", strings.Join(paths, ", "), err)
	}
	if err := cmd.Wait(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return errors.New(strings.ReplaceAll(msg, "\n", "; "))
		}
		return fmt.Errorf("remove %s as namespace root: %w", strings.Join(paths, ", "), err)
	}
	return nil
}

// removeChild is the remove role: root of the user namespace.
func removeChild() int {
	data, err := io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
	if err != nil {
		fmt.Fprintf(os.Stderr, "remove: read paths: %v\n", err)
		return 1
	}
	code := 0
	for _, p := range strings.Split(string(data), "\n") {
		if p == "" {
			continue
		}
		if err := Remove(p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	return code
}
