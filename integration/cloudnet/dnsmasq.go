package cloudnet

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// dnsmasqArgs is dnsmasq as Neutron's DHCP agent runs it, cut to what a
// test needs: no DNS, no files of its own, addresses for the bridge only,
// no default route (the classless route to the metadata address replaces
// it, as with an isolated network), and IPv6 router advertisements with
// stateful DHCPv6.
func dnsmasqArgs() []string {
	return []string{"dnsmasq", "--keep-in-foreground", "--log-facility=-", "--log-dhcp",
		"--conf-file=/dev/null", "--port=0", "--no-resolv", "--no-hosts", "--leasefile-ro", "--pid-file=",
		"--user=root", "--group=root",
		"--interface=" + bridgeName, "--bind-interfaces", "--except-interface=lo",
		"--dhcp-range=" + dhcp4Range, "--dhcp-option=3", "--dhcp-option=" + metadataRoute,
		"--enable-ra", "--dhcp-range=" + dhcp6Range,
	}
}

// startDNSMasq runs dnsmasq in the namespace, its log lines to logf, and
// waits until it says it started. It dies with the test process.
func (n *Network) startDNSMasq(logf func(string, ...any)) error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("dnsmasq: %w", err)
	}
	cmd := exec.Command("nsenter", append([]string{"--net=" + n.ns.path}, dnsmasqArgs()...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return fmt.Errorf("start dnsmasq: %w", err)
	}
	n.dnsmasq = cmd
	started := make(chan bool, 1)
	n.logged = make(chan struct{})
	go func() {
		defer close(n.logged)
		defer r.Close()
		s := bufio.NewScanner(r)
		for s.Scan() {
			if logf != nil {
				logf("dnsmasq: %s", s.Text())
			}
			if strings.Contains(s.Text(), "started, version") {
				select {
				case started <- true:
				default:
				}
			}
		}
		select {
		case started <- false:
		default:
		}
	}()
	select {
	case ok := <-started:
		if !ok {
			return fmt.Errorf("dnsmasq: exited at start (%s)", strings.Join(dnsmasqArgs(), " "))
		}
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("dnsmasq: did not say it started within 30s")
	}
}
