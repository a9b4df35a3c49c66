package faults

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// faultRows collects the fault table: phase × fault → left behind.
var faultRows = struct {
	sync.Mutex
	rows map[string]map[string]string
}{rows: map[string]map[string]string{}}

func recordFault(phase, fault, left string) {
	faultRows.Lock()
	defer faultRows.Unlock()
	if faultRows.rows[phase] == nil {
		faultRows.rows[phase] = map[string]string{}
	}
	faultRows.rows[phase][fault] = left
}

// faultPhases are where faults are injected, in build order, with the log
// line that says the build is there.
var faultPhases = []struct{ phase, marker string }{
	{"bootstrap", "building "},
	{"extra-data", "DIB-FAULT-READY extra-data"},
	{"pre-install", "DIB-FAULT-READY pre-install"},
	{"install", "DIB-FAULT-READY install"},
	{"post-install", "DIB-FAULT-READY post-install"},
	{"finalise", "DIB-FAULT-READY finalise"},
	{"cleanup", "DIB-FAULT-READY cleanup"},
	{"block-device", "DIB-FAULT-READY block-device"},
	{"outputs", "==> output"},
}

var faults = []string{"hook fails", "SIGINT", "SIGTERM", "SIGKILL"}

func TestEveryFaultInEveryPhaseLeavesNothingBehind(t *testing.T) {
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "qemu-img", "mkfs.ext4", "mkfs.vfat", "mcopy", "go")
	dic := command(t, "disk-image-create")
	flavours, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	for _, ph := range faultPhases {
		for _, fault := range faults {
			if fault == "hook fails" && (ph.phase == "bootstrap" || ph.phase == "outputs") {
				continue // no hook runs there
			}
			ph, fault := ph, fault
			t.Run(ph.phase+"/"+fault, func(t *testing.T) {
				t.Parallel()
				left := injectFault(t, dic, flavours, ph.phase, ph.marker, fault)
				recordFault(ph.phase, fault, left)
			})
		}
	}
}

// injectFault runs one build with one fault and returns what it left
// behind ("nothing" when clean).
func injectFault(t *testing.T, dic, flavours, phase, marker, fault string) string {
	out, tmp := t.TempDir(), t.TempDir()
	old := filepath.Join(out, "img.qcow2")
	require.NoError(t, os.WriteFile(old, []byte("the older image"), 0o644))
	token := "DIB_FAULT_TOKEN=" + randomHex()
	action := "wait"
	if fault == "hook fails" {
		action = "fail"
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), token,
		"DIB_FAULT_PHASE=" + phase, "DIB_FAULT_ACTION=" + action, "DIB_IMAGE_CACHE=" + testenv.CacheDir()}
	p := start(t, env, dic, "-o", filepath.Join(out, "img"), "--flavours-path", flavours, "--tmp-dir", tmp, "dib-test-fault")

	var sig syscall.Signal
	switch fault {
	case "SIGINT":
		sig = syscall.SIGINT
	case "SIGTERM":
		sig = syscall.SIGTERM
	case "SIGKILL":
		sig = syscall.SIGKILL
	}
	if sig != 0 {
		if err := p.waitFor(marker, 5*time.Minute); err != nil {
			p.cmd.Process.Kill()
			p.wait()
			t.Fatalf("%v\n%s", err, p.log())
		}
		require.NoError(t, p.cmd.Process.Signal(sig))
	}
	code := p.wait()
	lastLine := lastLine(p.log())
	switch fault {
	case "hook fails":
		assert.Equal(t, 1, code, p.log())
		assert.Contains(t, lastLine, "dib-test-fault/"+phase+".d/50-fault failed")
	case "SIGINT", "SIGTERM":
		assert.Equal(t, 130, code, p.log())
		assert.Contains(t, lastLine, "interrupted during phase "+phase)
	case "SIGKILL":
		assert.Equal(t, -1, code)
	}
	left := leftBehind(token, out, tmp, old)
	assert.Empty(t, left, "left behind after %s in %s", fault, phase)
	if len(left) == 0 {
		return "nothing"
	}
	return strings.Join(left, "; ")
}

// leftBehind waits a few seconds for the build to be gone and lists what
// remains: processes, mounts, build directories, outputs.
func leftBehind(token, out, tmp, old string) []string {
	var left []string
	for try := 0; try < 50; try++ {
		left = nil
		if ps := tokenProcesses(token); len(ps) > 0 {
			left = append(left, "processes "+strings.Join(ps, ", "))
		}
		if ms := mountsUnder(out, tmp); len(ms) > 0 {
			left = append(left, "mounts "+strings.Join(ms, ", "))
		}
		if es := entries(tmp); len(es) > 0 {
			left = append(left, "build dir "+strings.Join(es, ", "))
		}
		want := 0
		if old != "" {
			want = 1
			if data, err := os.ReadFile(old); err != nil || string(data) != "the older image" {
				left = append(left, "old output changed")
			}
		}
		if es := entries(out); len(es) != want {
			left = append(left, "outputs "+strings.Join(es, ", "))
		}
		if len(left) == 0 {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return left
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func TestMain(m *testing.M) {
	code := m.Run()
	printTables()
	os.Exit(code)
}

// printTables prints the suite's tables on stdout.
func printTables() {
	if len(faultRows.rows) > 0 {
		var rows [][]string
		columns := append(append([]string(nil), faults...), unprivilegedKill)
		for _, ph := range faultPhases {
			r := []string{ph.phase}
			for _, f := range columns {
				v, ok := faultRows.rows[ph.phase][f]
				if !ok {
					v = "-"
				}
				r = append(r, v)
			}
			rows = append(rows, r)
		}
		fmt.Printf("\nFault injection: what each fault left behind\n\n%s\n", table(append([]string{"phase"}, columns...), rows))
	}
	if len(badRows.rows) > 0 {
		sort.Slice(badRows.rows, func(i, j int) bool {
			return badRows.rows[i][0]+badRows.rows[i][1] < badRows.rows[j][0]+badRows.rows[j][1]
		})
		fmt.Printf("\nBad input: exit status and message\n\n%s\n", table([]string{"command", "case", "exit", "message", "written"}, badRows.rows))
	}
}
