package qemu

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// joined renders argv with spaces, for substring checks of option pairs.
func joined(t *testing.T, opts ...Option) string {
	t.Helper()
	argv, err := Args(opts...)
	require.NoError(t, err)
	return strings.Join(argv, " ")
}

func TestArgsForBIOSBootAreMinimalSerialConsoleMachine(t *testing.T) {
	t.Parallel()
	argv, err := Args()
	require.NoError(t, err)
	assert.Equal(t, []string{
		"qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-m", "1024",
		"-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
	}, argv)
}

func TestArgsForKVMUseTheHostCPU(t *testing.T) {
	t.Parallel()
	s := joined(t, WithAccel("kvm"))
	assert.Contains(t, s, "-accel kvm -cpu host")
}

func TestArgsForUEFIIncludePflashFirmware(t *testing.T) {
	t.Parallel()
	s := joined(t, WithDir("/work"), WithOVMF(Firmware{Code: "/fw/OVMF_CODE_4M.fd", Vars: "/fw/OVMF_VARS_4M.fd"}))
	assert.Contains(t, s, "-drive if=pflash,format=raw,unit=0,readonly=on,file=/fw/OVMF_CODE_4M.fd")
	assert.Contains(t, s, "-drive if=pflash,format=raw,unit=1,file=/work/OVMF_VARS_4M.fd",
		"the guest writes a copy of the variables in the work directory, never the template")
	assert.NotContains(t, s, "-bios")
}

func TestArgsForCombinedOVMFUseBios(t *testing.T) {
	t.Parallel()
	s := joined(t, WithOVMF(Firmware{Code: "/usr/share/ovmf/OVMF.fd"}))
	assert.Contains(t, s, "-bios /usr/share/ovmf/OVMF.fd")
	assert.NotContains(t, s, "pflash")
}

func TestArgsForUEFIWithoutFirmwareAreAnError(t *testing.T) {
	t.Parallel()
	_, err := Args(WithUEFI())
	require.ErrorContains(t, err, "uefi firmware not set")
}

func TestArgsForSeaBIOSConsoleNameTheSerconFile(t *testing.T) {
	t.Parallel()
	s := joined(t, WithDir("/work"), WithSeaBIOSConsole())
	assert.Contains(t, s, "-fw_cfg name=etc/sercon-port,file=/work/sercon-port")
}

func TestArgsForDisksChooseBusAndFormat(t *testing.T) {
	t.Parallel()
	argv, err := Args(
		WithDisk("/img/vm.qcow2", "qcow2"),
		WithIDEDisk("/img/old.raw", "raw"),
		WithDrive(Drive{Path: "/img/a,b.raw", Format: "raw", Snapshot: true}),
		WithCDROM("/img/config-2.iso"),
	)
	require.NoError(t, err)
	var drives []string
	for i, a := range argv {
		if a == "-drive" {
			drives = append(drives, argv[i+1])
		}
	}
	assert.Equal(t, []string{
		"file=/img/vm.qcow2,format=qcow2,if=virtio",
		"file=/img/old.raw,format=raw,if=ide",
		"file=/img/a,,b.raw,format=raw,if=virtio,snapshot=on",
		"file=/img/config-2.iso,format=raw,if=ide,media=cdrom,readonly=on",
	}, drives)
}

func TestArgsForDrivesWithoutFormatAreAnError(t *testing.T) {
	t.Parallel()
	_, err := Args(WithDisk("/img/vm.img", ""))
	require.ErrorContains(t, err, "drive /img/vm.img: format")
	_, err = Args(WithDrive(Drive{Path: "/x.iso", Format: "raw", Bus: Virtio, CDROM: true}))
	require.ErrorContains(t, err, "cd-rom goes on the ide bus")
}

func TestArgsForUserNetAreRestrictedAndForwardPortsToAVirtioCardWithTheMAC(t *testing.T) {
	t.Parallel()
	s := joined(t, WithUserNet(TCPFwd(2222, 22), HostFwd{Proto: "udp", HostPort: 6969, GuestPort: 69}))
	assert.Contains(t, s, "-netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp::6969-:69")
	assert.Contains(t, s, "-device virtio-net-pci,netdev=net0,mac="+DefaultMAC)

	s = joined(t, WithMAC("52:54:00:aa:bb:cc"))
	assert.Contains(t, s, "-netdev user,id=net0,restrict=on -device virtio-net-pci,netdev=net0,mac=52:54:00:aa:bb:cc",
		"a network made by WithMAC alone is restricted too")
}

func TestArgsForGuestForwardsRunSocatToTheHostTarget(t *testing.T) {
	t.Parallel()
	s := joined(t, WithGuestFwd(GuestFwd{Addr: "10.0.2.100", Port: 80, Target: "127.0.0.1:8080"}))
	assert.Contains(t, s, "-netdev user,id=net0,restrict=on,guestfwd=tcp:10.0.2.100:80-cmd:socat STDIO TCP:127.0.0.1:8080 ")
	_, err := Args(WithGuestFwd(GuestFwd{Addr: "10.0.2.100"}))
	require.ErrorContains(t, err, "give an address, a port and a host target")
}

func TestArgsForTapCardsUseTheInheritedDescriptorsBeforeTheUserNet(t *testing.T) {
	t.Parallel()
	f := os.NewFile(uintptr(0), "fake-tap")
	s := joined(t, WithTap(Tap{File: f, MAC: "52:54:00:00:00:01", PCIAddr: 16}), WithTap(Tap{File: f, MAC: "52:54:00:00:00:02"}),
		WithUserNet(), WithUserNetSlot(17))
	assert.Contains(t, s, "-netdev tap,id=tap0,fd=3 -device virtio-net-pci,netdev=tap0,mac=52:54:00:00:00:01,addr=0x10 "+
		"-netdev tap,id=tap1,fd=4 -device virtio-net-pci,netdev=tap1,mac=52:54:00:00:00:02 "+
		"-netdev user,id=net0,restrict=on -device virtio-net-pci,netdev=net0,mac="+DefaultMAC+",addr=0x11")
	_, err := Args(WithTap(Tap{MAC: "52:54:00:00:00:01"}))
	require.ErrorContains(t, err, "tap card without an open tap file")
}

func TestArgsForTheGuestAgentAddItsVirtioSerialChannelOnASocketInTheWorkDir(t *testing.T) {
	t.Parallel()
	s := joined(t, WithDir("/work"), WithGuestAgent())
	assert.Contains(t, s, "-device virtio-serial-pci,id=vser0 -chardev socket,id=qga0,server=on,wait=off,path=/work/qga.sock "+
		"-device virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0")
	_, err := Args(WithGuestAgent())
	require.ErrorContains(t, err, "no work directory")
}

func TestArgsForDirectKernelBootJoinTheCommandLine(t *testing.T) {
	t.Parallel()
	argv, err := Args(WithKernel("/b/vmlinuz"), WithInitramfs("/b/initrd"),
		WithAppend("console=ttyS0", "root=/dev/vda1"), WithAppend("quiet"))
	require.NoError(t, err)
	s := strings.Join(argv, " ")
	assert.Contains(t, s, "-kernel /b/vmlinuz -initrd /b/initrd -append")
	assert.Equal(t, "console=ttyS0 root=/dev/vda1 quiet", argv[len(argv)-1], "the command line is one argument")
}

func TestArgsForInitramfsWithoutKernelAreAnError(t *testing.T) {
	t.Parallel()
	_, err := Args(WithInitramfs("/b/initrd"))
	require.ErrorContains(t, err, "without a kernel")
}

func TestArgsHonourMemorySMPRebootBinaryAndExtraArgs(t *testing.T) {
	t.Parallel()
	argv, err := Args(WithBinary("/opt/qemu"), WithMemory(2048), WithSMP(2), WithReboot(),
		WithMachine("pc"), WithExtraArgs("-boot", "menu=on"))
	require.NoError(t, err)
	s := strings.Join(argv, " ")
	assert.Equal(t, "/opt/qemu", argv[0])
	assert.Contains(t, s, "-machine pc ")
	assert.Contains(t, s, "-m 2048 -smp 2")
	assert.NotContains(t, s, "-no-reboot")
	assert.Equal(t, []string{"-boot", "menu=on"}, argv[len(argv)-2:], "extra arguments come last")
}

func TestArgsRejectAnUnknownAccelerator(t *testing.T) {
	t.Parallel()
	_, err := Args(WithAccel("hvf"))
	require.ErrorContains(t, err, `accelerator "hvf"`)
}

func TestAnSMPGuestUnderTCGRunsInOneThread(t *testing.T) {
	argv, err := Args(WithAccel("tcg"), WithSMP(2))
	require.NoError(t, err)
	assert.Contains(t, strings.Join(argv, " "), "-accel tcg,thread=single -m 1024 -smp 2")
	argv, err = Args(WithAccel("tcg"))
	require.NoError(t, err)
	assert.Contains(t, strings.Join(argv, " "), "-accel tcg -m")
}
