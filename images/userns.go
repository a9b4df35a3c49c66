package images

import (
	"context"
	"io"

	"github.com/tripleo/diskimage-builder/rootfs"
)

// buildRole is a whole image build run as root of a user namespace.
const buildRole = "images-build"

func init() {
	rootfs.RegisterUserNamespaceBuild(buildRole, func(s *Spec, log io.Writer) { s.Log = log }, Build)
}

// buildInUserNamespace runs the build in a child process that is root of
// a user namespace of this user.
func (p *Plan) buildInUserNamespace(ctx context.Context) (*Result, error) {
	s := p.Spec
	s.Log = nil
	res := &Result{}
	err := rootfs.InUserNamespace(ctx, buildRole, s, res, p.Spec.Log, len(s.Break) > 0)
	return res, err
}
