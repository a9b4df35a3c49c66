package cli

import (
	"bytes"
	"errors"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/userns"
)

// fakeSystem is a user euid who can build as it is (why nil) or not, and
// whose sudo rules allow or not, recording the command it would have
// re-run.
func fakeSystem(euid int, why error, allowed bool, ran *[]string) privilege {
	return privilege{
		euid:       func() int { return euid },
		canBuild:   func() error { return why },
		executable: func() (string, error) { return "/usr/local/bin/disk-image-create", nil },
		lookPath:   func(string) (string, error) { return "/usr/bin/sudo", nil },
		allowed: func(sudo, cmd string) bool {
			*ran = append(*ran, "check "+sudo+" "+cmd)
			return allowed
		},
		exec: func(argv0 string, argv, env []string) error {
			*ran = append(append(*ran, argv0), argv...)
			return errors.New("exec stubbed")
		},
	}
}

// noRanges is what a user without subordinate IDs is told.
var noRanges = &userns.Unavailable{Reason: "no subordinate IDs for alice in /etc/subuid",
	Fix: "add them as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice"}

func TestRootAndAUserWhoCanBuildInAUserNamespaceGoOnWithoutSudo(t *testing.T) {
	for _, euid := range []int{0, 1000} {
		var ran []string
		var stderr bytes.Buffer
		handled, _ := fakeSystem(euid, nil, true, &ran).ensurePrivilege([]string{"-o", "x", "vm"}, nil, createOptions, &stderr)
		assert.False(t, handled)
		assert.Empty(t, ran, "sudo is not asked")
		assert.Empty(t, stderr.String())
	}
}

func TestAUserWithoutSubordinateIDsWhomTheRuleAllowsIsReRunThroughSudoKeepingProxiesAndOptions(t *testing.T) {
	var ran []string
	var stderr bytes.Buffer
	env := []string{"PATH=/usr/bin", "http_proxy=http://proxy:3128", "DIB_RELEASE=trixie", "IMAGE_SIZE=3", "SECRET=x", "NO_PROXY=local",
		"SUDO_USER=admin"} // the caller's shell came from sudo: sudo sets it, and refuses to keep it
	handled, code := fakeSystem(1000, noRanges, true, &ran).ensurePrivilege([]string{"-o", "x", "vm"}, env, createOptions, &stderr)
	require.True(t, handled)
	assert.Equal(t, ExitFailure, code, "only reached when exec fails")
	assert.Equal(t, []string{
		"check /usr/bin/sudo /usr/local/bin/disk-image-create",
		"/usr/bin/sudo", "sudo", "-n", "--preserve-env=DIB_RELEASE,IMAGE_SIZE,NO_PROXY,http_proxy",
		"--", "/usr/local/bin/disk-image-create", "-o", "x", "vm",
	}, ran)
}

func TestAUserWhoCannotBuildIsToldInOneLineWhatIsMissingAndHowToAddIt(t *testing.T) {
	var ran []string
	var stderr bytes.Buffer
	handled, code := fakeSystem(1000, noRanges, false, &ran).ensurePrivilege([]string{"vm"}, nil, createOptions, &stderr)
	require.True(t, handled)
	assert.Equal(t, ExitBadInput, code)
	assert.Len(t, ran, 1, "only the sudo -l check ran")
	assert.Equal(t, "disk-image-create: cannot build here: no subordinate IDs for alice in /etc/subuid; "+
		"add them as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice\n", stderr.String())
}

func TestRootOfANamespaceWithTooFewIDsIsRefusedWithoutSudo(t *testing.T) {
	var ran []string
	var stderr bytes.Buffer
	partial := &userns.Unavailable{Reason: "running as root of a user namespace that maps user IDs 0-0 only, but an image needs 0-65535"}
	handled, code := fakeSystem(0, partial, true, &ran).ensurePrivilege([]string{"vm"}, nil, createOptions, &stderr)
	require.True(t, handled)
	assert.Equal(t, ExitBadInput, code)
	assert.Empty(t, ran)
	assert.Contains(t, stderr.String(), "maps user IDs 0-0 only")
}

func TestBadInputIsRefusedBeforeAnyPrivilegeIsSought(t *testing.T) {
	// Not parallel: it replaces the system the commands ask.
	var ran []string
	defer func(old privilege) { system = old }(system)
	system = fakeSystem(1000, noRanges, true, &ran)
	out := t.TempDir()
	code, _, stderr := createRun(t, nil, "-o", filepath.Join(out, "img"), "-t", "iso", "vm")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, `unknown output type "iso"`)
	code, _, stderr = ramdiskCmd(nil, "-o", filepath.Join(out, "rd"), "no-such-flavour")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, `flavour "no-such-flavour" not found`)
	assert.Empty(t, ran, "sudo was not even asked")

	code, _, _ = createRun(t, []string{"DIB_RELEASE=trixie", "http_proxy=http://proxy:3128"}, "-o", filepath.Join(out, "img"), "vm")
	assert.Equal(t, ExitFailure, code, "only reached when exec fails")
	assert.Contains(t, ran, "--preserve-env=DIB_RELEASE,http_proxy", "good input goes on to sudo")
	assert.Empty(t, entries(t, out), "nothing written")
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestTheSudoersRuleKeepsWhatTheOptionTablesRead(t *testing.T) {
	t.Parallel()
	rule, err := os.ReadFile("../../sudoers.d/diskimage-builder")
	require.NoError(t, err)
	var keep []string
	for _, m := range regexp.MustCompile(`env_keep \+= "([^"]*)"`).FindAllStringSubmatch(string(rule), -1) {
		keep = append(keep, strings.Fields(m[1])...)
	}
	keeps := func(k string) bool {
		return slices.ContainsFunc(keep, func(pattern string) bool { ok, _ := path.Match(pattern, k); return ok })
	}
	for _, opts := range [][]option{createOptions, ramdiskOptions} {
		for _, o := range opts {
			if o.env != "" {
				assert.True(t, keeps(o.env), "the rule keeps %s", o.env)
			}
		}
	}
	for _, k := range []string{"http_proxy", "HTTPS_PROXY", "no_proxy", "DIB_ANYTHING"} {
		assert.True(t, keeps(k), "the rule keeps %s, which hooks see", k)
		assert.True(t, kept(createOptions, k), "the command keeps %s", k)
	}
}
