package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// keptRE finds the kept build directory in the log.
var keptRE = regexp.MustCompile(`build directory kept: (\S+)`)

// The README's way into a kept tree: a shell that is root of a user
// namespace with the build's mapping.
const readmeUnshare = `sub=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
subg=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subgid)
unshare --map-root-user --map-users="$sub,1,65536" --map-groups="$subg,1,65536" -- sh -c "$1"`

func TestAUserWithoutRootBreaksIntoItsBuildAndKeepsATreeItCanOpenAndRemove(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	requireBoot(t)
	u := testenv.UnprivilegedUser(t)
	bins := testenv.Commands(t)
	name := filepath.Join(u.Dir(t), "kept")
	tmp := u.Dir(t)
	env := []string{"break=after-install,before-cleanup",
		`break_cmd=f=/dib-breaks; [ "$TARGET_ROOT" = / ] || f="$TARGET_ROOT/dib-breaks"; echo "$DIB_BREAK $(id -u)" >> "$f"`}
	cmd := u.Command(context.Background(), env, filepath.Join(bins, "disk-image-create"), "-o", name, "-t", "tar",
		"--keep-build-dir", "--tmp-dir", tmp, "base")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	m := keptRE.FindStringSubmatch(string(out))
	require.NotNil(t, m, "the log names the kept directory:\n%s", out)
	kept := m[1]
	assert.True(t, strings.HasPrefix(kept, tmp), kept)

	data, err := os.ReadFile(filepath.Join(kept, "root/dib-breaks"))
	require.NoError(t, err)
	assert.Equal(t, "after-install 0\nbefore-cleanup 0\n", string(data), "both break points ran as root of the namespace")

	// As the README says: look at the tree as its root, then remove it.
	look := u.Command(context.Background(), nil, "sh", "-c", readmeUnshare, "unshare",
		"stat -c %u:%g:%a "+kept+"/root/etc/shadow && rm -rf "+kept)
	out, err = look.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "0:42:640\n", string(out))
	assert.NoDirExists(t, kept)
	_, err = exec.LookPath("unshare")
	require.NoError(t, err)
}
