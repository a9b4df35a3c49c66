package qemu

import (
	"fmt"
	"io"
	"regexp"
	"time"
)

// Type writes s to the serial console, as if typed on it.
func (vm *VM) Type(s string) error {
	vm.mu.Lock()
	stdin := vm.stdin
	vm.mu.Unlock()
	if _, err := io.WriteString(stdin, s); err != nil {
		return fmt.Errorf("type on the qemu console: %w", err)
	}
	return nil
}

// Login logs user in on the serial console with password, waiting up to
// timeout for each prompt, and leaves a shell whose prompt ends in "$ ".
func (vm *VM) Login(user, password string, timeout time.Duration) error {
	for _, step := range []struct{ prompt, input string }{{"login: ", user + "\n"}, {"Password: ", password + "\n"}} {
		if err := vm.Expect(step.prompt, timeout); err != nil {
			return fmt.Errorf("log in as %s: %w", user, err)
		}
		if err := vm.Type(step.input); err != nil {
			return err
		}
	}
	if err := vm.Expect("$ ", timeout); err != nil {
		return fmt.Errorf("log in as %s: no shell prompt: %w", user, err)
	}
	return nil
}

// Run types a shell command line on the console (a logged-in shell) and
// waits up to timeout for the line its output starts after marker, which
// it returns, and for the shell's next prompt ("$ "): a line typed while
// the command still runs could be taken by it (sudo discards what was
// typed ahead). The typed line echoed by the terminal never matches: the
// marker is printed in two halves.
func (vm *VM) Run(command, marker string, timeout time.Duration) (string, error) {
	half := len(marker) / 2
	if err := vm.Type(fmt.Sprintf("printf '%%s%%s' '%s' '%s'; %s\n", marker[:half], marker[half:], command)); err != nil {
		return "", err
	}
	m, err := vm.ExpectRE(regexp.MustCompile(regexp.QuoteMeta(marker)+`([^\r\n]*)\r?\n`), timeout)
	if err != nil {
		return "", fmt.Errorf("run %q on the console: %w", command, err)
	}
	if err := vm.Expect("$ ", timeout); err != nil {
		return "", fmt.Errorf("run %q on the console: no prompt after it: %w", command, err)
	}
	return m[1], nil
}
