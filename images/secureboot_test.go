package images

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDIBSecureBootIsOnUnlessZeroAndAnyOtherValueIsBadInput(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]bool{"": true, "DIB_SECURE_BOOT=1": true, "DIB_SECURE_BOOT=0": false, "DIB_SECURE_BOOT=": true} {
		got, err := secureBoot([]string{env})
		require.NoError(t, err, env)
		assert.Equal(t, want, got, env)
	}
	for _, v := range []string{"yes", "true", "2", " 1", "off"} {
		_, err := secureBoot([]string{"DIB_SECURE_BOOT=" + v})
		assert.ErrorContains(t, err, "want 1", v)
		s := Spec{Name: t.TempDir() + "/img", Flavours: []string{"vm"}, Env: []string{"DIB_SECURE_BOOT=" + v}}.withDefaults()
		assert.ErrorContains(t, s.Validate(), `DIB_SECURE_BOOT="`+v+`"`)
	}
}
