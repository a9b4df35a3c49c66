package disk

import (
	"fmt"
	"strings"
)

// BaseCmdline is the kernel command line before Spec.ExtraCmdline, after
// root=UUID=...: messages go to the screen and to the first serial port.
var BaseCmdline = []string{"ro", "console=tty0", "console=ttyS0,115200n8"}

// BootConfig is what grub.cfg says.
type BootConfig struct {
	Title    string // menu entry title
	RootUUID string // root filesystem UUID
	Kernel   Kernel
	Cmdline  []string // arguments after root=UUID=...
	Timeout  int      // seconds the menu waits
}

// cmdline is the whole kernel command line of c.
func (c BootConfig) cmdline() string {
	return strings.Join(append([]string{"root=UUID=" + c.RootUUID}, c.Cmdline...), " ")
}

// GrubCfg renders /boot/grub/grub.cfg: GRUB talks on the serial port and
// the screen, finds the root filesystem by UUID and boots the kernel with
// its initrd after Timeout seconds. The same file serves BIOS and UEFI.
func GrubCfg(c BootConfig) string {
	var b strings.Builder
	b.WriteString("# Written by diskimage-builder; regenerated with each image.\n")
	fmt.Fprintf(&b, "set default=0\nset timeout=%d\n", c.Timeout)
	b.WriteString("serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n")
	b.WriteString("terminal_input serial console\nterminal_output serial console\n")
	fmt.Fprintf(&b, "\nmenuentry '%s' {\n", strings.ReplaceAll(c.Title, "'", ""))
	b.WriteString("\tinsmod part_gpt\n\tinsmod ext2\n")
	fmt.Fprintf(&b, "\tsearch --no-floppy --fs-uuid --set=root %s\n", c.RootUUID)
	fmt.Fprintf(&b, "\techo Loading Linux %s\n", c.Kernel.Version)
	fmt.Fprintf(&b, "\tlinux %s %s\n", c.Kernel.Image, c.cmdline())
	if c.Kernel.Initrd != "" {
		fmt.Fprintf(&b, "\tinitrd %s\n", c.Kernel.Initrd)
	}
	b.WriteString("}\n")
	return b.String()
}

// Fstab renders /etc/fstab: the root filesystem and the ESP at /boot/efi,
// both by UUID. The boot waits up to five minutes for the ESP's device
// (systemd's default is 90 s): on a slow boot (emulation on a busy host)
// it shows up late, and a timeout fails local-fs.target and ends the boot
// in emergency mode, with no ssh. It is not nofail: kernel, shim and GRUB
// updates write to it, so it must be mounted when the system is up.
func Fstab(rootUUID, espUUID string) string {
	return "# Written by diskimage-builder: filesystems by UUID.\n" +
		fmt.Sprintf("UUID=%s\t/\text4\terrors=remount-ro\t0\t1\n", rootUUID) +
		fmt.Sprintf("UUID=%s\t/boot/efi\tvfat\tumask=0077,x-systemd.device-timeout=5min\t0\t1\n", espUUID)
}

// grubenvSize is the size of GRUB's environment block file.
const grubenvSize = 1024

// Grubenv is an empty /boot/grub/grubenv, as grub-editenv creates it, so
// that Debian's grub-common.service can record a successful boot.
func Grubenv() []byte {
	const head = "# GRUB Environment Block\n"
	b := []byte(head)
	for len(b) < grubenvSize {
		b = append(b, '#')
	}
	return b
}
