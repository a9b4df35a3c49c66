package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/integration/guest"
)

// healthScript is what a provisioning tool looks at once it can log in,
// run as the user it logs in as; it prints one key=value line a check.
// cloud-init status --wait is what Packer, Terraform and Ansible run.
// The addresses listed are the global and site-local ones: QEMU's user
// network advertises fec0::/64, which Linux scopes "site".
const healthScript = `
kv() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ' | sed 's/ *$//')"; }
out=$(cloud-init status --wait 2>&1); kv cloud_init_rc $?; kv cloud_init "$out"
kv system "$(systemctl is-system-running --wait 2>&1)"
kv failed "$(systemctl list-units --failed --plain --no-legend 2>&1 | awk '{print $1}')"
kv systemctl_status "$(systemctl status --no-pager 2>&1 | sed -n 's/^ *State: *//p')"
kv hostname "$(hostname)"
kv hostnamectl "$(hostnamectl hostname 2>&1)"
kv resolves "$(getent hosts "$(hostname)" | awk '{print $1}' | head -n 1)"
out=$(sudo -n true 2>&1); kv sudo_rc $?; kv sudo_says "$out"
kv ntp "$(timedatectl show -p NTP --value 2>&1)"
kv timesyncd "$(systemctl is-active systemd-timesyncd.service)"
kv agent "$(systemctl is-active qemu-guest-agent.service)"
kv ssh_keys "$(ls /etc/ssh/ssh_host_*_key 2>/dev/null | wc -l)"
kv root_bytes "$(df -B1 --output=size / | tail -n 1 | tr -d ' ')"
kv user_data_runs "$(cat /var/lib/dib-test/user-data 2>/dev/null | wc -l)"
kv bootcmd_runs "$(cat /var/lib/dib-test/bootcmd 2>/dev/null | wc -l)"
kv first_boot_ran "$(systemctl show -p ConditionResult --value dib-first-boot.service)"
kv datasource "$(cloud-init query v1.platform 2>/dev/null) $(cloud-init query v1.subplatform 2>/dev/null)"
kv boot_id "$(cat /proc/sys/kernel/random/boot_id)"
kv addrs "$(ip -o addr show | awk '/ scope (global|site) / {d="static"; if ($0 ~ / dynamic /) d="dynamic"; print $2"="$4"/"d}')"
kv links "$(networkctl list --no-legend 2>&1 | awk '{print $2":"$5}')"
kv md_route "$(ip -o route get 169.254.169.254 2>&1 | sed -n 's/.* via \([^ ]*\) dev \([^ ]*\).*/\1 \2/p')"
kv resolv "$(readlink /etc/resolv.conf)"
kv boot_time "$(systemd-analyze time 2>&1 | head -n 1)"
`

// health is what healthScript printed, by key.
type health map[string]string

// checkHealth runs healthScript over s and parses its output.
func checkHealth(t *testing.T, s *guest.SSH) health {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := s.Run(ctx, healthScript)
	require.NoError(t, err, "the health checks run over ssh as %s", s.User)
	h := health{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			h[k] = v
		}
	}
	t.Logf("health as %s:\n%s", s.User, out)
	return h
}

// addrs returns the global addresses by device: "dev" -> ["10.0.2.15/24/dynamic", ...].
func (h health) addrs() map[string][]string {
	out := map[string][]string{}
	for _, f := range strings.Fields(h["addrs"]) {
		if dev, a, ok := strings.Cut(f, "="); ok {
			out[dev] = append(out[dev], a)
		}
	}
	return out
}

// addrOn returns the first address of dev with the given prefix, and its
// kind (static or dynamic).
func (h health) addrOn(dev, prefix string) (addr, kind string) {
	for _, a := range h.addrs()[dev] {
		if strings.HasPrefix(a, prefix) {
			i := strings.LastIndexByte(a, '/')
			return a[:i], a[i+1:]
		}
	}
	return "", ""
}

// devWith returns the device holding an address with the given prefix.
func (h health) devWith(prefix string) string {
	for dev, as := range h.addrs() {
		for _, a := range as {
			if strings.HasPrefix(a, prefix) {
				return dev
			}
		}
	}
	return ""
}
