package initscript

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fragmentHarness is the library, stubs for what would touch the machine,
// the fragments, and a last line showing the state.
func fragmentHarness(fragments ...Fragment) string {
	return string(libSh) + `
troubleshoot() { echo "TROUBLESHOOT: $1"; }
reboot() { echo REBOOT; exit 0; }
` + string(fragmentsScript(fragments)) + `echo "END failed=[$INIT_FAILED] kept=[${KEPT-}]"
`
}

func TestAFailingCommandEndsItsFragmentAndSkipsTheRest(t *testing.T) {
	t.Parallel()
	script := fragmentHarness(
		Fragment{Flavour: "one", Body: []byte("echo one; KEPT=\"it's kept\"; keep KEPT\n")},
		Fragment{Flavour: "two", Body: []byte("echo two\nfalse\necho after-false\n")},
		Fragment{Flavour: "three", Body: []byte("echo three\n")},
	)
	for _, sh := range shells(t) {
		out, err := runScript(t, sh, script, "INIT_ENV="+filepath.Join(t.TempDir(), "env"))
		require.NoError(t, err, "%v: %s", sh, out)
		assert.Contains(t, out, "one\ntwo\nERROR: init fragment from two failed with status 1\n", sh)
		assert.Contains(t, out, "TROUBLESHOOT: init fragment from two failed with status 1\n", sh)
		assert.NotContains(t, out, "after-false", sh)
		assert.NotContains(t, out, "three", sh)
		assert.Contains(t, out, "END failed=[init fragment from two failed with status 1] kept=[it's kept]", sh)
	}
}

func TestFailNamesWhatFailed(t *testing.T) {
	t.Parallel()
	script := fragmentHarness(
		Fragment{Flavour: "deploy", Body: []byte("[ -n \"$ISCSI_TARGET_IQN\" ] || fail \"iscsi_target_iqn is not set\"\necho not-reached\n")},
	)
	for _, sh := range shells(t) {
		out, err := runScript(t, sh, script, "INIT_ENV="+filepath.Join(t.TempDir(), "env"))
		require.NoError(t, err, "%v: %s", sh, out)
		assert.Contains(t, out, "ERROR: iscsi_target_iqn is not set\nERROR: init fragment from deploy failed with status 1\n", sh)
		assert.NotContains(t, out, "not-reached", sh)
	}
}

func TestFailOutsideAFragmentOpensAShellThenReboots(t *testing.T) {
	t.Parallel()
	script := string(libSh) + `
troubleshoot() { echo "TROUBLESHOOT: $1"; }
reboot() { echo "REBOOT $*"; exit 0; }
sync() { :; }
fail "no network interface found"
echo not-reached
`
	for _, sh := range shells(t) {
		out, err := runScript(t, sh, script)
		require.NoError(t, err, "%v: %s", sh, out)
		assert.Contains(t, out, "ERROR: no network interface found\nTROUBLESHOOT: no network interface found\n", sh)
		assert.Contains(t, out, "REBOOT -f", sh)
		assert.NotContains(t, out, "not-reached", sh)
	}
}

func TestSuccessfulFragmentsAllRunAndExitZeroEndsOneEarly(t *testing.T) {
	t.Parallel()
	script := fragmentHarness(
		Fragment{Flavour: "a", Body: []byte("echo a\nexit 0\necho not-reached\n")},
		Fragment{Flavour: "b", Body: []byte("if false; then echo no; fi\necho b\n")},
	)
	for _, sh := range shells(t) {
		out, err := runScript(t, sh, script, "INIT_ENV="+filepath.Join(t.TempDir(), "env"))
		require.NoError(t, err, "%v: %s", sh, out)
		assert.Equal(t, "a\nb\nEND failed=[] kept=[]\n", out, sh)
		assert.False(t, strings.Contains(out, "TROUBLESHOOT"))
	}
}
