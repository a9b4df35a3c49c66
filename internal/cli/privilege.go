package cli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// SudoersGroup is the group the rule in sudoers.d/ lets run the commands.
const SudoersGroup = "dib"

// privilege is what EnsureRoot needs from the system, replaced in tests.
type privilege struct {
	euid       func() int
	executable func() (string, error)
	lookPath   func(string) (string, error)
	allowed    func(sudo, cmd string) bool                  // sudo -n -l cmd succeeds
	exec       func(argv0 string, argv, env []string) error // replaces the process
}

var system = privilege{
	euid: os.Geteuid,
	executable: func() (string, error) {
		self, err := os.Executable()
		if err != nil {
			return "", err
		}
		return filepath.EvalSymlinks(self)
	},
	lookPath: exec.LookPath,
	allowed: func(sudo, cmd string) bool {
		return exec.Command(sudo, "-n", "-l", cmd).Run() == nil
	},
	exec: syscall.Exec,
}

// ensureRoot makes a build run as root. As root it returns handled false:
// go on. Otherwise, when sudo's rules let this user run this installed
// command without a password, it re-runs it through sudo with args and the
// variables of env that opts and the hooks use (and does not return); else
// it prints what to do and returns handled true with exit status 1.
func ensureRoot(args, env []string, opts []option, stderr io.Writer) (handled bool, code int) {
	return system.ensureRoot(args, env, opts, stderr)
}

func (p privilege) ensureRoot(args, env []string, opts []option, stderr io.Writer) (bool, int) {
	if p.euid() == 0 {
		return false, ExitOK
	}
	self, err := p.executable()
	name := "disk-image-create"
	if err == nil {
		name = filepath.Base(self)
	}
	sudo, serr := p.lookPath("sudo")
	if err == nil && serr == nil && p.allowed(sudo, self) {
		argv := []string{"sudo", "-n"}
		if keep := keptVariables(env, opts); len(keep) > 0 {
			argv = append(argv, "--preserve-env="+strings.Join(keep, ","))
		}
		argv = append(append(argv, "--", self), args...)
		err = p.exec(sudo, argv, env)
		fmt.Fprintf(stderr, "%s: re-run through sudo: %v\n", name, err)
		return true, ExitFailure
	}
	fmt.Fprintf(stderr, `%[1]s: building needs root: hooks run as root in the image (so whoever may run this is root-equivalent).
Either run it as root:
    sudo %[1]s ...
or let your user run it through the sudoers rule, once, from the source tree as root:
    ./mage install:sudoers      # installs sudoers.d/diskimage-builder after visudo -c
    usermod -aG %[2]s $USER       # then log in again
after which %[1]s re-runs itself through sudo.
`, name, SudoersGroup)
	return true, ExitFailure
}

// keptVariables are the names of the variables set in env that a build
// keeps through sudo (see kept), sorted. Those sudo sets itself (SUDO_USER
// when the caller's shell came from sudo) are not asked for: sudo refuses
// to keep them.
func keptVariables(env []string, opts []option) []string {
	var keep []string
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); kept(opts, k) && !strings.HasPrefix(k, "SUDO_") {
			keep = append(keep, k)
		}
	}
	sort.Strings(keep)
	return keep
}
