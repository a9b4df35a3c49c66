package ramdisk

import (
	"context"
	"io"

	"github.com/tripleo/diskimage-builder/rootfs"
)

// buildRole is a whole ramdisk build from a target root run as root of a
// user namespace.
const buildRole = "ramdisk-build"

func init() {
	rootfs.RegisterUserNamespaceBuild(buildRole, func(s *Spec, log io.Writer) { s.Log = log }, Build)
}

// buildInUserNamespace runs the build in a child process that is root of
// a user namespace of this user.
func (p *Plan) buildInUserNamespace(ctx context.Context) (*Result, error) {
	s := p.Spec
	s.Log = nil
	res := &Result{}
	err := rootfs.InUserNamespace(ctx, buildRole, s, res, p.Spec.Log, false)
	return res, err
}
