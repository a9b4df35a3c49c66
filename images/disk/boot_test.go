package disk

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// bootMarker is what systemd prints on ttyS0 once it runs from the root
// filesystem.
const bootMarker = "Reached target"

// bootLimit bounds one boot under TCG; a boot takes 35-45 s here.
const bootLimit = 5 * time.Minute

// OVMF firmware of Debian's ovmf package.
const (
	ovmfCode = "/usr/share/OVMF/OVMF_CODE_4M.fd"
	ovmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd"
)

func TestImageBootsToSystemdUnderSeaBIOSAndOVMF(t *testing.T) {
	testenv.Short(t)
	testenv.RequireCommands(t, "qemu-system-x86_64")
	out, _ := buildImage(t, Spec{})
	t.Run("SeaBIOS", func(t *testing.T) { bootImage(t, out, nil) })
	t.Run("OVMF", func(t *testing.T) {
		if _, err := os.Stat(ovmfCode); err != nil {
			testenv.Unavailable(t, "needs OVMF firmware (the ovmf package)")
		}
		vars := filepath.Join(t.TempDir(), "OVMF_VARS.fd")
		b, err := os.ReadFile(ovmfVars)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(vars, b, 0o644))
		bootImage(t, out, []string{
			"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + ovmfCode,
			"-drive", "if=pflash,format=raw,unit=1,file=" + vars,
		})
	})
}

// bootImage boots img under QEMU with TCG (KVM hangs guests on this host)
// and waits for bootMarker on the serial console.
func bootImage(t *testing.T, img string, firmware []string) {
	ctx, cancel := context.WithTimeout(context.Background(), bootLimit)
	defer cancel()
	argv := append([]string{"qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-m", "1024", "-smp", "2",
		"-display", "none", "-serial", "stdio", "-monitor", "none", "-nic", "none", "-snapshot",
		"-drive", "file=" + img + ",format=raw,if=virtio"}, firmware...)
	console := &markerWriter{marker: bootMarker, found: cancel}
	start := time.Now()
	_, err := run.Run(ctx, run.Cmd{Argv: argv, Stream: console, Label: "ttyS0"})
	if !console.seen() {
		t.Logf("console:\n%s", console.tail(80))
		t.Fatalf("no %q on the serial console within %s: %v\nreproduce: %s", bootMarker, bootLimit, err, run.Quote(argv))
	}
	t.Logf("%q after %s", bootMarker, console.at.Sub(start).Round(100*time.Millisecond))
}

// markerWriter keeps the console and calls found once marker appears.
type markerWriter struct {
	mu     sync.Mutex
	marker string
	found  func()
	buf    bytes.Buffer
	at     time.Time
}

func (w *markerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.at.IsZero() && bytes.Contains(p, []byte(w.marker)) {
		w.at = time.Now()
		w.found()
	}
	return len(p), nil
}

func (w *markerWriter) seen() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.at.IsZero()
}

func (w *markerWriter) tail(n int) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	lines := strings.Split(w.buf.String(), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
