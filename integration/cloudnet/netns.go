package cloudnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// namespace is an anonymous network namespace, alive while its holder
// process runs or a descriptor of it is open.
type namespace struct {
	holder *exec.Cmd
	fd     *os.File // the namespace, open
	path   string   // /proc/PID/ns/net of the holder, for nsenter
}

// newNamespace starts a process in a new network namespace that only
// sleeps, holding the namespace. It dies with the test process.
func newNamespace() (*namespace, error) {
	holder := exec.Command("sleep", "infinity")
	holder.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := holder.Start(); err != nil {
		return nil, fmt.Errorf("start the holder of a network namespace: %w", err)
	}
	ns := &namespace{holder: holder, path: fmt.Sprintf("/proc/%d/ns/net", holder.Process.Pid)}
	fd, err := os.Open(ns.path)
	if err != nil {
		ns.close()
		return nil, fmt.Errorf("open network namespace: %w", err)
	}
	ns.fd = fd
	return ns, nil
}

// inode identifies the namespace (as /proc/PID/ns/net links show it).
func (ns *namespace) inode() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(ns.fd.Fd()), &st); err != nil {
		return 0, fmt.Errorf("stat network namespace: %w", err)
	}
	return st.Ino, nil
}

// do runs fn on an OS thread that has entered the namespace. Sockets and
// tap devices fn makes belong to the namespace. The thread is given back
// only if it returned to the original namespace; otherwise it ends with
// the goroutine.
func (ns *namespace) do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			errc <- fmt.Errorf("open the thread's network namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := unix.Setns(int(ns.fd.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("enter network namespace: %w", err)
			return // the thread may be anywhere: let it end
		}
		fnErr := fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- errors.Join(fnErr, fmt.Errorf("leave network namespace: %w", err))
			return
		}
		runtime.UnlockOSThread()
		errc <- fnErr
	}()
	return <-errc
}

// openTap makes the tap device name in the namespace and returns its file,
// for QEMU to inherit. The device goes away when the last copy of the file
// is closed.
func (ns *namespace) openTap(name string) (*os.File, error) {
	var tap *os.File
	err := ns.do(func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open /dev/net/tun: %w", err)
		}
		ifr, err := unix.NewIfreq(name)
		if err != nil {
			unix.Close(fd)
			return fmt.Errorf("tap %s: %w", name, err)
		}
		ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			unix.Close(fd)
			return fmt.Errorf("make tap %s: %w", name, err)
		}
		tap = os.NewFile(uintptr(fd), "/dev/net/tun:"+name)
		return nil
	})
	return tap, err
}

// listen opens a TCP listener on addr inside the namespace.
func (ns *namespace) listen(addr string) (net.Listener, error) {
	var l net.Listener
	err := ns.do(func() error {
		var err error
		l, err = net.Listen("tcp", addr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listen on %s in the network namespace: %w", addr, err)
	}
	return l, nil
}

// close kills the holder and closes the namespace; it is gone once no
// other process or descriptor holds it.
func (ns *namespace) close() error {
	var errs []error
	if ns.fd != nil {
		errs = append(errs, ns.fd.Close())
	}
	if err := ns.holder.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		errs = append(errs, fmt.Errorf("kill namespace holder: %w", err))
	}
	_ = ns.holder.Wait() // killed: its exit status says so
	return errors.Join(errs...)
}
