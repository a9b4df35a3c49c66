package cli

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeSystem is a user euid whose sudo rules allow or not, recording the
// command it would have re-run.
func fakeSystem(euid int, allowed bool, ran *[]string) privilege {
	return privilege{
		euid:       func() int { return euid },
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

func TestRootGoesOnWithoutSudo(t *testing.T) {
	var ran []string
	var stderr bytes.Buffer
	handled, _ := fakeSystem(0, true, &ran).ensureRoot([]string{"-o", "x", "vm"}, nil, createOptions, &stderr)
	assert.False(t, handled)
	assert.Empty(t, ran)
	assert.Empty(t, stderr.String())
}

func TestAUserTheRuleAllowsIsReRunThroughSudoKeepingProxiesAndOptions(t *testing.T) {
	var ran []string
	var stderr bytes.Buffer
	env := []string{"PATH=/usr/bin", "http_proxy=http://proxy:3128", "DIB_RELEASE=trixie", "IMAGE_SIZE=3", "SECRET=x", "NO_PROXY=local"}
	handled, code := fakeSystem(1000, true, &ran).ensureRoot([]string{"-o", "x", "vm"}, env, createOptions, &stderr)
	require.True(t, handled)
	assert.Equal(t, ExitFailure, code, "only reached when exec fails")
	assert.Equal(t, []string{
		"check /usr/bin/sudo /usr/local/bin/disk-image-create",
		"/usr/bin/sudo", "sudo", "-n", "--preserve-env=DIB_RELEASE,IMAGE_SIZE,NO_PROXY,http_proxy",
		"--", "/usr/local/bin/disk-image-create", "-o", "x", "vm",
	}, ran)
}

func TestAUserWithoutTheRuleIsToldExactlyWhatToDo(t *testing.T) {
	var ran []string
	var stderr bytes.Buffer
	handled, code := fakeSystem(1000, false, &ran).ensureRoot([]string{"vm"}, nil, createOptions, &stderr)
	require.True(t, handled)
	assert.Equal(t, ExitFailure, code)
	assert.Len(t, ran, 1, "only the sudo -l check ran")
	msg := stderr.String()
	assert.Contains(t, msg, "disk-image-create: building needs root")
	assert.Contains(t, msg, "root-equivalent")
	assert.Contains(t, msg, "./mage install:sudoers")
	assert.Contains(t, msg, "usermod -aG dib $USER")
	assert.Contains(t, msg, "sudo disk-image-create")
}
