package imageprops

import (
	"maps"
	"slices"
	"strings"
)

// Each disk format is read by its own family of hypervisors, which reads
// its own properties: Nova's libvirt driver (KVM, QEMU) takes qcow2 and
// raw and reads the hw_* and os_secure_boot properties; Nova's VMware
// driver takes vmdk and reads vmware_*; no maintained Nova driver takes
// vhd (the Hyper-V and XenAPI drivers are gone), so a vhd, kept for other
// clouds' importers, gets the format-neutral properties alone.

// neutral are the properties every consumer reads the same way.
var neutral = []string{"architecture", "os_distro", "os_type", "os_version"}

// ForFormat returns the properties of a disk output of format t (qcow2,
// raw, vhd, vmdk) from the libvirt family's, Of's.
func ForFormat(props map[string]string, t string) map[string]string {
	switch t {
	case "qcow2", "raw":
		return maps.Clone(props)
	}
	out := map[string]string{}
	for k, v := range props {
		if slices.Contains(neutral, k) {
			out[k] = v
		}
	}
	if t == "vmdk" {
		// The build writes a stream-optimized vmdk; Debian's kernel
		// drives the LSI Logic SCSI controller (mptspi) that
		// VMware's driver gives a Linux guest by default.
		out["vmware_disktype"] = "streamOptimized"
		out["vmware_adaptertype"] = "lsiLogic"
		out["vmware_ostype"] = vmwareOSType(props)
	}
	return out
}

// vmwareOSType is the VMware guest id of the image's system: Debian's
// 64-bit ids for the releases VMware names, else a 64-bit Linux.
func vmwareOSType(props map[string]string) string {
	if props["os_distro"] == "debian" && props["architecture"] == "x86_64" {
		switch v := props["os_version"]; v {
		case "10", "11", "12":
			return "debian" + v + "_64Guest"
		}
	}
	if strings.HasPrefix(props["architecture"], "x86_64") {
		return "otherLinux64Guest"
	}
	return "otherLinuxGuest"
}

// UploadCommand is the openstack command that uploads the disk output at
// file, of format t, to the image service as name with props: its disk
// and container formats, every property, each word quoted for a POSIX
// shell where it needs to be.
func UploadCommand(name, file, t string, props map[string]string) string {
	argv := []string{"openstack", "image", "create", "--disk-format", t, "--container-format", "bare"}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		argv = append(argv, "--property", k+"="+props[k])
	}
	argv = append(argv, "--file", file, name)
	for i, a := range argv {
		argv[i] = shellQuote(a)
	}
	return strings.Join(argv, " ")
}

// shellQuote is s as one word of a POSIX shell: as it is when it holds
// only characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:=+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
