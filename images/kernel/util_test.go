package kernel

import (
	"math/rand/v2"
	"strconv"
)

// randomBytes returns n bytes of deterministic noise.
func randomBytes(n int) []byte {
	var seed [32]byte
	copy(seed[:], strconv.Itoa(n))
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(seed).Read(b)
	return b
}

func itoa(i int) string { return strconv.Itoa(i) }
