package qemu

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeAgent answers the guest agent protocol on dir/qga.sock, as
// qemu-guest-agent does behind QEMU's chardev: it ignores the first
// guest-sync (an agent that was not running yet), answers the others,
// answers guest-ping, and records guest-shutdown.
func fakeAgent(t *testing.T, dir string) <-chan string {
	t.Helper()
	l, err := net.Listen("unix", filepath.Join(dir, guestAgentSocket))
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	got := make(chan string, 16)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		syncs := 0
		s := bufio.NewScanner(c)
		for s.Scan() {
			var cmd struct {
				Execute   string          `json:"execute"`
				Arguments json.RawMessage `json:"arguments"`
			}
			if json.Unmarshal(s.Bytes(), &cmd) != nil {
				fmt.Fprintln(c, `{"error": {"class": "GenericError", "desc": "bad json"}}`)
				continue
			}
			got <- cmd.Execute
			switch cmd.Execute {
			case "guest-sync":
				if syncs++; syncs == 1 {
					continue
				}
				var a struct{ ID int }
				_ = json.Unmarshal(cmd.Arguments, &a)
				fmt.Fprintf(c, "\xff{\"return\": %d}\n", a.ID)
			case "guest-ping":
				fmt.Fprintln(c, `{"return": {}}`)
			case "guest-shutdown":
				return
			default:
				fmt.Fprintln(c, `{"error": {"class": "CommandNotFound", "desc": "unknown"}}`)
			}
		}
	}()
	return got
}

func TestTheGuestAgentClientSynchronisesPingsAndShutsTheGuestDown(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "qga-") // short: a socket path has a length limit
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	got := fakeAgent(t, dir)
	vm := &VM{dir: dir}

	start := time.Now()
	a, err := vm.GuestAgent(30 * time.Second)
	require.NoError(t, err, "guest-sync is retried until the agent answers")
	defer a.Close()
	assert.Less(t, time.Since(start), 20*time.Second)
	assert.Equal(t, "guest-sync", <-got)
	assert.Equal(t, "guest-sync", <-got)
	require.NoError(t, a.Ping(5*time.Second))
	assert.Equal(t, "guest-ping", <-got)
	require.NoError(t, a.Shutdown())
	assert.Equal(t, "guest-shutdown", <-got)
}

func TestTheGuestAgentClientReportsTheAgentsError(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "qga-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	fakeAgent(t, dir)
	a, err := (&VM{dir: dir}).GuestAgent(30 * time.Second)
	require.NoError(t, err)
	defer a.Close()
	require.NoError(t, a.send("guest-frobnicate", nil))
	_, err = a.read(5 * time.Second)
	require.ErrorContains(t, err, "CommandNotFound: unknown")
}

func TestNoGuestAgentChannelIsAClearError(t *testing.T) {
	t.Parallel()
	_, err := (&VM{dir: t.TempDir()}).GuestAgent(time.Second)
	require.ErrorContains(t, err, "connect to the guest agent channel")
}
