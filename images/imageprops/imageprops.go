// Package imageprops derives the image properties the OpenStack image
// service (Glance) keeps for a disk image, and Nova reads when it boots
// one: firmware, machine type, Secure Boot, disk bus, guest agent and the
// operating system. A build writes them beside each disk output as a JSON
// object of strings, ready for `openstack image create --property`.
package imageprops

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// Suffix names a disk output's properties file: vm.qcow2 has
// vm.qcow2.properties.json beside it.
const Suffix = ".properties.json"

// Boot is how a disk output boots.
type Boot int

// The ways a disk output boots.
const (
	// Partition is a bare root filesystem, deployed with a kernel and
	// ramdisk of its own (an Ironic partition image): no firmware property.
	Partition Boot = iota
	// Hybrid boots under BIOS and under UEFI without Secure Boot.
	Hybrid
	// SecureBoot boots under BIOS and under UEFI with Secure Boot enforced.
	SecureBoot
)

// Image is what the properties of a disk output come from.
type Image struct {
	Arch string // Debian architecture: amd64, arm64
	Boot Boot
	// SecureBootRequired asks for hosts that enforce Secure Boot
	// (os_secure_boot=required) where a SecureBoot image says optional.
	SecureBootRequired bool
	Tree               string // the image's root tree, for os-release and the guest agent
}

// guestAgent is the program of the qemu-guest-agent package.
const guestAgent = "/usr/sbin/qemu-ga"

// Of returns the properties of img: architecture, os_type, os_distro and
// os_version (from the tree's os-release, when it says), the firmware,
// machine type and Secure Boot policy that img.Boot needs, hw_disk_bus for
// a bootable disk, and hw_qemu_guest_agent when the tree has the agent.
func Of(img Image) (map[string]string, error) {
	p := map[string]string{"architecture": arch(img.Arch), "os_type": "linux"}
	osr, err := osRelease(img.Tree)
	if err != nil {
		return nil, err
	}
	if v := osr["ID"]; v != "" {
		p["os_distro"] = v
	}
	if v := osr["VERSION_ID"]; v != "" {
		p["os_version"] = v
	}
	switch img.Boot {
	case SecureBoot:
		p["hw_firmware_type"], p["hw_machine_type"], p["os_secure_boot"] = "uefi", "q35", "optional"
		if img.SecureBootRequired {
			p["os_secure_boot"] = "required"
		}
	case Hybrid:
		p["hw_firmware_type"], p["os_secure_boot"] = "bios", "disabled"
	}
	if img.Boot != Partition {
		p["hw_disk_bus"] = "virtio"
	}
	agent, err := inroot.HostPath(img.Tree, guestAgent)
	if err == nil {
		if fi, err := os.Stat(agent); err == nil && fi.Mode().IsRegular() {
			p["hw_qemu_guest_agent"] = "yes"
		}
	}
	return p, nil
}

// arch is Glance's name of a Debian architecture.
func arch(a string) string {
	switch a {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	}
	return a
}

// Write writes props to path as an indented JSON object, keys sorted.
func Write(path string, props map[string]string) error {
	b, err := json.MarshalIndent(props, "", "  ")
	if err != nil {
		return fmt.Errorf("write image properties %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write image properties: %w", err)
	}
	return nil
}

// osValueRE is what an os-release value must look like to become a
// property: the tree is not trusted, and Glance values are short.
var osValueRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$`)

// maxOSRelease bounds how much of os-release is read.
const maxOSRelease = 64 << 10

// OSRelease is the ID and VERSION_ID of the tree's os-release (see
// osRelease): "debian" and "13".
func OSRelease(tree string) (id, versionID string, err error) {
	osr, err := osRelease(tree)
	return osr["ID"], osr["VERSION_ID"], err
}

// osRelease reads ID and VERSION_ID from the tree's os-release
// (/etc/os-release, else /usr/lib/os-release); values that are not plain
// words are left out. A tree without the file gives none.
func osRelease(tree string) (map[string]string, error) {
	out := map[string]string{}
	var host string
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		if h, err := inroot.HostPath(tree, p); err == nil {
			host = h
			break
		}
	}
	if host == "" {
		return out, nil
	}
	f, err := os.Open(host)
	if err != nil {
		return nil, fmt.Errorf("image properties: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(io.LimitReader(f, maxOSRelease))
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), "=")
		if !ok || (k != "ID" && k != "VERSION_ID") {
			continue
		}
		v = strings.Trim(v, `"'`)
		if osValueRE.MatchString(v) {
			out[k] = v
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("image properties: read %s: %w", host, err)
	}
	return out, nil
}
