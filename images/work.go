package images

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/flavours"
)

// Work is what BuildRoot hands to its caller once the root is built.
type Work struct {
	Root     string        // the image root tree
	Flavours *flavours.Set // the resolved flavours
	Spec     Spec          // the spec, defaults filled in
	Log      io.Writer
	b        *builder
}

// TempFile creates an empty temporary file beside final, which is removed
// if the build fails or is killed; the caller renames it into place.
func (w *Work) TempFile(final string) (string, error) {
	fh, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("output %s: %w", final, err)
	}
	fh.Close()
	w.b.jan.Add(fh.Name())
	return fh.Name(), nil
}

// Placed tells the build that a temporary file was renamed into place.
func (w *Work) Placed(tmp, final string) {
	w.b.jan.Forget(tmp)
	w.b.res.Outputs = append(w.b.res.Outputs, final)
}

// BuildRoot runs the phases that make a root tree (bootstrap, extra-data,
// pre-install, packages, install, post-install) like Build, then calls
// finish with the tree in place of the disk phases. The ramdisk pipeline
// uses it. Spec.Types is ignored.
//
// The built root is cached (under CacheDir/roots), keyed by the base, the
// packages, the caller's DIB_* and proxy variables and the content of
// every flavour: a later build with the same inputs unpacks it and skips
// the hook phases. Spec.NoRootCache turns that off, for hooks whose
// result depends on something else (the network, the time).
func BuildRoot(ctx context.Context, spec Spec, finish func(context.Context, *Work) error) (*Result, error) {
	if len(spec.Types) == 0 {
		spec.Types = []string{"tar"}
	}
	return build(ctx, spec, finish)
}

func (b *builder) runFinish(ctx context.Context) error {
	if !b.cached {
		if err := b.root.Restore(); err != nil {
			return err
		}
		if b.rootKey != "" {
			if err := b.saveRoot(ctx, b.rootKey); err != nil {
				return err
			}
		}
	}
	w := &Work{Root: b.rootDir, Flavours: b.set, Spec: b.spec, Log: b.log, b: b}
	return b.finish(ctx, w)
}
