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

	"github.com/tripleo/diskimage-builder/internal/sys/userns"
)

// SudoersGroup is the group the rule in sudoers.d/ lets run the commands.
const SudoersGroup = "dib"

// privilege is what ensurePrivilege needs from the system, replaced in
// tests.
type privilege struct {
	euid func() int
	// canBuild says why this process cannot build as it is: as root
	// (with every ID an image needs) or in a user namespace of its user.
	canBuild   func() error
	executable func() (string, error)
	lookPath   func(string) (string, error)
	allowed    func(sudo, cmd string) bool                  // sudo -n -l cmd succeeds
	exec       func(argv0 string, argv, env []string) error // replaces the process
}

var system = privilege{
	euid: os.Geteuid,
	canBuild: func() error {
		_, _, err := userns.Choose()
		return err
	},
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

// ensurePrivilege chooses how a build runs. As root, or as a user who can
// build as root of a user namespace (subordinate IDs, user namespaces
// allowed), it returns handled false: go on. Otherwise, when sudo's rules
// let this user run this installed command without a password, it re-runs
// it through sudo with args and the variables of env that opts and the
// hooks use (and does not return); else it prints one line saying what is
// missing and how to add it, and returns handled true with exit status 2.
func ensurePrivilege(args, env []string, opts []option, stderr io.Writer) (handled bool, code int) {
	return system.ensurePrivilege(args, env, opts, stderr)
}

func (p privilege) ensurePrivilege(args, env []string, opts []option, stderr io.Writer) (bool, int) {
	why := p.canBuild()
	if why == nil {
		return false, ExitOK
	}
	self, err := p.executable()
	name := "disk-image-create"
	if err == nil {
		name = filepath.Base(self)
	}
	if p.euid() != 0 {
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
	}
	fmt.Fprintf(stderr, "%s: cannot build here: %s\n", name, oneLine(why.Error()))
	return true, ExitBadInput
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
