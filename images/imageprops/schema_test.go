package imageprops

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accepted are the image properties the image's consumers define, with
// the values they accept (nil: any string). Taken from:
//   - Glance's metadata definitions, openstack/glance etc/metadefs at
//     c76abb08e2bc82582389059dcbbc234293ce13b9: compute-libvirt-image.json
//     (hw_disk_bus, hw_firmware_type, hw_machine_type, hw_qemu_guest_agent,
//     os_type), compute-vmware.json (vmware_adaptertype, vmware_disktype,
//     vmware_ostype; only the Linux guest ids are listed here),
//     operating-system.json (os_distro, os_version) and
//     glance-common-image-props.json (architecture);
//   - Nova's image property schema, openstack/nova nova/objects/image_meta.py
//     (ImageMetaProps 1.43) with its enums in nova/objects/fields.py, at
//     00a030403f672b975364c855b7d25b40ef83e757: os_secure_boot (SecureBoot:
//     required, disabled, optional), hw_firmware_type (FirmwareType),
//     hw_disk_bus (DiskBus), architecture (the legacy name of
//     hw_architecture, an Architecture), os_type (OSType); the vmware_*
//     names are its legacy names of hw_disk_type, hw_disk_bus/hw_scsi_model
//     and os_distro.
var accepted = map[string][]string{
	"architecture":        {"aarch64", "armv7l", "i686", "ppc64le", "s390x", "x86_64"},
	"hw_disk_bus":         {"scsi", "virtio", "uml", "xen", "ide", "usb", "fdc", "sata", "lxc"},
	"hw_firmware_type":    {"bios", "uefi"},
	"hw_machine_type":     nil,
	"hw_qemu_guest_agent": {"yes", "no"},
	"os_distro":           nil,
	"os_secure_boot":      {"required", "disabled", "optional"},
	"os_type":             {"linux", "windows"},
	"os_version":          nil,
	"vmware_adaptertype":  {"lsiLogic", "lsiLogicsas", "paraVirtual", "busLogic", "ide"},
	"vmware_disktype":     {"streamOptimized", "sparse", "preallocated"},
	"vmware_ostype": {"debian4_64Guest", "debian5_64Guest", "debian6_64Guest", "debian7_64Guest", "debian8_64Guest",
		"debian9_64Guest", "debian10_64Guest", "debian10Guest", "genericLinuxGuest", "other3xLinux64Guest",
		"other3xLinuxGuest", "otherLinux64Guest", "otherLinuxGuest", "ubuntu64Guest", "otherGuest", "otherGuest64"},
}

func TestEveryPropertyOfEveryDiskFormatIsOneItsConsumersAccept(t *testing.T) {
	t.Parallel()
	root := tree(t, map[string]string{"etc/os-release": trixie, "usr/sbin/qemu-ga": "elf"})
	for _, img := range []Image{
		{Arch: "amd64", Boot: SecureBoot, Tree: root}, {Arch: "amd64", Boot: SecureBoot, SecureBootRequired: true, Tree: root},
		{Arch: "amd64", Boot: Hybrid, Tree: root}, {Arch: "amd64", Boot: Partition, Tree: root},
		{Arch: "arm64", Boot: SecureBoot, Tree: root},
	} {
		p, err := Of(img)
		require.NoError(t, err)
		for _, format := range []string{"qcow2", "raw", "vhd", "vmdk"} {
			for k, v := range ForFormat(p, format) {
				values, known := accepted[k]
				if !assert.True(t, known, "%s: %s is no property Glance or Nova defines", format, k) {
					continue
				}
				if values != nil {
					assert.True(t, slices.Contains(values, v), "%s: %s=%s is not among %v", format, k, v, values)
				}
			}
		}
	}
}
