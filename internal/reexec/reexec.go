// Package reexec lets a binary start a copy of itself in a named role, the
// way privileged helpers run in fresh namespaces: the parent starts
// /proc/self/exe with the role in the environment, and the child, at
// initialisation, runs the registered function instead of its main.
//
// Every binary that links the images or ramdisk packages (the commands, a
// user's magefile, tests) therefore gets the roles for free.
package reexec

import (
	"os"
	"os/exec"
)

// envRole names the role a re-executed process plays.
const envRole = "DIB_REEXEC_ROLE"

var roles = map[string]func() int{}

// Register makes fn the body of role name and, if this process was started
// for that role, runs it and exits. Call it from an init function.
func Register(name string, fn func() int) {
	if _, dup := roles[name]; dup {
		panic("reexec: role registered twice: " + name)
	}
	roles[name] = fn
	Init()
}

// Init runs the role this process was started for, if it is registered, and
// exits with its status. It returns at once in a normal process. This is the
// one place outside a main package that ends the process: the role is the
// process.
func Init() {
	name := os.Getenv(envRole)
	if name == "" {
		return
	}
	fn, ok := roles[name]
	if !ok {
		return // registered by a package initialised later
	}
	os.Unsetenv(envRole)
	os.Exit(fn())
}

// Command returns a command that runs this binary in role name with args.
// The caller sets SysProcAttr (namespaces, parent-death signal) and I/O.
func Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = "dib-" + name
	cmd.Env = append(os.Environ(), envRole+"="+name)
	return cmd
}
