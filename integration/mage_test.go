package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// mage runs ./mage with args in the module root and returns its output.
func mage(t *testing.T, env []string, args ...string) string {
	t.Helper()
	testenv.Short(t)
	testenv.RequireCommands(t, "go")
	cmd := exec.CommandContext(context.Background(), "./mage", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "./mage %v:\n%s", args, out)
	return string(out)
}

func TestMageListsEveryRecipeWithItsOneLineHelp(t *testing.T) {
	out := mage(t, nil, "-l")
	for _, target := range []string{
		"image:vm", "image:novaCompute", "ramdisk:deploy", "ramdisk:hwdiscovery", "ramdisk:hwburnin",
		"install:commands", "install:sudoers", "deps",
	} {
		assert.Regexp(t, `(?m)^\s+`+target+`\s+\S`, out, "listed with its help")
	}
}

func TestMageInstallPutsWorkingCommandsUnderPrefix(t *testing.T) {
	prefix := t.TempDir()
	mage(t, []string{"PREFIX=" + prefix}, "install")
	for cmd, synopsis := range map[string]string{
		"disk-image-create":     "-o NAME [options] FLAVOUR...",
		"ramdisk-image-create":  "-o NAME",
		"disk-image-get-kernel": "IMAGE",
	} {
		bin := filepath.Join(prefix, "bin", cmd)
		out, err := exec.Command(bin, "-h").CombinedOutput()
		require.NoError(t, err, "%s -h:\n%s", bin, out)
		assert.Contains(t, string(out), synopsis, cmd)
	}
}

// TestAUserWithoutRootRunsTheImageAndRamdiskRecipes: an ordinary user (no
// root, no sudo, subordinate IDs, Debian's PATH without sbin) with a copy
// of the checkout runs ./mage image:vm and ./mage ramdisk:deploy as the
// README says; the outputs land in its out/, its own.
func TestAUserWithoutRootRunsTheImageAndRamdiskRecipes(t *testing.T) {
	t.Parallel()
	testenv.Short(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "go is not in PATH")
	}
	u := testenv.UnprivilegedUser(t)
	src := filepath.Join(u.Dir(t), "diskimage-builder")
	require.NoError(t, os.Mkdir(src, 0o755))
	copyOut := exec.Command("sh", "-c", `tar -C .. --exclude=./.git --exclude=./out -cf - . | tar -C "$1" -xf - && chown -R "$2" "$1"`,
		"sh", src, strconv.Itoa(u.UID)+":"+strconv.Itoa(u.GID))
	out, err := copyOut.CombinedOutput()
	require.NoError(t, err, "copy the checkout: %s", out)

	// The user's own Go caches (in its home). Its modules come first from
	// a copy of root's downloads (root's cache is not the user's to read),
	// then from where root's go gets them.
	env := []string{"PATH=" + filepath.Dir(goBin) + ":/usr/local/bin:/usr/bin:/bin"}
	goEnv := func(v string) string {
		out, _ := exec.Command(goBin, "env", v).Output()
		return strings.TrimSpace(string(out))
	}
	proxy := goEnv("GOPROXY")
	if dl := filepath.Join(goEnv("GOMODCACHE"), "cache", "download"); goEnv("GOMODCACHE") != "" {
		if _, err := os.Stat(dl); err == nil {
			mods := testenv.CopyTree(t, dl)
			proxy = strings.TrimSuffix("file://"+mods+","+proxy, ",")
		}
	}
	env = append(env, "GOPROXY="+proxy)
	for _, v := range []string{"GONOSUMDB", "GOSUMDB", "GOPRIVATE", "GOINSECURE", "GOTOOLCHAIN", "GOFLAGS"} {
		if val := goEnv(v); val != "" {
			env = append(env, v+"="+val)
		}
	}
	for _, target := range []string{"image:vm", "ramdisk:deploy"} {
		cmd := u.Command(context.Background(), env, "./mage", target)
		cmd.Dir = src
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "./mage %s as %s:\n%s", target, u.Name, out)
	}
	for _, name := range []string{"vm.qcow2", "vm.cdx.json", "vm.qcow2.properties.json", "deploy.kernel", "deploy.initramfs", "deploy.cdx.json"} {
		fi, err := os.Stat(filepath.Join(src, "out", name))
		require.NoError(t, err, "the recipes wrote out/%s", name)
		st := fi.Sys().(*syscall.Stat_t)
		assert.Equal(t, []int{u.UID, u.GID}, []int{int(st.Uid), int(st.Gid)}, "out/%s is the user's", name)
		assert.NotZero(t, fi.Size(), name)
	}
	info, err := exec.Command("qemu-img", "check", "-f", "qcow2", filepath.Join(src, "out", "vm.qcow2")).CombinedOutput()
	require.NoError(t, err, "qemu-img check out/vm.qcow2: %s", info)
}
