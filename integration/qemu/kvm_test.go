package qemu

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestAccelEnvironmentVariableOverridesTheProbe(t *testing.T) {
	t.Setenv(AccelEnv, "tcg")
	accel, reason, err := Accel()
	require.NoError(t, err)
	assert.Equal(t, "tcg", accel)
	assert.Equal(t, "DIB_QEMU_ACCEL=tcg", reason)

	t.Setenv(AccelEnv, "hvf")
	_, _, err = Accel()
	require.ErrorContains(t, err, `DIB_QEMU_ACCEL="hvf": want kvm or tcg`)
}

func TestProbeBootSeesSeaBIOSFinishUnderTCG(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, DefaultBinary)
	require.NoError(t, probeBoot(DefaultBinary, "tcg", ""), "the probe guest must pass where guests run")
	require.NoError(t, probeBoot(DefaultBinary, "tcg", "q35,smm=on"), "TCG gives System Management Mode")
}

// A Secure Boot guest (System Management Mode) runs under KVM only where
// KVM gives SMM; a nested KVM that runs guests may refuse it.
func TestASecureBootGuestGetsKVMOnlyWhenKVMGivesSystemManagementMode(t *testing.T) {
	testenv.RequireCommands(t, DefaultBinary)
	plain, _, err := AccelFor(false)
	require.NoError(t, err)
	sb, reason, err := AccelFor(true)
	require.NoError(t, err)
	smm, _ := smmProbe()
	switch {
	case plain == "tcg":
		assert.Equal(t, "tcg", sb)
	case smm:
		assert.Equal(t, "kvm", sb, reason)
	default:
		assert.Equal(t, "tcg", sb)
		assert.Contains(t, reason, "System Management Mode")
	}
	t.Setenv(AccelEnv, "kvm")
	forced, _, err := AccelFor(true)
	require.NoError(t, err)
	assert.Equal(t, "kvm", forced, "DIB_QEMU_ACCEL is obeyed as it is")
}

func TestProbeBootFailsWhenTheGuestHangs(t *testing.T) {
	t.Parallel()
	hung := fakeQEMU(t, `echo 'SeaBIOS (version 1.16)'; exec sleep 60`)
	start := time.Now()
	err := probeBoot(hung, "kvm", "")
	require.ErrorContains(t, err, "SeaBIOS did not finish under kvm within 3s")
	assert.Less(t, time.Since(start), probeTimeout+10*time.Second)
}

func TestProbeBootFailsWhenSeaBIOSNeverFinishes(t *testing.T) {
	t.Parallel()
	quiet := fakeQEMU(t, `echo 'SeaBIOS (version 1.16)'`)
	require.ErrorContains(t, probeBoot(quiet, "kvm", ""), `never printed "No bootable device"`)
}

func TestKVMProbeAnswersWithinSeconds(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, DefaultBinary)
	start := time.Now()
	ok, reason := kvmProbe()
	t.Logf("KVMUsable=%v: %s (%s)", ok, reason, time.Since(start).Round(time.Millisecond))
	assert.NotEmpty(t, reason)
	assert.Equal(t, ok, KVMUsable(), "the answer is cached")
	assert.Less(t, time.Since(start), probeTimeout+15*time.Second)
}
