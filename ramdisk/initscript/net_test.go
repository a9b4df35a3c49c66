package initscript

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeSysfs makes class/net with the given interfaces: name -> address,
// carrier.
func fakeSysfs(t *testing.T, ifaces map[string][2]string) string {
	t.Helper()
	sys := t.TempDir()
	for name, v := range ifaces {
		dir := filepath.Join(sys, "class/net", name)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "address"), []byte(v[0]+"\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "carrier"), []byte(v[1]+"\n"), 0o644))
	}
	return sys
}

func TestFindBootInterfacePicksByMACElseTheFirstWithCarrier(t *testing.T) {
	t.Parallel()
	sys := fakeSysfs(t, map[string][2]string{
		"lo":   {"00:00:00:00:00:00", "1"},
		"eth0": {"52:54:00:00:00:01", "0"},
		"eth1": {"52:54:00:AB:CD:0E", "1"},
		"eth2": {"52:54:00:00:00:03", "1"},
	})
	lib := string(libSh) + string(netSh) + "ip() { echo \"ip $*\" >&2; }\nsleep() { :; }\n"
	cases := map[string]string{
		"BOOT_MAC=52:54:00:ab:cd:0e": "eth1",
		"BOOT_IP_DEVICE=eth2":        "eth2",
		"":                           "eth1",
	}
	for set, want := range cases {
		for _, sh := range shells(t) {
			out, err := runScript(t, sh, lib+set+"\nfind_boot_interface 2>/dev/null\n", "INIT_SYSFS="+sys, "INIT_NET_WAIT=1")
			require.NoError(t, err, "%v %s: %s", sh, set, out)
			assert.Equal(t, want+"\n", out, "%v %s", sh, set)
		}
	}
	for _, sh := range shells(t) {
		out, err := runScript(t, sh, lib+"BOOT_MAC=11:22:33:44:55:66\nfind_boot_interface || echo none\n", "INIT_SYSFS="+sys, "INIT_NET_WAIT=1")
		require.NoError(t, err, out)
		assert.Equal(t, "none\n", out, sh)
	}
}

func TestUdhcpcScriptConfiguresAddressRouteAndResolvConf(t *testing.T) {
	t.Parallel()
	for _, sh := range shells(t) {
		dir := t.TempDir()
		bin := filepath.Join(dir, "bin")
		require.NoError(t, os.MkdirAll(bin, 0o755))
		calls := filepath.Join(dir, "calls")
		// ip route del fails once no default route is left.
		stub := "#!/bin/sh\necho \"ip $*\" >>" + calls + "\ncase \"$*\" in 'route del'*) exit 1;; esac\n"
		require.NoError(t, os.WriteFile(filepath.Join(bin, "ip"), []byte(stub), 0o755))
		script := filepath.Join(dir, "default.script")
		require.NoError(t, os.WriteFile(script, udhcpcSh, 0o755))
		env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "RESOLV_CONF=" + filepath.Join(dir, "resolv.conf"),
			"UDHCPC_ENV=" + filepath.Join(dir, "udhcpc.env"), "interface=eth1", "ip=10.0.2.15", "mask=24",
			"subnet=255.255.255.0", "broadcast=10.0.2.255", "router=10.0.2.2 10.0.2.1", "dns=10.0.2.3 10.0.2.4", "domain=example.org"}
		cmd := exec.Command(sh[0], append(sh[1:], script, "bound")...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%v: %s", sh, out)
		got, err := os.ReadFile(calls)
		require.NoError(t, err)
		assert.Equal(t, "ip -4 addr flush dev eth1\nip addr add 10.0.2.15/24 broadcast 10.0.2.255 dev eth1\n"+
			"ip route del default dev eth1\nip route add default via 10.0.2.2 dev eth1\n", string(got), sh)
		resolv, err := os.ReadFile(filepath.Join(dir, "resolv.conf"))
		require.NoError(t, err)
		assert.Equal(t, "search example.org\nnameserver 10.0.2.3\nnameserver 10.0.2.4\n", string(resolv))
		vars, err := os.ReadFile(filepath.Join(dir, "udhcpc.env"))
		require.NoError(t, err)
		assert.Equal(t, "BOOT_IP_ADDRESS='10.0.2.15'\nBOOT_NETMASK='255.255.255.0'\nBOOT_GATEWAY='10.0.2.2'\n", string(vars))
	}
}
