// Package cloudnet makes, for one test, the network an OpenStack instance
// boots on when its metadata comes from Nova's metadata service through
// Neutron's DHCP namespace: a network namespace holding a bridge, a tap
// device for QEMU's card, dnsmasq handing out addresses (DHCPv4 with the
// classless static route, option 121, to 169.254.169.254; router
// advertisements and stateful DHCPv6), and 169.254.169.254 itself, where
// an HTTP handler of the test answers.
//
// The namespace is anonymous: it lives only while the processes started
// here (a holder and dnsmasq, both killed if the test process dies) or the
// descriptors opened here hold it, and the bridge and the tap vanish with
// it. Close removes everything; a killed test leaves nothing either.
package cloudnet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Addresses of the network, as Neutron would have a tenant subnet: the
// namespace's own address (dnsmasq, the route to the metadata service),
// the pools it hands out, and the metadata address.
const (
	Gateway4      = "10.42.0.1"
	Prefix4       = "10.42.0.0/24"
	Gateway6      = "fd42::1"
	Prefix6       = "fd42::/64"
	MetadataAddr  = "169.254.169.254"
	bridgeName    = "br-cloud"
	tapName       = "tap-cloud"
	dhcp4Range    = "10.42.0.100,10.42.0.199,255.255.255.0,1h"
	dhcp6Range    = "fd42::100,fd42::1ff,64,1h"
	metadataRoute = "121," + MetadataAddr + "/32," + Gateway4
)

// Network is a running cloud network. Give Tap to QEMU (qemu.WithTap).
type Network struct {
	ns      *namespace
	Tap     *os.File
	dnsmasq *exec.Cmd
	logged  chan struct{} // closed when dnsmasq's log has been read to its end
	server  *http.Server
	Inode   uint64 // the namespace's inode, to check it is gone after Close
	Holder  int    // the pid of the namespace's holder
}

// Start makes the network and serves metadata on 169.254.169.254:80.
// Lines of dnsmasq's log go to logf.
func Start(ctx context.Context, metadata http.Handler, logf func(format string, args ...any)) (n *Network, err error) {
	ns, err := newNamespace()
	if err != nil {
		return nil, err
	}
	n = &Network{ns: ns, Holder: ns.holder.Process.Pid}
	defer func() {
		if err != nil {
			err = errors.Join(err, n.Close())
			n = nil
		}
	}()
	if n.Inode, err = ns.inode(); err != nil {
		return n, err
	}
	for _, argv := range [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"ip", "link", "add", bridgeName, "type", "bridge"},
		{"ip", "addr", "add", Gateway4 + "/24", "dev", bridgeName},
		{"ip", "addr", "add", MetadataAddr + "/32", "dev", bridgeName},
		{"ip", "-6", "addr", "add", Gateway6 + "/64", "dev", bridgeName, "nodad"},
		{"ip", "link", "set", bridgeName, "up"},
	} {
		if err := n.ip(ctx, argv); err != nil {
			return n, err
		}
	}
	if n.Tap, err = ns.openTap(tapName); err != nil {
		return n, err
	}
	if err := n.ip(ctx, []string{"ip", "link", "set", tapName, "master", bridgeName, "up"}); err != nil {
		return n, err
	}
	l, err := ns.listen(MetadataAddr + ":80")
	if err != nil {
		return n, err
	}
	n.server = &http.Server{Handler: metadata}
	go func() { _ = n.server.Serve(l) }()
	return n, n.startDNSMasq(logf)
}

// ip runs an ip command inside the namespace.
func (n *Network) ip(ctx context.Context, argv []string) error {
	_, err := run.Run(ctx, run.Cmd{Argv: append([]string{"nsenter", "--net=" + n.ns.path}, argv...)})
	return err
}

// Exec returns argv as run inside the namespace (for a test that looks in).
func (n *Network) Exec(argv ...string) []string {
	return append([]string{"nsenter", "--net=" + n.ns.path}, argv...)
}

// Close stops the metadata server and dnsmasq, closes the tap and ends
// the namespace.
func (n *Network) Close() error {
	var errs []error
	if n.server != nil {
		errs = append(errs, n.server.Close())
	}
	if n.dnsmasq != nil {
		if err := n.dnsmasq.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			errs = append(errs, fmt.Errorf("stop dnsmasq: %w", err))
		}
		_ = n.dnsmasq.Wait() // killed: its exit status says so
		<-n.logged
	}
	if n.Tap != nil {
		errs = append(errs, n.Tap.Close())
	}
	errs = append(errs, n.ns.close())
	return errors.Join(errs...)
}
