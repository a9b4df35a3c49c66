package qemu

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// seaBIOSConsoleFile is the fw_cfg file, in the work directory, that holds
// the serial port SeaBIOS copies its screen to (0x3f8, little endian).
const seaBIOSConsoleFile = "sercon-port"

// NewConfig returns the Config that opts describe.
func NewConfig(opts ...Option) *Config {
	c := &Config{}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Args returns the QEMU command line (program first) that opts describe. It
// reads no file and runs nothing; WithUEFI alone is an error here, since
// finding OVMF is Start's work (give WithOVMF).
func Args(opts ...Option) ([]string, error) {
	return NewConfig(opts...).Args()
}

// Args returns the QEMU command line, program first, for c.
func (c *Config) Args() ([]string, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	a := []string{c.binary()}
	add := func(args ...string) { a = append(a, args...) }

	accel := c.Accel
	if accel == "" {
		accel = "tcg"
	}
	accelArg := accel
	if accel == "tcg" && c.SMP > 1 {
		// Multi-threaded TCG (QEMU 7.2) lets one vCPU run stale code
		// while the guest kernel live-patches itself with int3 on another:
		// seen as "Oops: int3" panics early in boot. One thread for all
		// vCPUs keeps an SMP guest and boots it every time.
		accelArg = "tcg,thread=single"
	}
	add("-machine", c.machine(), "-accel", accelArg)
	if accel == "kvm" {
		add("-cpu", "host")
	}
	mem := c.MemoryMiB
	if mem == 0 {
		mem = DefaultMemoryMiB
	}
	add("-m", strconv.Itoa(mem))
	if c.SMP > 0 {
		add("-smp", strconv.Itoa(c.SMP))
	}
	add("-nodefaults", "-display", "none", "-serial", "stdio")
	if !c.Reboot {
		add("-no-reboot")
	}

	add(c.secureBootArgs()...)
	switch {
	case c.UEFI && c.Firmware.Vars != "":
		add("-drive", "if=pflash,format=raw,unit=0,readonly=on,file="+escape(c.Firmware.Code),
			"-drive", "if=pflash,format=raw,unit=1,file="+escape(c.varsPath()))
	case c.UEFI:
		add("-bios", c.Firmware.Code)
	case c.SeaBIOSConsole:
		add("-fw_cfg", "name=etc/sercon-port,file="+escape(filepath.Join(c.Dir, seaBIOSConsoleFile)))
	}

	if c.Kernel != "" {
		add("-kernel", c.Kernel)
	}
	if c.Initramfs != "" {
		add("-initrd", c.Initramfs)
	}
	if len(c.Append) > 0 {
		add("-append", strings.Join(c.Append, " "))
	}

	for _, d := range c.Drives {
		add("-drive", d.arg())
	}

	add(c.netArgs()...)
	if c.GuestAgent {
		add("-device", "virtio-serial-pci,id=vser0",
			"-chardev", "socket,id=qga0,server=on,wait=off,path="+escape(c.GuestAgentSocket()),
			"-device", "virtserialport,bus=vser0.0,chardev=qga0,name="+GuestAgentChannel)
	}

	add(c.Extra...)
	return a, nil
}

// netArgs renders the tap cards (their files are descriptors 3, 4, ... of
// QEMU) and the restricted user network.
func (c *Config) netArgs() []string {
	var a []string
	for i, tap := range c.Taps {
		id := "tap" + strconv.Itoa(i)
		a = append(a, "-netdev", fmt.Sprintf("tap,id=%s,fd=%d", id, 3+i), "-device", nic(id, tap.MAC, tap.PCIAddr))
	}
	if c.Net != nil {
		netdev := "user,id=net0,restrict=on"
		for _, f := range c.Net.HostFwds {
			netdev += ",hostfwd=" + f.String()
		}
		for _, f := range c.Net.GuestFwds {
			netdev += ",guestfwd=" + escape(f.String())
		}
		mac := c.Net.MAC
		if mac == "" {
			mac = DefaultMAC
		}
		a = append(a, "-netdev", netdev, "-device", nic("net0", mac, c.Net.PCIAddr))
	}
	return a
}

// nic renders a virtio-net card on netdev id.
func nic(id, mac string, pciAddr int) string {
	s := "virtio-net-pci,netdev=" + id + ",mac=" + mac
	if pciAddr > 0 {
		s += fmt.Sprintf(",addr=0x%x", pciAddr)
	}
	return s
}

// validate reports settings that cannot make a sensible command line.
func (c *Config) validate() error {
	errs := c.secureBootErrors()
	if c.Accel != "" && c.Accel != "kvm" && c.Accel != "tcg" {
		errs = append(errs, fmt.Errorf("accelerator %q: want kvm or tcg", c.Accel))
	}
	if c.MemoryMiB < 0 || c.SMP < 0 {
		errs = append(errs, fmt.Errorf("memory %d MiB, %d cpus: must not be negative", c.MemoryMiB, c.SMP))
	}
	if c.Kernel == "" && (c.Initramfs != "" || len(c.Append) > 0) {
		errs = append(errs, errors.New("initramfs or kernel command line given without a kernel"))
	}
	if c.UEFI && c.Firmware.Code == "" {
		errs = append(errs, errors.New("uefi firmware not set: give WithOVMF, or let Start find it"))
	}
	if c.UEFI && c.SeaBIOSConsole {
		errs = append(errs, errors.New("seabios console asked for a uefi boot"))
	}
	for _, tap := range c.Taps {
		if tap.File == nil || tap.MAC == "" {
			errs = append(errs, errors.New("tap card without an open tap file or a mac address"))
		}
	}
	if c.Net != nil {
		for _, f := range c.Net.GuestFwds {
			if f.Addr == "" || f.Port <= 0 || f.Target == "" {
				errs = append(errs, fmt.Errorf("guest forward %q: give an address, a port and a host target", f.String()))
			}
		}
	}
	if c.Dir == "" && (c.SeaBIOSConsole || c.GuestAgent || c.UEFI && c.Firmware.Vars != "") {
		errs = append(errs, errors.New("no work directory for firmware or guest agent files: give WithDir, or let Start make one"))
	}
	for _, d := range c.Drives {
		switch {
		case d.Path == "":
			errs = append(errs, errors.New("drive without a path"))
		case d.Format == "" || strings.Contains(d.Format, ","):
			errs = append(errs, fmt.Errorf("drive %s: format %q: give raw, qcow2, ...", d.Path, d.Format))
		case d.Bus != "" && d.Bus != Virtio && d.Bus != IDE:
			errs = append(errs, fmt.Errorf("drive %s: bus %q: want virtio or ide", d.Path, d.Bus))
		case d.CDROM && d.Bus == Virtio:
			errs = append(errs, fmt.Errorf("drive %s: a cd-rom goes on the ide bus, not virtio", d.Path))
		}
	}
	return errors.Join(errs...)
}

// arg renders the drive as a -drive value.
func (d Drive) arg() string {
	bus := d.Bus
	if bus == "" {
		bus = Virtio
		if d.CDROM {
			bus = IDE
		}
	}
	s := "file=" + escape(d.Path) + ",format=" + d.Format + ",if=" + string(bus)
	if d.CDROM {
		s += ",media=cdrom"
	}
	if d.ReadOnly {
		s += ",readonly=on"
	}
	if d.Snapshot {
		s += ",snapshot=on"
	}
	return s
}

// varsPath is where the writable copy of the OVMF variables lives.
func (c *Config) varsPath() string {
	return filepath.Join(c.Dir, filepath.Base(c.Firmware.Vars))
}

func (c *Config) binary() string {
	if c.Binary == "" {
		return DefaultBinary
	}
	return c.Binary
}

func (c *Config) machine() string {
	if c.Machine == "" {
		return "q35" + c.smm()
	}
	return c.Machine + c.smm()
}

// escape doubles commas, as QEMU wants inside an option value.
func escape(s string) string { return strings.ReplaceAll(s, ",", ",,") }
