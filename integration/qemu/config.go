// Package qemu starts QEMU virtual machines from Go tests and watches their
// serial console.
//
// A machine is described by small options (WithKernel, WithDisk, WithUEFI,
// WithUserNet, ...). Args turns them into a QEMU command line without
// touching the host, so the command line is unit tested. Start runs QEMU in a
// work directory of its own, streams the serial console into the test log and
// keeps it for matching with Expect; when the test fails, the work directory
// is kept and the command line that reproduces the run is logged.
//
// The accelerator is KVM only when a short probe proves a guest runs under it
// (see KVMUsable); otherwise TCG. DIB_QEMU_ACCEL=kvm or tcg overrides the probe.
package qemu

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// DefaultBinary is the QEMU system emulator that Start runs.
const DefaultBinary = "qemu-system-x86_64"

// DefaultMemoryMiB is the guest memory when WithMemory is not given.
const DefaultMemoryMiB = 1024

// DefaultMAC is the MAC address of the guest's network card when WithMAC is
// not given (QEMU's own default, in the locally administered 52:54:00 range).
const DefaultMAC = "52:54:00:12:34:56"

// Config describes one virtual machine. Build it with options; the zero value
// of a field means its default.
type Config struct {
	Binary    string   // QEMU program; DefaultBinary if empty
	Dir       string   // work directory for firmware variables and logs
	Accel     string   // "kvm" or "tcg"; Start chooses with Accel if empty, Args uses tcg
	Machine   string   // machine type; "q35" if empty
	MemoryMiB int      // guest memory; DefaultMemoryMiB if zero
	SMP       int      // virtual CPUs; QEMU's default (1) if zero
	Kernel    string   // direct kernel boot
	Initramfs string   // initrd for Kernel
	Append    []string // kernel command line words, joined with spaces
	Drives    []Drive  // disks and CD-ROMs, in order
	UEFI      bool     // boot with OVMF instead of SeaBIOS
	Firmware  Firmware // OVMF files; Start fills it with FindOVMF when UEFI is set
	// SecureBoot enforces Secure Boot: with UEFI, on q35 with SMM and the
	// firmware's flash secured; Start finds firmware with FindSecureBootOVMF.
	SecureBoot bool
	// SeaBIOSConsole copies SeaBIOS's screen output to the serial console.
	SeaBIOSConsole bool
	Net            *UserNet // user-mode network, if any
	Taps           []Tap    // network cards on tap devices the caller opened, before Net's
	// GuestAgent adds the virtio-serial channel of the QEMU guest agent
	// (org.qemu.guest_agent.0), as OpenStack's hw_qemu_guest_agent=yes
	// does, on a socket in the work directory (see VM.GuestAgent).
	GuestAgent bool
	Reboot     bool     // let a guest reboot; by default a reboot ends QEMU
	Extra      []string // extra arguments, appended last
}

// Option changes a Config.
type Option func(*Config)

// Bus is how a drive is attached to the machine.
type Bus string

// Buses for Drive.
const (
	Virtio Bus = "virtio" // virtio-blk: /dev/vdX in the guest
	IDE    Bus = "ide"    // the machine's IDE/AHCI controller: /dev/sdX
)

// Drive is a disk image or CD-ROM given to the guest.
type Drive struct {
	Path     string
	Format   string // raw, qcow2, vmdk, ...: never guessed
	Bus      Bus    // Virtio if empty
	CDROM    bool   // attach as a read-only CD-ROM (IDE)
	ReadOnly bool
	// Snapshot writes changes to a temporary overlay, leaving Path untouched.
	Snapshot bool
}

// UserNet is a user-mode (slirp) network with a virtio-net card. It is
// always restricted (restrict=on): the guest reaches nothing outside it, not
// the host and not the host's networks (where 169.254.169.254 might answer),
// but what GuestFwds forward. HostFwds reach the guest's ports from the host.
type UserNet struct {
	MAC       string // DefaultMAC if empty
	HostFwds  []HostFwd
	GuestFwds []GuestFwd
	PCIAddr   int // PCI slot of the card on the root bus; QEMU picks one if 0
}

// GuestFwd forwards TCP connections the guest makes to Addr:Port (an
// address of the user network, not 10.0.2.2 or .3) to Target, host:port on
// the host, through a socat QEMU starts for each connection.
type GuestFwd struct {
	Addr   string // e.g. "10.0.2.100"
	Port   int
	Target string // e.g. "127.0.0.1:8080"
}

// String renders the forward in QEMU's guestfwd syntax.
func (f GuestFwd) String() string {
	return fmt.Sprintf("tcp:%s:%d-cmd:socat STDIO TCP:%s", f.Addr, f.Port, f.Target)
}

// Tap is a virtio-net card on a tap device opened by the caller (in a
// network namespace of its own, say); QEMU inherits the open file.
type Tap struct {
	File    *os.File
	MAC     string
	PCIAddr int // PCI slot of the card on the root bus; QEMU picks one if 0
}

// HostFwd forwards a host port to a guest port.
type HostFwd struct {
	Proto     string // "tcp" or "udp"
	HostAddr  string // address to listen on; empty means all
	HostPort  int
	GuestPort int
}

// TCPFwd forwards 127.0.0.1:hostPort on the host to guestPort in the guest.
func TCPFwd(hostPort, guestPort int) HostFwd {
	return HostFwd{Proto: "tcp", HostAddr: "127.0.0.1", HostPort: hostPort, GuestPort: guestPort}
}

// String renders the forward in QEMU's hostfwd syntax.
func (f HostFwd) String() string {
	return fmt.Sprintf("%s:%s:%d-:%d", f.Proto, f.HostAddr, f.HostPort, f.GuestPort)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago, for a
// host forward.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free tcp port: %w", err)
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	if err != nil {
		return 0, fmt.Errorf("find a free tcp port: %w", err)
	}
	return strconv.Atoi(port)
}
