package qemu

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestArgsForSecureBootTurnOnSMMAndSecureFlash(t *testing.T) {
	t.Parallel()
	argv, err := Args(WithDir("/work"), WithSecureBoot(),
		WithOVMF(Firmware{Code: "/fw/OVMF_CODE_4M.secboot.fd", Vars: "/fw/OVMF_VARS_4M.ms.fd"}))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"qemu-system-x86_64", "-machine", "q35,smm=on", "-accel", "tcg", "-m", "1024",
		"-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
		"-global", "driver=cfi.pflash01,property=secure,value=on",
		"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/fw/OVMF_CODE_4M.secboot.fd",
		"-drive", "if=pflash,format=raw,unit=1,file=/work/OVMF_VARS_4M.ms.fd",
	}, argv)
	s := joined(t, WithDir("/work"), WithSecureBoot(), WithMachine("pc-q35-7.2"),
		WithOVMF(Firmware{Code: "/fw/c.fd", Vars: "/fw/v.fd"}))
	assert.Contains(t, s, "-machine pc-q35-7.2,smm=on")
}

func TestArgsForSecureBootRefuseWhatCannotEnforceIt(t *testing.T) {
	t.Parallel()
	split := WithOVMF(Firmware{Code: "/fw/c.fd", Vars: "/fw/v.fd"})
	_, err := Args(WithDir("/w"), WithSecureBoot(), WithOVMF(Firmware{Code: "/fw/OVMF.fd"}))
	assert.ErrorContains(t, err, "split into code and variables")
	_, err = Args(WithDir("/w"), WithSecureBoot(), split, WithMachine("pc"))
	assert.ErrorContains(t, err, `needs a q35 machine, not "pc"`)
	_, err = Args(WithDir("/w"), WithSecureBoot())
	assert.ErrorContains(t, err, "uefi firmware not set")
	argv, err := Args(WithDir("/w"), split)
	require.NoError(t, err)
	assert.NotContains(t, strings.Join(argv, " "), "smm", "without Secure Boot the machine is as before")
}

func TestFindSecureBootOVMFWantsTheSMMBuildWithMicrosoftKeys(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	touch(t, filepath.Join(root, "usr/share/OVMF/OVMF_CODE_4M.fd"))
	touch(t, filepath.Join(root, "usr/share/OVMF/OVMF_VARS_4M.fd"))
	touch(t, filepath.Join(root, "usr/share/OVMF/OVMF_CODE_4M.secboot.fd"))
	_, err := findOVMF(root, secureBootCandidates)
	require.ErrorContains(t, err, "OVMF_CODE_4M.secboot.fd", "the variables with Microsoft's keys are missing")
	touch(t, filepath.Join(root, "usr/share/OVMF/OVMF_VARS_4M.ms.fd"))
	fw, err := findOVMF(root, secureBootCandidates)
	require.NoError(t, err)
	assert.Equal(t, Firmware{
		Code: filepath.Join(root, "usr/share/OVMF/OVMF_CODE_4M.secboot.fd"),
		Vars: filepath.Join(root, "usr/share/OVMF/OVMF_VARS_4M.ms.fd"),
	}, fw)
}

func TestSecureBootOVMFRefusesItsOwnUnsignedShell(t *testing.T) {
	t.Parallel()
	testenv.Short(t)
	testenv.RequireCommands(t, DefaultBinary)
	if _, err := FindSecureBootOVMF(); err != nil {
		testenv.Unavailable(t, err.Error())
	}
	vm := StartT(t, WithSecureBoot(), WithMemory(256))
	require.NoError(t, vm.Expect("Security Violation", 2*time.Minute), "the firmware enforces Secure Boot")
	require.NoError(t, vm.Kill())
}
