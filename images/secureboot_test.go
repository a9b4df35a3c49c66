package images

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSecureBootIsTheDefaultAndUnsignedBootTurnsItOff(t *testing.T) {
	t.Parallel()
	for unsigned, want := range map[bool]bool{false: true, true: false} {
		p, err := Spec{Name: t.TempDir() + "/img", Flavours: []string{"vm"}, UnsignedBoot: unsigned}.Plan()
		if err != nil {
			t.Fatal(err)
		}
		assert.Equal(t, want, p.Disk.SecureBoot, "UnsignedBoot=%v", unsigned)
	}
}
