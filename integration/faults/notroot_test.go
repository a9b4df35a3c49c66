package faults

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// notRootCases are invocations by a user who is not root: bad input is
// refused (exit 2, one line) before the command looks at privileges, and a
// user who may not build is told why in one line (exit 2).
var notRootCases = []badCase{
	{command: "disk-image-create", name: "unknown type, not root", args: []string{"-o", "OUT/img", "-t", "qcow3", "vm"}, exit: 2, message: `unknown output type "qcow3"`},
	{command: "disk-image-create", name: "unknown flavour, not root", args: []string{"-o", "OUT/img", "no-such-flavour"}, exit: 2, message: `flavour "no-such-flavour" not found`},
	{command: "ramdisk-image-create", name: "unknown flavour, not root", args: []string{"-o", "OUT/rd", "no-such-flavour"}, exit: 2, message: `flavour "no-such-flavour" not found`},
	// nobody has no subordinate IDs: told what is missing and how to add
	// it, in one line, before anything is made.
	{command: "disk-image-create", name: "good input, no subordinate IDs", args: []string{"-o", "OUT/img", "vm"}, exit: 2,
		message: "cannot build here: no subordinate IDs for nobody in /etc/subuid; add them as root: usermod --add-subuids"},
	{command: "ramdisk-image-create", name: "good input, no subordinate IDs", args: []string{"-o", "OUT/rd", "deploy"}, exit: 2,
		message: "cannot build here: no subordinate IDs for nobody in /etc/subuid; add them as root: usermod --add-subuids"},
}

func TestBadInputOfAUserWhoIsNotRootIsRefusedBeforeTheRootCheck(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "go", "setpriv")
	for _, c := range notRootCases {
		t.Run(c.command+"/"+c.name, func(t *testing.T) {
			bin := command(t, c.command)
			// The user nobody reaches the command and writes the output
			// directory.
			require.NoError(t, os.Chmod(filepath.Dir(bin), 0o755))
			out, err := os.MkdirTemp("", "dib-nobody-")
			require.NoError(t, err)
			t.Cleanup(func() { os.RemoveAll(out) })
			require.NoError(t, os.Chmod(out, 0o777))
			argv := []string{"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", bin}
			for _, a := range c.args {
				argv = append(argv, strings.ReplaceAll(a, "OUT", out))
			}
			tmp := filepath.Join(out, "tmp")
			env := []string{"PATH=" + os.Getenv("PATH"), "HOME=/nonexistent", "DIB_TMP=" + tmp}
			p := start(t, env, argv...)
			code := p.wait()
			stderr := strings.TrimSpace(p.log())
			assert.Equal(t, c.exit, code, stderr)
			if c.exit == 2 {
				assert.NotContains(t, stderr, "\n", "exactly one line")
				assert.True(t, strings.HasPrefix(stderr, c.command+": "), "the line names the command: %q", stderr)
			}
			assert.Contains(t, stderr, c.message)
			assert.Empty(t, entries(out), "nothing written")
			badRows.Lock()
			badRows.rows = append(badRows.rows, []string{c.command, c.name, strconv.Itoa(code),
				strings.ReplaceAll(oneLineOf(stderr, c.command), "|", "/"), ""})
			badRows.Unlock()
		})
	}
}

// oneLineOf is the first line of stderr without the command's name.
func oneLineOf(stderr, command string) string {
	first, _, _ := strings.Cut(stderr, "\n")
	return strings.TrimPrefix(first, command+": ")
}
