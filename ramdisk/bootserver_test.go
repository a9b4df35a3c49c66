package ramdisk_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tripleo/diskimage-builder/integration/qemu"
)

// post is one request the boot server received.
type post struct {
	Path string
	Body string
}

// bootServer is the HTTP server a ramdisk talks to, on the host. The
// guest's user network is restricted (it reaches nothing of the host's), so
// the guest reaches the server at GuestAddr through the forward Fwd gives.
type bootServer struct {
	GuestAddr string // for boot_server=
	Fwd       qemu.Option
	posts     chan post
}

// bootServerGuestIP and bootServerGuestPort are where a guest finds the
// boot server: an address of the user network that the forward answers.
const (
	bootServerGuestIP   = "10.0.2.100"
	bootServerGuestPort = 80
)

func startBootServer(t *testing.T) *bootServer {
	t.Helper()
	bs := &bootServer{posts: make(chan post, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		t.Logf("boot server: %s %s %q", r.Method, r.URL.Path, body)
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		bs.posts <- post{Path: r.URL.Path, Body: string(body)}
		io.WriteString(w, "ok\n")
	}))
	t.Cleanup(srv.Close)
	bs.GuestAddr = bootServerGuestIP + ":" + strconv.Itoa(bootServerGuestPort)
	bs.Fwd = qemu.WithGuestFwd(qemu.GuestFwd{Addr: bootServerGuestIP, Port: bootServerGuestPort, Target: srv.Listener.Addr().String()})
	return bs
}

// next waits for the next POST.
func (bs *bootServer) next(t *testing.T, timeout time.Duration) post {
	t.Helper()
	select {
	case p := <-bs.posts:
		return p
	case <-time.After(timeout):
		t.Fatalf("boot server: no POST within %s", timeout)
		return post{}
	}
}

// sendDone tells the deploy ramdisk, through the forward to its port 10000,
// that the deployment is done; it returns true once the ramdisk answered.
func sendDone(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.WriteString(c, "done\n"); err != nil {
		return false
	}
	reply, _ := bufio.NewReader(c).ReadString('\n')
	return strings.HasPrefix(reply, "ok")
}

func itoa(n int) string { return strconv.Itoa(n) }
