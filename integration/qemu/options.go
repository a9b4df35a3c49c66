package qemu

// WithBinary runs path instead of DefaultBinary (another QEMU, or a stand-in
// in tests).
func WithBinary(path string) Option { return func(c *Config) { c.Binary = path } }

// WithDir makes dir the work directory. Start then never removes it.
func WithDir(dir string) Option { return func(c *Config) { c.Dir = dir } }

// WithAccel chooses the accelerator, "kvm" or "tcg", skipping the KVM probe.
func WithAccel(accel string) Option { return func(c *Config) { c.Accel = accel } }

// WithMachine sets the machine type (default q35).
func WithMachine(machine string) Option { return func(c *Config) { c.Machine = machine } }

// WithMemory sets the guest memory in MiB.
func WithMemory(mib int) Option { return func(c *Config) { c.MemoryMiB = mib } }

// WithSMP sets the number of virtual CPUs.
func WithSMP(n int) Option { return func(c *Config) { c.SMP = n } }

// WithKernel boots the kernel at path directly, without a bootloader.
func WithKernel(path string) Option { return func(c *Config) { c.Kernel = path } }

// WithInitramfs gives the directly booted kernel the initramfs at path.
func WithInitramfs(path string) Option { return func(c *Config) { c.Initramfs = path } }

// WithAppend adds words to the kernel command line of a directly booted kernel.
func WithAppend(words ...string) Option {
	return func(c *Config) { c.Append = append(c.Append, words...) }
}

// WithDrive attaches a drive described in full.
func WithDrive(d Drive) Option { return func(c *Config) { c.Drives = append(c.Drives, d) } }

// WithDisk attaches the disk image at path, in format, as a virtio disk.
func WithDisk(path, format string) Option {
	return WithDrive(Drive{Path: path, Format: format, Bus: Virtio})
}

// WithIDEDisk attaches the disk image at path, in format, to the IDE/AHCI
// controller, for guests without virtio drivers.
func WithIDEDisk(path, format string) Option {
	return WithDrive(Drive{Path: path, Format: format, Bus: IDE})
}

// WithCDROM attaches the ISO image at path as a read-only CD-ROM, as a config
// drive is given to a guest.
func WithCDROM(path string) Option {
	return WithDrive(Drive{Path: path, Format: "raw", Bus: IDE, CDROM: true, ReadOnly: true})
}

// WithUEFI boots with OVMF; Start finds it with FindOVMF.
func WithUEFI() Option { return func(c *Config) { c.UEFI = true } }

// WithOVMF boots with the given OVMF firmware files.
func WithOVMF(fw Firmware) Option {
	return func(c *Config) { c.UEFI, c.Firmware = true, fw }
}

// WithSeaBIOSConsole copies SeaBIOS's screen output to the serial console, so
// messages before the bootloader ("Boot failed: not a bootable disk") show.
// QEMU warns on standard error that the fw_cfg name lacks "opt/": SeaBIOS
// reads only that name.
func WithSeaBIOSConsole() Option { return func(c *Config) { c.SeaBIOSConsole = true } }

// WithUserNet adds a user-mode network with a virtio-net card and the given
// host forwards.
func WithUserNet(fwds ...HostFwd) Option {
	return func(c *Config) {
		if c.Net == nil {
			c.Net = &UserNet{}
		}
		c.Net.HostFwds = append(c.Net.HostFwds, fwds...)
	}
}

// WithMAC sets the MAC address of the user-mode network card (and adds the
// network if needed).
func WithMAC(mac string) Option {
	return func(c *Config) {
		if c.Net == nil {
			c.Net = &UserNet{}
		}
		c.Net.MAC = mac
	}
}

// WithReboot lets the guest reboot. Without it a guest reboot ends QEMU, so
// a test sees a boot loop as an exit.
func WithReboot() Option { return func(c *Config) { c.Reboot = true } }

// WithExtraArgs appends arguments to the QEMU command line as they are.
func WithExtraArgs(args ...string) Option {
	return func(c *Config) { c.Extra = append(c.Extra, args...) }
}

// WithGuestFwd forwards the guest's TCP connections to an address of the
// user network to a host address (adding the network if needed): on a
// restricted network, the only way out.
func WithGuestFwd(fwds ...GuestFwd) Option {
	return func(c *Config) {
		if c.Net == nil {
			c.Net = &UserNet{}
		}
		c.Net.GuestFwds = append(c.Net.GuestFwds, fwds...)
	}
}

// WithUserNetSlot puts the user network's card in PCI slot slot (adding the
// network if needed), so that the guest names it, and orders it among other
// cards, predictably (enp0s<slot>).
func WithUserNetSlot(slot int) Option {
	return func(c *Config) {
		if c.Net == nil {
			c.Net = &UserNet{}
		}
		c.Net.PCIAddr = slot
	}
}

// WithTap adds a network card on an open tap device.
func WithTap(tap Tap) Option { return func(c *Config) { c.Taps = append(c.Taps, tap) } }

// WithGuestAgent adds the QEMU guest agent's virtio-serial channel.
func WithGuestAgent() Option { return func(c *Config) { c.GuestAgent = true } }
