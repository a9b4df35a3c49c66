package run

import (
	"context"
	"io"
)

// traceKey is the context key of the trace writer.
type traceKey struct{}

// WithTrace returns a context under which Run writes every command it
// starts to w before starting it, as "+ ARGV" with ARGV quoted so that it
// can be pasted into a shell: what -x promises. A nil w turns tracing off.
func WithTrace(ctx context.Context, w io.Writer) context.Context {
	return context.WithValue(ctx, traceKey{}, w)
}

// Tracer returns the writer commands run under ctx are traced to, or nil.
func Tracer(ctx context.Context) io.Writer {
	w, _ := ctx.Value(traceKey{}).(io.Writer)
	return w
}
