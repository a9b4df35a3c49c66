package userns

import (
	"fmt"
	"os"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
)

// probeRole is a process that only proves the namespace can be made.
const probeRole = "userns-probe"

func init() { reexec.Register(probeRole, func() int { return 0 }) }

// Probe makes a user namespace with m and ends it, so that what the host
// forbids (user namespaces switched off, newuidmap refusing the ranges) is
// found before a build starts, as an *Unavailable naming the setting.
func (m Map) Probe() error {
	if off := disabledBy(); off != nil {
		return off
	}
	cmd, err := m.Command(probeRole)
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return &Unavailable{Reason: "cannot make a user namespace: " + oneLine(err.Error()),
			Fix: "check /etc/subuid, /etc/subgid and that newuidmap and newgidmap are setuid root"}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("user namespace probe: %w", err)
	}
	return nil
}

// disabledBy names the kernel setting that keeps users from making user
// namespaces, if one does.
func disabledBy() *Unavailable {
	settings := []struct{ file, off, fix string }{
		{"sys/user/max_user_namespaces", "0", "sysctl -w user.max_user_namespaces=15000"},
		{"sys/kernel/unprivileged_userns_clone", "0", "sysctl -w kernel.unprivileged_userns_clone=1"},
		{"sys/kernel/apparmor_restrict_unprivileged_userns", "1", "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"},
	}
	for _, s := range settings {
		data, err := os.ReadFile(procDir + "/" + s.file)
		if err != nil || strings.TrimSpace(string(data)) != s.off {
			continue
		}
		name := strings.ReplaceAll(strings.TrimPrefix(s.file, "sys/"), "/", ".")
		return &Unavailable{Reason: "unprivileged user namespaces are switched off (" + name + " = " + s.off + ")",
			Fix: "allow them as root: " + s.fix}
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
