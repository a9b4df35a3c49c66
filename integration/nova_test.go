package integration

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/integration/cloudmeta"
	"github.com/tripleo/diskimage-builder/integration/qemu"
)

// The metadata of the compute node's config drive.
const (
	novaTransportURL = "rabbit://nova:s3cret@10.0.2.2:5672/"
	novaHostname     = "compute-7.example.org"
	novaMyIP         = "10.0.2.15"
)

// novaScript prints what nova-compute was configured with and how its
// services run, one key=value line each (sudo: nova.conf is not world
// readable).
const novaScript = `
get() { sudo crudini --get "$1" "$2" "$3" 2>/dev/null || echo unset; }
echo "transport_url=$(get /etc/nova/nova.conf DEFAULT transport_url)"
echo "host=$(get /etc/nova/nova.conf DEFAULT host)"
echo "my_ip=$(get /etc/nova/nova.conf DEFAULT my_ip)"
echo "virt_type=$(get /etc/nova/nova-compute.conf libvirt virt_type)"
echo "nova_enabled=$(systemctl is-enabled nova-compute.service)"
echo "nova_active=$(systemctl is-active nova-compute.service)"
echo "libvirt=$(sudo virsh -c qemu:///system uri 2>&1)"
echo "nova_type=$(systemctl show -P Type nova-compute.service)"
echo "kvm_module=$(ls -d /sys/module/kvm_intel /sys/module/kvm_amd 2>/dev/null | wc -l)"
echo "ca_certs=$(ls /etc/ssl/certs/*.pem 2>/dev/null | wc -l)"
`

// The compute node (./mage image:novaCompute's flavours) boots from a
// config drive without network data, so cloud-init's fallback network
// (DHCP on the first card, IPv6 when offered) is what it gets: it must be
// as healthy as any instance of the base, and nova-compute must come up
// configured from the drive, before and after a reboot.
func TestANovaComputeNodeFromAConfigDriveWithoutNetworkDataIsHealthyAndConfiguredBeforeAndAfterAReboot(t *testing.T) {
	t.Parallel()
	image, keys := novaBuild.get(t, "nova-compute", "base", "vm", "local-config", "nova-compute")
	inst := cloudmeta.Instance{
		UUID: "0a7d6ffe-7b7c-4f3f-9d6e-3a4c2b1d0e9f", Name: "compute-7", Hostname: novaHostname,
		Keys: []string{keys.user.Public}, UserData: userData,
		Meta: map[string]string{"transport_url": novaTransportURL, "my_ip": novaMyIP},
	}
	iso, err := cloudmeta.ConfigDrive(context.Background(), t.TempDir(), inst)
	require.NoError(t, err)
	in := bootInstance(t, image, "debian", keys.user, qemu.WithCDROM(iso), qemu.WithGuestAgent(), qemu.WithMemory(2048))
	w := want{hostname: novaHostname, datasource: "configdrive config-disk", userData: true, agent: true}

	in.login(t, "first boot")
	first := checkHealth(t, in.ssh)
	assertHealthy(t, first, w, 1)
	assertFallbackNet(t, first)
	assertNovaConfigured(t, in)
	in.pingAgent(t)

	in.reboot(t)
	second := checkHealth(t, in.ssh)
	assertHealthy(t, second, w, 2)
	assertRebooted(t, first, second)
	assertNovaConfigured(t, in)
}

// assertFallbackNet checks the address cloud-init's fallback configuration
// leased on the first card, and IPv6 from router advertisements.
func assertFallbackNet(t *testing.T, h health) {
	t.Helper()
	dev := h.devWith("10.0.2.15/")
	require.NotEmpty(t, dev, "a card has 10.0.2.15: %s", h["addrs"])
	_, kind := h.addrOn(dev, "10.0.2.15/")
	assert.Equal(t, "dynamic", kind, "leased by DHCPv4")
	v6, _ := h.addrOn(dev, "fec0::")
	assert.NotEmpty(t, v6, "IPv6 from the user network's router advertisements")
}

// assertNovaConfigured checks nova-compute's configuration from the config
// drive and that it and libvirt run.
func assertNovaConfigured(t *testing.T, in *instance) {
	t.Helper()
	out, err := in.ssh.Run(context.Background(), novaScript)
	require.NoError(t, err)
	t.Logf("nova-compute:\n%s", out)
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	assert.Equal(t, novaTransportURL, m["transport_url"], "transport_url from the metadata's meta")
	assert.Equal(t, "compute-7", m["host"], "host from the metadata's hostname")
	assert.Equal(t, novaMyIP, m["my_ip"], "my_ip from the metadata's meta")
	if m["kvm_module"] == "0" {
		assert.Equal(t, "qemu", m["virt_type"], "software emulation: no KVM module loads in the guest")
	} else {
		assert.Equal(t, "kvm", m["virt_type"], "a KVM module loaded in the guest")
	}
	assert.Equal(t, "enabled", m["nova_enabled"], "nova-compute enabled once a message queue is named")
	assert.Equal(t, "active", m["nova_active"], "nova-compute runs (and retries its message queue)")
	assert.Equal(t, "simple", m["nova_type"], "nova-compute waits for its conductor as a simple service")
	// libvirtd is socket-activated and leaves when idle (--timeout 120):
	// what matters is that a client reaches it.
	assert.Equal(t, "qemu:///system", m["libvirt"], "libvirt answers on its system socket")
	certs, _ := strconv.Atoi(m["ca_certs"])
	assert.Greater(t, certs, 100, "the CA certificates are linked: update-ca-certificates ran once every package was in")
}
