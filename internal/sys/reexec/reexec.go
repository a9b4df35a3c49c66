// Package reexec lets a binary start a copy of itself in a named role, the
// way privileged helpers run in fresh namespaces: the parent starts
// /proc/self/exe, and the child, at initialisation, runs the registered
// function instead of its main.
//
// The role is never taken from the environment or the command line, which
// a caller can set (and which sudo keeps): the parent writes it into a pipe
// that the child inherits as file descriptor 3 (HandshakeFD). Only a process
// holding that pipe can start a role, and sudo closes every descriptor above
// 2, so `sudo disk-image-create` can never be turned into a janitor or a
// namespace runner.
//
// Every binary that links the images or ramdisk packages (the commands, a
// user's magefile, tests) therefore gets the roles for free.
package reexec

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"
)

// HandshakeFD is the descriptor on which a re-executed child reads its
// role. Role-specific descriptors start at FirstFreeFD.
const (
	HandshakeFD = 3
	FirstFreeFD = HandshakeFD + 1
)

// magic starts the handshake, so that an unrelated pipe on fd 3 is never
// read as a role.
const magic = "dib-reexec-v1 "

// maxHandshake bounds what the child reads from the handshake pipe.
const maxHandshake = 256

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
	name, ok := strings.CutPrefix(os.Args[0], "dib-")
	if !ok {
		return
	}
	fn, ok := roles[name]
	if !ok {
		return // registered by a package initialised later, or no role
	}
	if got, err := readHandshake(); err != nil || got != name {
		return // not started by a parent build: run as the command itself
	}
	os.Exit(fn())
}

// readHandshake reads the role the parent wrote on HandshakeFD, which must
// be a pipe, and closes it.
func readHandshake() (string, error) {
	var st unix.Stat_t
	if err := unix.Fstat(HandshakeFD, &st); err != nil {
		return "", err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return "", fmt.Errorf("reexec: fd %d is not a pipe", HandshakeFD)
	}
	f := os.NewFile(HandshakeFD, "reexec-handshake")
	defer f.Close()
	buf := make([]byte, maxHandshake)
	n := 0
	for n < len(buf) {
		m, err := f.Read(buf[n:])
		n += m
		if err != nil || m == 0 {
			break
		}
	}
	role, ok := strings.CutPrefix(string(buf[:n]), magic)
	if !ok || !strings.HasSuffix(role, "\n") {
		return "", fmt.Errorf("reexec: bad handshake")
	}
	return strings.TrimSuffix(role, "\n"), nil
}

// Cmd is a command that runs this binary in a role. Its ExtraFiles start
// with the handshake pipe (fd 3); append role-specific files after it, so
// they arrive as FirstFreeFD, FirstFreeFD+1, ...
type Cmd struct {
	*exec.Cmd
	handshake *os.File // the child's end, closed by Start
	// A held command's parent end, its message and what runs first.
	w          *os.File
	message    string
	beforeRole func(pid int) error
}

// Command returns a command that runs this binary in role name with args.
// The caller sets SysProcAttr (namespaces, parent-death signal) and I/O,
// then calls Start (which closes the parent's end of the handshake).
func Command(name string, args ...string) (*Cmd, error) {
	c, err := Held(name, nil, args...)
	if err != nil {
		return nil, err
	}
	// The message is far below the pipe's buffer, so it never blocks: the
	// child finds its role even if this process dies before it reads it.
	if err := c.writeHandshake(); err != nil {
		c.handshake.Close()
		return nil, err
	}
	return c, nil
}

// Held is Command for a child that must wait before it runs its role:
// Start starts it, runs beforeRole with its process ID (the ID maps of a
// new user namespace are written there), then tells it its role. Start it
// with Start only, never with Run or Output, which would leave it waiting.
func Held(name string, beforeRole func(pid int) error, args ...string) (*Cmd, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("reexec %s: handshake pipe: %w", name, err)
	}
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = "dib-" + name
	cmd.ExtraFiles = []*os.File{r}
	return &Cmd{Cmd: cmd, handshake: r, w: w, message: magic + name + "\n", beforeRole: beforeRole}, nil
}

// Start starts the command and closes the parent's copy of the handshake.
// A held command's beforeRole runs, then the handshake is written; if
// either fails, the child is killed and waited for, and the error
// returned: do not Wait for it again.
func (c *Cmd) Start() error {
	err := c.Cmd.Start()
	c.handshake.Close()
	if c.w == nil {
		return err
	}
	if err != nil {
		c.w.Close()
		return err
	}
	if c.beforeRole != nil {
		err = c.beforeRole(c.Process.Pid)
	}
	if err == nil {
		err = c.writeHandshake()
	}
	if err != nil {
		if c.w != nil {
			c.w.Close()
		}
		c.Process.Kill()
		c.Cmd.Wait()
	}
	return err
}

// writeHandshake writes the role on the parent's end and closes it.
func (c *Cmd) writeHandshake() error {
	_, err := c.w.WriteString(c.message)
	if cerr := c.w.Close(); err == nil {
		err = cerr
	}
	c.w = nil
	if err != nil {
		return fmt.Errorf("reexec %s: write handshake: %w", c.Args[0], err)
	}
	return nil
}
