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

// faultPhase is where a fault is injected: the phase the build is in,
// the log line that says it is there, and whether its cache is cold (so
// that the bootstrap makes the base: mmdebstrap's tree in /dev/shm, the
// cache's temporary directory).
type faultPhase struct {
	name, phase, marker string
	cold                bool
}

// faultPhases are where faults are injected, in build order.
var faultPhases = []faultPhase{
	{"bootstrap, cold cache", "bootstrap", "bootstrap: I: extracting archives", true},
	{"bootstrap", "bootstrap", "building ", false},
	{"extra-data", "extra-data", "DIB-FAULT-READY extra-data", false},
	{"pre-install", "pre-install", "DIB-FAULT-READY pre-install", false},
	{"install", "install", "DIB-FAULT-READY install", false},
	{"post-install", "post-install", "DIB-FAULT-READY post-install", false},
	{"finalise", "finalise", "DIB-FAULT-READY finalise", false},
	{"cleanup", "cleanup", "DIB-FAULT-READY cleanup", false},
	{"block-device", "block-device", "DIB-FAULT-READY block-device", false},
	{"outputs", "outputs", "==> output", false},
	// The phases builds with diskimage-builder elements have, or run in
	// another place: a tar build of debian-minimal dib-test-fault-element.
	{"element-root", "element-root", "DIB-FAULT-READY element-root", false},
	{"element-post-root", "element-post-root", "DIB-FAULT-READY element-post-root", false},
	{"element-block-device", "element-block-device", "DIB-FAULT-READY element-block-device", false},
	{"element-pre-finalise", "element-pre-finalise", "DIB-FAULT-READY element-pre-finalise", false},
}

// elementSteps are the phases whose step names differ from their hook
// directories in builds with elements.
var elementSteps = map[string]string{"element-block-device": "block-device-elements"}

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
			if fault == "SIGINT" && strings.HasPrefix(ph.phase, "element-") {
				continue // the same path as SIGTERM, which runs
			}
			ph, fault := ph, fault
			t.Run(ph.name+"/"+fault, func(t *testing.T) {
				t.Parallel()
				left := injectFault(t, dic, flavours, ph, fault)
				recordFault(ph.name, fault, left)
			})
		}
	}
}

// injectFault runs one build with one fault and returns what it left
// behind ("nothing" when clean): in its output and tmp dirs, $TMPDIR,
// /dev/shm and, when cold, its cache (see sandbox.leftBehind).
func injectFault(t *testing.T, dic, flavours string, ph faultPhase, fault string) string {
	sb := newSandbox(t, ph.cold)
	phase, marker := ph.phase, ph.marker
	args := []string{"-o", filepath.Join(sb.out, "img"), "--flavours-path", flavours, "dib-test-fault"}
	old := filepath.Join(sb.out, "img.qcow2")
	hookPhase, step := phase, phase
	if el, ok := strings.CutPrefix(phase, "element-"); ok {
		elements, err := filepath.Abs("testdata/elements")
		require.NoError(t, err)
		args = []string{"-n", "-t", "tar", "-o", filepath.Join(sb.out, "img"), "--elements-path", elements,
			"debian-minimal", "dib-test-fault-element"}
		old = filepath.Join(sb.out, "img.tar")
		hookPhase, step = el, el
		if s, ok := elementSteps[phase]; ok {
			step = s
		}
	}
	require.NoError(t, os.WriteFile(old, []byte("the older image"), 0o644))
	token := "DIB_FAULT_TOKEN=" + randomHex()
	action := "wait"
	if fault == "hook fails" {
		action = "fail"
	}
	env := sb.env(token, "DIB_FAULT_PHASE="+phase, "DIB_FAULT_ACTION="+action)
	p := start(t, env, sb.argv(dic, args...)...)

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
		assert.Regexp(t, `dib-test-fault(-element)?/`+hookPhase+`\.d/50-fault failed`, lastLine)
	case "SIGINT", "SIGTERM":
		assert.Equal(t, 130, code, p.log())
		assert.Contains(t, lastLine, "interrupted during phase "+step)
	case "SIGKILL":
		assert.Equal(t, -1, code)
	}
	left := sb.leftBehind(token, old)
	assert.Empty(t, left, "left behind after %s in %s", fault, ph.name)
	if len(left) == 0 {
		return "nothing"
	}
	return strings.Join(left, "; ")
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
	if commands.dir != "" {
		os.RemoveAll(commands.dir) // the commands built for this run
	}
	os.Exit(code)
}

// printTables prints the suite's tables on stdout.
func printTables() {
	if len(faultRows.rows) > 0 {
		var rows [][]string
		columns := append(append([]string(nil), faults...), unprivilegedKill)
		for _, ph := range faultPhases {
			r := []string{ph.name}
			for _, f := range columns {
				v, ok := faultRows.rows[ph.name][f]
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
