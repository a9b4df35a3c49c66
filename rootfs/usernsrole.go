package rootfs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
)

// RegisterUserNamespaceBuild registers role, the body of a child that
// InUserNamespace starts: it decodes a spec of type S, gives it the log
// with setLog and runs build on it. An output stage calls it from init
// with its own Spec and Build.
func RegisterUserNamespaceBuild[S, R any](role string, setLog func(*S, io.Writer), build func(context.Context, S) (R, error)) {
	reexec.Register(role, func() int {
		return ServeInUserNamespace(func(ctx context.Context, data []byte, log io.Writer) (any, error) {
			var s S
			if err := json.Unmarshal(data, &s); err != nil {
				return nil, fmt.Errorf("decode build spec: %w", err)
			}
			setLog(&s, log)
			return build(ctx, s)
		})
	})
}
