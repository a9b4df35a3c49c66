package qemu

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// AccelEnv names the environment variable that overrides the KVM probe:
// "kvm" or "tcg".
const AccelEnv = "DIB_QEMU_ACCEL"

// probeTimeout bounds the KVM probe. The probe guest needs well under a
// second under KVM (about 0.3 s even under TCG).
const probeTimeout = 3 * time.Second

// probeMarker is what SeaBIOS prints when it has run through its whole boot
// and found nothing to boot.
const probeMarker = "No bootable device"

var kvmProbe = sync.OnceValues(func() (bool, string) {
	return remembered("kvm", func() (bool, string) { return probeKVM(DefaultBinary) })
})

// smmProbe says whether KVM here runs a guest with System Management Mode,
// which the Secure Boot firmware needs: a nested KVM may run guests and
// still refuse it ("System Management Mode not supported by this
// hypervisor").
var smmProbe = sync.OnceValues(func() (bool, string) {
	return remembered("smm", func() (bool, string) {
		if err := probeBoot(DefaultBinary, "kvm", "q35,smm=on"); err != nil {
			return false, fmt.Sprintf("kvm runs guests but not with System Management Mode, which Secure Boot needs: %v", err)
		}
		return true, "kvm probe: SeaBIOS booted under kvm with System Management Mode"
	})
})

// AccelFor is Accel for a guest that needs System Management Mode when smm
// is set (Secure Boot): KVM only when it gives SMM too, else TCG.
func AccelFor(smm bool) (accel, reason string, err error) {
	accel, reason, err = Accel()
	if err != nil || accel != "kvm" || !smm || os.Getenv(AccelEnv) != "" {
		return accel, reason, err
	}
	if ok, why := smmProbe(); !ok {
		return "tcg", why, nil
	}
	return accel, reason, nil
}

// KVMUsable reports whether a guest really runs under KVM here. The answer
// comes from a probe run once per process: /dev/kvm must open, SeaBIOS
// must boot under KVM to its "No bootable device" message and reboot (which
// ends QEMU) within a few seconds, and OVMF (where installed) must reach
// its shell. A host where /dev/kvm exists but guests hang, or where UEFI
// firmware fails under KVM, fails the probe.
func KVMUsable() bool {
	ok, _ := kvmProbe()
	return ok
}

// Accel returns the accelerator Start uses when none is given: the value of
// DIB_QEMU_ACCEL if set, else "kvm" if KVMUsable, else "tcg". The reason says
// how it was chosen.
func Accel() (accel, reason string, err error) {
	switch v := os.Getenv(AccelEnv); v {
	case "kvm", "tcg":
		return v, AccelEnv + "=" + v, nil
	case "":
	default:
		return "", "", fmt.Errorf("%s=%q: want kvm or tcg", AccelEnv, v)
	}
	ok, reason := kvmProbe()
	if ok {
		return "kvm", reason, nil
	}
	return "tcg", reason, nil
}

// kvmDevice is the device KVM is used through.
const kvmDevice = "/dev/kvm"

// probeKVM reports whether /dev/kvm opens and a guest runs under it.
func probeKVM(binary string) (bool, string) {
	f, err := os.OpenFile(kvmDevice, os.O_RDWR, 0)
	if err != nil {
		return false, fmt.Sprintf("kvm probe: %v", err)
	}
	f.Close()
	if err := probeBoot(binary, "kvm", ""); err != nil {
		return false, fmt.Sprintf("kvm probe: %v", err)
	}
	if _, err := FindOVMF(); err == nil {
		if err := probeOVMF(binary); err != nil {
			return false, fmt.Sprintf("kvm probe: SeaBIOS booted under kvm, but %v", err)
		}
		return true, "kvm probe: SeaBIOS and OVMF booted under kvm"
	}
	return true, "kvm probe: SeaBIOS booted under kvm"
}

// probeBoot boots SeaBIOS with no disk under accel (on machine, when not
// empty), its screen copied to the serial console, and checks that it
// reaches its last message and reboots (which ends QEMU) within
// probeTimeout.
func probeBoot(binary, accel, machine string) error {
	dir, err := os.MkdirTemp("", "qemu-probe-")
	if err != nil {
		return fmt.Errorf("make probe directory: %w", err)
	}
	defer os.RemoveAll(dir)
	c := NewConfig(WithBinary(binary), WithDir(dir), WithAccel(accel), WithMemory(64),
		WithSeaBIOSConsole(), WithExtraArgs("-boot", "reboot-timeout=0"), WithMachine(machine))
	argv, err := c.Args()
	if err != nil {
		return err
	}
	if err := c.prepare(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	out, err := run.Run(ctx, run.Cmd{Argv: argv, SysProcAttr: sysProcAttr()})
	if err != nil {
		return fmt.Errorf("SeaBIOS did not finish under %s within %s: %w", accel, probeTimeout, err)
	}
	if !strings.Contains(out, probeMarker) {
		return fmt.Errorf("SeaBIOS under %s never printed %q", accel, probeMarker)
	}
	return nil
}
