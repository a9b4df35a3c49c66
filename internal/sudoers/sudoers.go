// Package sudoers installs the rule of sudoers.d/ that lets a group run the
// image building commands as root: it points the rule at the installed
// commands, has visudo check it, and puts it in place atomically.
package sudoers

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Group is the group the rule lets run the commands.
const Group = "dib"

// Source is the rule's file in the source tree, written for /usr/local/bin.
const Source = "sudoers.d/diskimage-builder"

// defaultBin is the directory the rule in the source tree names.
const defaultBin = "/usr/local/bin/"

// Render returns the rule at src with the commands' directory changed to bin.
func Render(src, bin string) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("read sudoers rule %s: %w", src, err)
	}
	return strings.ReplaceAll(string(data), defaultBin, strings.TrimSuffix(bin, "/")+"/"), nil
}

// Check runs visudo -c on the rule in file.
func Check(ctx context.Context, file string) error {
	_, err := run.Run(ctx, run.Cmd{Argv: []string{"visudo", "-c", "-q", "-f", file}})
	if err != nil {
		return fmt.Errorf("check sudoers rule %s: %w", file, err)
	}
	return nil
}

// Install writes rule to dst (mode 0440) once visudo accepts it. The
// temporary file has a dot in its name, which sudo skips in sudoers.d.
func Install(ctx context.Context, rule, dst string) error {
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp")
	if err := os.WriteFile(tmp, []byte(rule), 0o440); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Chmod(tmp, 0o440); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err := Check(ctx, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("install %s: %w", dst, err)
	}
	return nil
}

// EnsureGroup makes the system group Group unless it exists.
func EnsureGroup(ctx context.Context) error {
	if exec.Command("getent", "group", Group).Run() == nil {
		return nil
	}
	if _, err := run.Run(ctx, run.Cmd{Argv: []string{"groupadd", "--system", Group}}); err != nil {
		return fmt.Errorf("make group %s: %w", Group, err)
	}
	return nil
}
