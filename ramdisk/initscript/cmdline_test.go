package initscript

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var cmdlineVars = []string{"BOOTIF", "BOOT_MAC", "IP", "BOOT_IP_ADDRESS", "BOOT_GATEWAY", "BOOT_NETMASK",
	"BOOT_HOSTNAME", "BOOT_IP_DEVICE", "BOOT_IP_AUTOCONF", "BOOT_SERVER", "DEPLOYMENT_ID", "DEPLOYMENT_KEY",
	"ISCSI_TARGET_IQN", "IRONIC_API_URL", "TROUBLESHOOT", "DISK"}

// parse runs parse_cmdline on cmdline in sh and returns the variables set.
func parse(t *testing.T, sh []string, cmdline string) map[string]string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "cmdline")
	require.NoError(t, os.WriteFile(f, []byte(cmdline+"\n"), 0o644))
	script := string(libSh) + "parse_cmdline\n"
	for _, v := range cmdlineVars {
		script += "echo \"" + v + "=$" + v + "\"\n"
	}
	out, err := runScript(t, sh, script, "INIT_CMDLINE="+f)
	require.NoError(t, err, "%v: %s", sh, out)
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		if v != "" {
			got[k] = v
		}
	}
	return got
}

func TestParseCmdlineReadsTheDeployParameters(t *testing.T) {
	t.Parallel()
	cmdline := "initrd=deploy.initramfs BOOT_IMAGE=deploy.kernel deployment_id=1be26c0b-03f2 " +
		"deployment_key=0123ABCD iscsi_target_iqn=iqn.2008-10.org.openstack:1be26c0b " +
		"ironic_api_url=http://10.0.2.2:6385 troubleshoot disk=/dev/vda,/dev/sda " +
		"BOOTIF=01-52-54-00-AB-cd-0E ip=dhcp console=ttyS0"
	for _, sh := range shells(t) {
		assert.Equal(t, map[string]string{
			"BOOTIF":           "01-52-54-00-AB-cd-0E",
			"BOOT_MAC":         "52:54:00:ab:cd:0e",
			"IP":               "dhcp",
			"BOOT_IP_AUTOCONF": "dhcp",
			"DEPLOYMENT_ID":    "1be26c0b-03f2",
			"DEPLOYMENT_KEY":   "0123ABCD",
			"ISCSI_TARGET_IQN": "iqn.2008-10.org.openstack:1be26c0b",
			"IRONIC_API_URL":   "http://10.0.2.2:6385",
			"TROUBLESHOOT":     "1",
			"DISK":             "/dev/vda,/dev/sda",
		}, parse(t, sh, cmdline), sh)
	}
}

func TestParseCmdlineReadsAStaticIPAndTheBootServer(t *testing.T) {
	t.Parallel()
	cmdline := "ip=192.0.2.10:192.0.2.1:192.0.2.254:255.255.255.0:node1:eth1:off troubleshoot=0 *"
	for _, sh := range shells(t) {
		assert.Equal(t, map[string]string{
			"IP":               "192.0.2.10:192.0.2.1:192.0.2.254:255.255.255.0:node1:eth1:off",
			"BOOT_IP_ADDRESS":  "192.0.2.10",
			"BOOT_SERVER":      "192.0.2.1",
			"BOOT_GATEWAY":     "192.0.2.254",
			"BOOT_NETMASK":     "255.255.255.0",
			"BOOT_HOSTNAME":    "node1",
			"BOOT_IP_DEVICE":   "eth1",
			"BOOT_IP_AUTOCONF": "off",
		}, parse(t, sh, cmdline), sh)
	}
}

func TestParseCmdlineLetsBootServerWinOverIP(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		got := parse(t, sh, "ip=192.0.2.10:192.0.2.1 boot_server=198.51.100.7 BOOTIF=aa-bb-cc-dd-ee-ff")
		assert.Equal(t, "198.51.100.7", got["BOOT_SERVER"], sh)
		assert.Equal(t, "aa:bb:cc:dd:ee:ff", got["BOOT_MAC"], sh)
	}
}

func TestStaticIPIsUsedOnlyWithAnAddressAndNoAutoconf(t *testing.T) {
	t.Parallel()
	for ip, want := range map[string]string{
		"192.0.2.10::192.0.2.254:255.255.255.0": "static",
		"192.0.2.10:::::eth0:none":              "static",
		"192.0.2.10:::::eth0:dhcp":              "dhcp",
		"0.0.0.0::::::dhcp":                     "dhcp",
		"dhcp":                                  "dhcp",
		"":                                      "dhcp",
	} {
		for _, sh := range shells(t) {
			out, err := runScript(t, sh, string(libSh)+"parse_ip '"+ip+"'\nif static_ip; then echo static; else echo dhcp; fi\n")
			require.NoError(t, err, out)
			assert.Equal(t, want+"\n", out, "%v ip=%s", sh, ip)
		}
	}
}
