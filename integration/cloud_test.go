package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/integration/cloudmeta"
	"github.com/tripleo/diskimage-builder/integration/qemu"
)

// The instances of the cloud boot tests, each of image:vm's flavours, each
// booted on a 4 GiB disk, checked, rebooted and checked again.

func TestAnInstanceGivenStaticIPv4NetworkDataOnAConfigDriveIsHealthyBeforeAndAfterAReboot(t *testing.T) {
	t.Parallel()
	image, keys := cloudImage(t)
	inst := cloudmeta.Instance{
		UUID: "1d4f6f0e-3c1a-4c55-9d0e-0c0d1a2b3c4d", Name: "cd-static", Hostname: "cd-static.example.org",
		Keys: []string{keys.user.Public}, UserData: userData,
		NetworkData: &cloudmeta.NetworkData{
			Links: []cloudmeta.Link{{ID: "port0", Type: "phy", MAC: qemu.DefaultMAC, MTU: 1500}},
			Networks: []cloudmeta.Network{
				{ID: "v4", Type: "ipv4", Link: "port0", NetworkID: "net0", Address: "10.0.2.15", Netmask: "255.255.255.0",
					Routes: []cloudmeta.Route{{Network: "0.0.0.0", Netmask: "0.0.0.0", Gateway: "10.0.2.2"}}},
				{ID: "v6", Type: "ipv6_slaac", Link: "port0", NetworkID: "net0"},
			},
			Services: []cloudmeta.Service{{Type: "dns", Address: "10.0.2.3"}},
		},
	}
	iso, err := cloudmeta.ConfigDrive(context.Background(), t.TempDir(), inst)
	require.NoError(t, err)
	in := bootInstance(t, image, "debian", keys.user, qemu.WithCDROM(iso), qemu.WithGuestAgent())
	w := want{hostname: inst.Hostname, datasource: "configdrive config-disk", userData: true, agent: true}

	in.login(t, "first boot")
	first := checkHealth(t, in.ssh)
	assertHealthy(t, first, w, 1)
	assertStaticUserNet(t, first)
	in.pingAgent(t)

	in.reboot(t)
	second := checkHealth(t, in.ssh)
	assertHealthy(t, second, w, 2)
	assertRebooted(t, first, second)
	assertStaticUserNet(t, second)
}

// assertStaticUserNet checks the user network's card has the static
// 10.0.2.15/24 and an address from the network's router advertisements.
func assertStaticUserNet(t *testing.T, h health) {
	t.Helper()
	dev := h.devWith("10.0.2.15/")
	require.NotEmpty(t, dev, "a card has 10.0.2.15: %s", h["addrs"])
	addr, kind := h.addrOn(dev, "10.0.2.15/")
	assert.Equal(t, "10.0.2.15/24", addr)
	assert.Equal(t, "static", kind, "the address is the configured one, not a DHCP lease")
	v6, _ := h.addrOn(dev, "fec0::")
	assert.NotEmpty(t, v6, "IPv6 from the user network's router advertisements (SLAAC)")
}

func TestAnInstanceGivenNetworkConfigV2OnANoCloudSeedIsHealthyBeforeAndAfterARebootAndTheAgentPowersItOff(t *testing.T) {
	t.Parallel()
	image, keys := cloudImage(t)
	inst := cloudmeta.Instance{UUID: "nocloud-0001", Name: "nocloud", Hostname: "nocloud-v2.example.org",
		Keys: []string{keys.user.Public}, UserData: userData}
	networkConfig := `version: 2
ethernets:
  uplink:
    match:
      macaddress: "` + qemu.DefaultMAC + `"
    addresses: [10.0.2.15/24]
    routes:
      - to: default
        via: 10.0.2.2
    nameservers:
      addresses: [10.0.2.3]
    accept-ra: true
`
	iso, err := cloudmeta.NoCloudSeed(context.Background(), t.TempDir(), inst, networkConfig)
	require.NoError(t, err)
	in := bootInstance(t, image, "debian", keys.user, qemu.WithCDROM(iso), qemu.WithGuestAgent())
	w := want{hostname: inst.Hostname, datasource: "nocloud config-disk", userData: true, agent: true}

	in.login(t, "first boot")
	first := checkHealth(t, in.ssh)
	assertHealthy(t, first, w, 1)
	assertStaticUserNet(t, first)

	in.reboot(t)
	second := checkHealth(t, in.ssh)
	assertHealthy(t, second, w, 2)
	assertRebooted(t, first, second)
	assertStaticUserNet(t, second)

	agent := in.pingAgent(t)
	require.NoError(t, agent.Shutdown())
	require.NoError(t, in.vm.Wait(3*time.Minute), "guest-shutdown powers the instance off")
}

func TestAnInstanceWithoutADatasourceStillGivesSSHAndNoUnitFails(t *testing.T) {
	t.Parallel()
	image, keys := cloudImage(t)
	// No metadata: log in as root with the key local-config built in.
	in := bootInstance(t, image, "root", keys.root)
	w := want{}

	in.login(t, "first boot")
	first := checkHealth(t, in.ssh)
	assertHealthy(t, first, w, 1)
	dev := first.devWith("10.0.2.15/")
	require.NotEmpty(t, dev, "the card got an address: %s", first["addrs"])
	_, kind := first.addrOn(dev, "10.0.2.15/")
	assert.Equal(t, "dynamic", kind, "the fallback network configuration leased it by DHCP")

	in.reboot(t)
	second := checkHealth(t, in.ssh)
	assertHealthy(t, second, w, 2)
	assertRebooted(t, first, second)
}

// pingAgent connects to the guest agent and checks it answers guest-ping.
func (in *instance) pingAgent(t *testing.T) *qemu.Agent {
	t.Helper()
	agent, err := in.vm.GuestAgent(time.Minute)
	require.NoError(t, err, "the guest agent answers guest-sync")
	t.Cleanup(func() { agent.Close() })
	require.NoError(t, agent.Ping(30*time.Second), "the guest agent answers guest-ping")
	return agent
}
