package cloudnet

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func requireNet(t *testing.T) {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "ip", "nsenter", "dnsmasq", "sleep")
}

// children lists the pids of this process's child processes that run
// (zombies, already dead and waiting to be reaped, do not count).
func children(t *testing.T) []string {
	t.Helper()
	var out []string
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	me := strconv.Itoa(os.Getpid())
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		rest := string(data[strings.LastIndexByte(string(data), ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == me && fields[0] != "Z" {
			out = append(out, filepath.Base(filepath.Dir(f)))
		}
	}
	return out
}

// namespaceAlive reports whether any process still has the namespace with
// this inode.
func namespaceAlive(inode uint64) bool {
	links, _ := filepath.Glob("/proc/[0-9]*/ns/net")
	want := "net:[" + strconv.FormatUint(inode, 10) + "]"
	for _, l := range links {
		if target, err := os.Readlink(l); err == nil && target == want {
			return true
		}
	}
	return false
}

func TestTheNetworkServesMetadataOnTheLinkLocalAddressAndLeavesNothingWhenClosed(t *testing.T) {
	requireNet(t)
	ctx := context.Background()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "meta "+r.URL.Path) })
	n, err := Start(ctx, handler, t.Logf)
	require.NoError(t, err)
	closed := false
	t.Cleanup(func() {
		if !closed {
			n.Close()
		}
	})

	out, err := run.Output(ctx, n.Exec("ip", "-br", "addr", "show", "dev", bridgeName)...)
	require.NoError(t, err)
	assert.Contains(t, out, Gateway4+"/24")
	assert.Contains(t, out, MetadataAddr+"/32")
	assert.Contains(t, out, Gateway6+"/64")
	out, err = run.Output(ctx, n.Exec("ip", "-br", "link", "show", "master", bridgeName)...)
	require.NoError(t, err)
	assert.Contains(t, out, tapName, "the tap is a port of the bridge")
	_, err = net.InterfaceByName(bridgeName)
	assert.Error(t, err, "the bridge is not in the host's namespace")

	// The metadata server answers inside the namespace.
	var reply string
	require.NoError(t, n.ns.do(func() error {
		c, err := net.DialTimeout("tcp", MetadataAddr+":80", 5*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		io.WriteString(c, "GET /openstack HTTP/1.0\r\nHost: "+MetadataAddr+"\r\n\r\n")
		b, err := io.ReadAll(c)
		reply = string(b)
		return err
	}))
	assert.Contains(t, reply, "meta /openstack")

	dnsmasq := n.dnsmasq.Process.Pid
	require.NoError(t, n.Close())
	closed = true
	assert.NoDirExists(t, "/proc/"+strconv.Itoa(n.Holder), "the namespace's holder is gone")
	assert.NoDirExists(t, "/proc/"+strconv.Itoa(dnsmasq), "dnsmasq is gone")
	assert.False(t, namespaceAlive(n.Inode), "no process holds the namespace: it, its bridge and its tap are gone")
}

func TestAFailedStartLeavesNoProcessAndNoNamespace(t *testing.T) {
	requireNet(t)
	// A PATH without dnsmasq: the namespace, bridge and tap are made, then
	// dnsmasq cannot start.
	bin := t.TempDir()
	for _, c := range []string{"ip", "nsenter", "sleep"} {
		p, err := exec.LookPath(c)
		require.NoError(t, err)
		require.NoError(t, os.Symlink(p, filepath.Join(bin, c)))
	}
	t.Setenv("PATH", bin)
	before := children(t)
	n, err := Start(context.Background(), http.NotFoundHandler(), t.Logf)
	require.Error(t, err)
	assert.Nil(t, n)
	assert.Contains(t, err.Error(), "dnsmasq")
	assert.ElementsMatch(t, before, children(t), "no holder and no dnsmasq left running")
}
