package imageprops

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Each disk format is read by its own family of hypervisors, which reads
// its own properties: Nova's libvirt driver (KVM, QEMU) takes qcow2 and
// raw and reads the hw_* and os_secure_boot properties; Nova's VMware
// driver takes vmdk and reads vmware_* (as legacy names of hw_disk_type,
// hw_disk_bus with hw_scsi_model, and os_distro); no maintained Nova
// driver takes vhd (the Hyper-V and XenAPI drivers are gone; Cinder still
// converts a vhd into a volume), so a vhd gets the format-neutral
// properties alone.

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
		// VMware's driver gives a guest by default. os_distro is left
		// out: Nova reads vmware_ostype as the legacy name of
		// os_distro, and the current name would win, making the
		// VMware guest id "debian", which vCenter refuses.
		delete(out, "os_distro")
		out["vmware_disktype"] = "streamOptimized"
		out["vmware_adaptertype"] = "lsiLogic"
		out["vmware_ostype"] = vmwareOSType(props)
	}
	return out
}

// vmwareOSType is the VMware guest id of the image's system: for Debian 10
// and later on x86_64, debian10_64Guest, the newest Debian id Glance's
// and Nova's lists hold; else a 64-bit (or 32-bit) Linux.
func vmwareOSType(props map[string]string) string {
	if props["os_distro"] == "debian" && props["architecture"] == "x86_64" {
		if n, err := strconv.Atoi(props["os_version"]); err == nil && n >= 10 {
			return "debian10_64Guest"
		}
	}
	if props["architecture"] == "x86_64" || props["architecture"] == "aarch64" {
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
