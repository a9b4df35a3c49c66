package qemu

import (
	"errors"
	"fmt"
	"strings"
)

// The Secure Boot firmware options of the harness, kept apart from the
// general command line (args.go) so that each reads on its own.

// secureBootCandidates are the Secure Boot builds of OVMF (they need SMM)
// with a variable store that has Microsoft's keys enrolled, as on a
// machine sold with Secure Boot on, so that Microsoft-signed shims start.
var secureBootCandidates = []Firmware{
	{"/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"}, // Debian, Ubuntu
	{"/usr/share/OVMF/OVMF_CODE.secboot.fd", "/usr/share/OVMF/OVMF_VARS.ms.fd"},
	{"/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd", "/usr/share/edk2/ovmf/OVMF_VARS.secboot.fd"}, // Fedora
}

// WithSecureBoot boots with OVMF enforcing Secure Boot: its SMM build on a
// q35 machine with SMM and secure flash, and variables with Microsoft's
// keys (Start finds them with FindSecureBootOVMF unless WithOVMF gives
// them). The firmware then starts only signed boot loaders.
func WithSecureBoot() Option { return func(c *Config) { c.UEFI, c.SecureBoot = true, true } }

// FindSecureBootOVMF returns the first Secure Boot OVMF build with
// Microsoft's keys found in the usual places.
func FindSecureBootOVMF() (Firmware, error) {
	return findOVMF("/", secureBootCandidates)
}

// findFirmware finds the OVMF build c needs in the usual places.
func (c *Config) findFirmware() (Firmware, error) {
	if c.SecureBoot {
		return FindSecureBootOVMF()
	}
	return FindOVMF()
}

// smm is what the machine type gets with Secure Boot: the Secure Boot
// firmware keeps its variables in SMM.
func (c *Config) smm() string {
	if c.SecureBoot {
		return ",smm=on"
	}
	return ""
}

// secureBootArgs secure the firmware's flash with Secure Boot: only code
// in SMM may write the variable store, so the guest cannot turn Secure
// Boot off or enroll keys behind the firmware's back.
func (c *Config) secureBootArgs() []string {
	if !c.SecureBoot {
		return nil
	}
	return []string{"-global", "driver=cfi.pflash01,property=secure,value=on"}
}

// secureBootErrors are the settings that cannot enforce Secure Boot.
func (c *Config) secureBootErrors() []error {
	if !c.SecureBoot {
		return nil
	}
	var errs []error
	if !c.UEFI || c.Firmware.Code != "" && c.Firmware.Vars == "" {
		errs = append(errs, errors.New("secure boot needs uefi firmware split into code and variables"))
	}
	if c.Machine != "" && c.Machine != "q35" && !strings.HasPrefix(c.Machine, "pc-q35-") {
		errs = append(errs, fmt.Errorf("secure boot needs a q35 machine, not %q", c.Machine))
	}
	return errs
}
