package cloudnet

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
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
	assert.False(t, running(n.Holder), "the namespace's holder is gone")
	assert.False(t, running(dnsmasq), "dnsmasq is gone")
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

// helperEnv makes TestHelperHoldsANetwork start a network, print its
// holder, dnsmasq and namespace, and wait to be killed.
const helperEnv = "DIB_CLOUDNET_HELPER"

func TestHelperHoldsANetwork(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process of TestAKilledTestLeavesNoProcessAndNoNamespace")
	}
	n, err := Start(context.Background(), http.NotFoundHandler(), nil)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Printf("NETWORK %d %d %d\n", n.Holder, n.dnsmasq.Process.Pid, n.Inode)
	time.Sleep(time.Hour)
}

func TestAKilledTestLeavesNoProcessAndNoNamespace(t *testing.T) {
	requireNet(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldsANetwork$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var holder, dnsmasq int
	var inode uint64
	s := bufio.NewScanner(out)
	for s.Scan() {
		if _, err := fmt.Sscanf(s.Text(), "NETWORK %d %d %d", &holder, &dnsmasq, &inode); err == nil {
			break
		}
		require.NotContains(t, s.Text(), "ERROR", "the helper started its network")
	}
	require.NotZero(t, holder, "the helper printed its network")
	require.True(t, namespaceAlive(inode))

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	gone := func() bool { return !namespaceAlive(inode) && !running(holder) && !running(dnsmasq) }
	deadline := time.Now().Add(10 * time.Second)
	for !gone() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	assert.False(t, namespaceAlive(inode), "the namespace went with the killed process")
	assert.False(t, running(holder), "the namespace's holder died with it")
	assert.False(t, running(dnsmasq), "dnsmasq died with it")
}

// running reports whether pid is a process that has not ended (a zombie
// waiting for init to reap it has).
func running(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}
