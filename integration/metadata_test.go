package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/integration/cloudmeta"
	"github.com/tripleo/diskimage-builder/integration/cloudnet"
	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// tapMAC is the MAC address of the instance's card on the cloud network.
const tapMAC = "52:54:00:42:00:10"

// Most OpenStack clouds give instances their keys and user-data through
// the metadata service, not a config drive. The instance boots as Nova and
// Neutron would have it: SMBIOS says "OpenStack Compute", its first card is
// on a network whose DHCP server (in a namespace, as Neutron's) routes
// 169.254.169.254 to the metadata service, and network_data.json
// describes two cards: that one (DHCPv4, stateful DHCPv6) and the user
// network's (DHCPv4, stateless DHCPv6), through which the test logs in.
func TestAnInstanceOnANeutronNetworkGetsItsMetadataFromTheMetadataServiceAndIsHealthyBeforeAndAfterAReboot(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "ip", "nsenter", "dnsmasq", "sleep", "socat")
	image, keys := cloudImage(t)
	inst := cloudmeta.Instance{
		UUID: "7c1e5a36-8a0b-4d2b-b6a4-5f0e4c3d2b1a", Name: "md-node", Hostname: "md-node.example.org",
		Keys: []string{keys.user.Public}, UserData: userData,
		NetworkData: &cloudmeta.NetworkData{
			Links: []cloudmeta.Link{
				{ID: "tap-port", Type: "phy", MAC: tapMAC, MTU: 1500},
				{ID: "user-port", Type: "phy", MAC: qemu.DefaultMAC, MTU: 1500},
			},
			Networks: []cloudmeta.Network{
				{ID: "tap-v4", Type: "ipv4_dhcp", Link: "tap-port", NetworkID: "cloud"},
				{ID: "tap-v6", Type: "ipv6_dhcpv6-stateful", Link: "tap-port", NetworkID: "cloud"},
				{ID: "user-v4", Type: "ipv4_dhcp", Link: "user-port", NetworkID: "user"},
				{ID: "user-v6", Type: "ipv6_dhcpv6-stateless", Link: "user-port", NetworkID: "user"},
			},
		},
	}
	ctx := context.Background()
	n, err := cloudnet.Start(ctx, cloudmeta.Handler(inst, t.Logf), t.Logf)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, n.Close(), "remove the cloud network") })

	// The cloud network's card comes first on the bus (enp0s16, before the
	// user network's enp0s17), so cloud-init's first look for the metadata
	// service, on the first card, goes there.
	in := bootInstance(t, image, "debian", keys.user, qemu.WithGuestAgent(),
		qemu.WithTap(qemu.Tap{File: n.Tap, MAC: tapMAC, PCIAddr: 0x10}), qemu.WithUserNetSlot(0x11),
		qemu.WithExtraArgs("-smbios", "type=1,manufacturer=OpenStack Foundation,product=OpenStack Compute,serial="+inst.UUID))
	w := want{hostname: inst.Hostname, datasource: "openstack metadata (http://169.254.169.254)", userData: true, agent: true}

	in.login(t, "first boot")
	first := checkHealth(t, in.ssh)
	assertHealthy(t, first, w, 1)
	assertCloudAndUserNets(t, first)
	in.pingAgent(t)

	in.reboot(t)
	second := checkHealth(t, in.ssh)
	assertHealthy(t, second, w, 2)
	assertRebooted(t, first, second)
	assertCloudAndUserNets(t, second)
}

// assertCloudAndUserNets checks the addresses network_data.json asked for
// on both cards, and the route to the metadata service.
func assertCloudAndUserNets(t *testing.T, h health) {
	t.Helper()
	cloud := h.devWith("10.42.0.")
	require.NotEmpty(t, cloud, "the cloud network's card has a DHCPv4 lease: %s", h["addrs"])
	_, kind := h.addrOn(cloud, "10.42.0.")
	assert.Equal(t, "dynamic", kind)
	v6, _ := h.addrOn(cloud, "fd42::")
	assert.True(t, strings.HasSuffix(v6, "/128"), "a stateful DHCPv6 lease on the cloud network: %q", v6)
	assert.Equal(t, cloudnet.Gateway4+" "+cloud, h["md_route"], "169.254.169.254 is routed by option 121")

	user := h.devWith("10.0.2.15/")
	require.NotEmpty(t, user, "the user network's card has its DHCPv4 lease: %s", h["addrs"])
	assert.NotEqual(t, cloud, user)
	v6, _ = h.addrOn(user, "fec0::")
	assert.NotEmpty(t, v6, "SLAAC on the user network (stateless DHCPv6)")
}
