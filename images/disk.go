package images

import (
	"context"
	"errors"
)

// makeDisk writes the raw disk image from the root tree and returns its
// path inside the build directory.
func (b *builder) makeDisk(ctx context.Context) (string, error) {
	return "", errors.New("disk images are not built yet: use -t tar")
}
