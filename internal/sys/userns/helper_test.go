package userns_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
)

// probeRole reports who it is inside the namespace.
const probeRole = "userns-test-whoami"

func init() {
	reexec.Register(probeRole, func() int {
		uidMap, _ := os.ReadFile("/proc/self/uid_map")
		status, _ := os.ReadFile("/proc/self/status")
		fmt.Printf("euid %d egid %d\n", os.Geteuid(), os.Getegid())
		fmt.Println(strings.Fields(strings.Split(strings.TrimSpace(string(uidMap)), "\n")[1])[0] + " subordinate")
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "CapEff:") {
				fmt.Println(l)
			}
		}
		return 0
	})
}

func cmdOutput(cmd *reexec.Cmd) (string, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	err := cmd.Wait()
	return out.String(), err
}
