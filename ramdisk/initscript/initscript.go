// Package initscript assembles the /init of a ramdisk: a base script (POSIX
// sh for busybox sh) that mounts the kernel filesystems, loads drivers,
// parses the kernel command line the original diskimage-builder deploy
// ramdisk used (BOOTIF, ip=, deployment_id, deployment_key,
// iscsi_target_iqn, ironic_api_url, boot_server, troubleshoot, disk) and
// brings up the boot interface; then each flavour's init fragment, in
// flavour order; then the end script, which reboots.
//
// The contract for fragment authors:
//   - a fragment runs in a subshell with "set -e", so a failing command ends
//     it; "exit 0" ends it early and successfully;
//   - a fragment that fails, or calls fail "MESSAGE", prints
//     "ERROR: ..." and opens a shell on the console; when the shell exits,
//     the remaining fragments are skipped and the machine reboots;
//   - variables a fragment sets vanish with its subshell: "keep NAME..."
//     hands them to later fragments;
//   - "troubleshoot [REASON]" opens a shell on the console and continues;
//     troubleshoot on the kernel command line opens one before the reboot;
//   - the variables BOOTIF, BOOT_MAC, IP, BOOT_INTERFACE, BOOT_IP_ADDRESS,
//     BOOT_NETMASK, BOOT_GATEWAY, BOOT_HOSTNAME, BOOT_SERVER, DEPLOYMENT_ID,
//     DEPLOYMENT_KEY, ISCSI_TARGET_IQN, IRONIC_API_URL, TROUBLESHOOT and
//     DISK are set; "log MESSAGE" writes "init: MESSAGE" to the console.
//
// The ramdisk needs busybox (sh, mount, ip, ifconfig, route, udhcpc, find,
// sort, xargs, modprobe, mdev, setsid, cttyhack, reboot) and the udhcpc
// event script at UdhcpcScriptPath; udevd and udevadm are used instead of
// mdev when present.
package initscript

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
)

// Paths and modes of the files the ramdisk needs from this package.
const (
	InitPath         = "/init"
	UdhcpcScriptPath = "/etc/udhcpc/default.script"
	ScriptMode       = 0o755
)

var (
	//go:embed lib.sh
	libSh []byte
	//go:embed net.sh
	netSh []byte
	//go:embed base.sh
	baseSh []byte
	//go:embed end.sh
	endSh []byte
	//go:embed udhcpc.sh
	udhcpcSh []byte
)

// UdhcpcScript returns the busybox udhcpc event script, to be installed at
// UdhcpcScriptPath with ScriptMode.
func UdhcpcScript() []byte { return bytes.Clone(udhcpcSh) }

// Fragment is one flavour's init fragment.
type Fragment struct {
	Flavour string
	Body    []byte
}

// Assemble returns the /init script: the base script, each fragment in the
// order given headed by "# init fragment from FLAVOUR", and the end script.
func Assemble(fragments []Fragment) []byte {
	var b bytes.Buffer
	b.WriteString("#!/bin/sh\n# /init of a diskimage-builder ramdisk: base script, flavour fragments, end script.\n\n")
	b.Write(libSh)
	b.Write(netSh)
	b.Write(baseSh)
	b.Write(fragmentsScript(fragments))
	b.Write(endSh)
	return b.Bytes()
}

// fragmentsScript wraps each fragment so that it runs in a set -e
// subshell, is skipped after a failure and has its status checked.
func fragmentsScript(fragments []Fragment) []byte {
	var b bytes.Buffer
	for _, f := range fragments {
		body := string(f.Body)
		if body != "" && !strings.HasSuffix(body, "\n") {
			body += "\n"
		}
		fmt.Fprintf(&b, "\n# init fragment from %s\n", f.Flavour)
		fmt.Fprintf(&b, "if [ -z \"$INIT_FAILED\" ]; then\n(\nINIT_FRAGMENT=%s\nset -e\n", shellQuote(f.Flavour))
		b.WriteString(body)
		fmt.Fprintf(&b, ")\nfragment_done %s $?\nfi\n", shellQuote(f.Flavour))
	}
	b.WriteString("\n")
	return b.Bytes()
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
