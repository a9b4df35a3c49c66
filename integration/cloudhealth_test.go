package integration

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// want is what a healthy instance shows in a test.
type want struct {
	hostname   string // the metadata host name; "" when there is no datasource (localhost)
	datasource string // the start of cloud-init's v1.platform and v1.subplatform ("configdrive config-disk", "nocloud config-disk", "openstack metadata (http://169.254.169.254)")
	userData   bool   // user-data with the test's runcmd and bootcmd was given
	agent      bool   // the guest agent channel is there
}

// assertHealthy checks what healthScript printed on the boot-th boot of an
// instance (1: first boot, 2: after a reboot).
func assertHealthy(t *testing.T, h health, w want, boot int) {
	t.Helper()
	// cloud-init prints a dot a second while it waits before its status.
	status := strings.TrimLeft(h["cloud_init"], ".")
	if w.hostname == "" {
		assert.Equal(t, "status: disabled", status, "no datasource: ds-identify disabled cloud-init")
	} else {
		assert.Equal(t, "status: done", status, "cloud-init status --wait returns done")
		assert.True(t, strings.HasPrefix(h["datasource"], w.datasource), "the datasource used: %q, want %q...", h["datasource"], w.datasource)
	}
	assert.Equal(t, "0", h["cloud_init_rc"], "cloud-init status --wait exits 0")
	assert.Equal(t, "running", h["system"], "systemctl is-system-running --wait")
	assert.Empty(t, h["failed"], "no failed unit")
	assert.Equal(t, "running", h["systemctl_status"], "systemctl status works for the user (a system bus is there)")

	short := "localhost"
	if w.hostname != "" {
		short, _, _ = strings.Cut(w.hostname, ".")
	}
	assert.Equal(t, short, h["hostname"], "the host name")
	assert.Equal(t, short, h["hostnamectl"], "hostnamectl works for the user")
	assert.NotEmpty(t, h["resolves"], "the host name resolves locally")
	assert.Equal(t, "0", h["sudo_rc"], "sudo -n true")
	assert.Empty(t, h["sudo_says"], "sudo prints nothing (no 'unable to resolve host')")
	assert.Equal(t, "yes", h["ntp"], "timedatectl works for the user and time sync is on")
	assert.Equal(t, "active", h["timesyncd"])
	if w.agent {
		assert.Equal(t, "active", h["agent"], "qemu-guest-agent runs where its channel is")
	} else {
		assert.Equal(t, "inactive", h["agent"], "no channel, no guest agent (and no failure)")
	}
	assert.Equal(t, "3", h["ssh_keys"], "the instance made its ssh host keys (rsa, ecdsa, ed25519)")
	root, _ := strconv.ParseInt(h["root_bytes"], 10, 64)
	assert.Greater(t, float64(root), 0.9*cloudDiskBytes, "the root filesystem grew to fill the disk")

	runs := "0"
	if w.userData {
		runs = strconv.Itoa(boot)
		assert.Equal(t, "1", h["user_data_runs"], "user-data's runcmd ran once for the instance")
	} else {
		assert.Equal(t, "0", h["user_data_runs"])
	}
	assert.Equal(t, runs, h["bootcmd_runs"], "user-data's bootcmd ran at every boot")
	if boot == 1 {
		assert.Equal(t, "yes", h["first_boot_ran"], "first-boot.d ran on the first boot")
	} else {
		assert.Equal(t, "no", h["first_boot_ran"], "first-boot.d did not run again")
	}
	for _, l := range strings.Fields(h["links"]) {
		name, state, _ := strings.Cut(l, ":")
		assert.Contains(t, []string{"configured", "unmanaged"}, state, "networkd link %s", name)
	}
	assert.Contains(t, h["resolv"], "systemd/resolve/", "resolv.conf is systemd-resolved's")
}

// assertRebooted checks that the second health report is of a new boot of
// the same instance.
func assertRebooted(t *testing.T, first, second health) {
	t.Helper()
	assert.NotEqual(t, first["boot_id"], second["boot_id"], "the guest rebooted")
	assert.Equal(t, first["hostname"], second["hostname"], "the host name survived the reboot")
}

// userData is the test's user-data: runcmd runs once an instance, bootcmd
// at every boot; each leaves a line in a file the health check counts.
const userData = `#cloud-config
bootcmd:
  - [sh, -c, 'mkdir -p /var/lib/dib-test && echo boot >> /var/lib/dib-test/bootcmd']
runcmd:
  - [sh, -c, 'mkdir -p /var/lib/dib-test && echo ran >> /var/lib/dib-test/user-data']
`
