package ramdisk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// buildRole is a whole ramdisk build from a target root run as root of a user namespace.
const buildRole = "ramdisk-build"

func init() {
	reexec.Register(buildRole, func() int {
		return rootfs.ServeInUserNamespace(func(ctx context.Context, data []byte, log io.Writer) (any, error) {
			var s Spec
			if err := json.Unmarshal(data, &s); err != nil {
				return nil, fmt.Errorf("decode build spec: %w", err)
			}
			s.Log = log
			return Build(ctx, s)
		})
	})
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
