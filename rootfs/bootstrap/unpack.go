package bootstrap

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Unpack extracts a base tarball into dir, keeping owners, modes and
// extended attributes, and makes /dev if the tarball has none (a base has
// no device nodes: see mmdebstrap). A sealed tarball (see Seal) is checked
// as it is read: one whose bytes no longer match its seal is removed from
// the cache and reported, so that the next build makes it again.
func Unpack(ctx context.Context, tarball, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("unpack base: %w", err)
	}
	fh, err := os.Open(tarball)
	if err != nil {
		return fmt.Errorf("unpack base: %w", err)
	}
	defer fh.Close()
	var in io.Reader = fh
	var v *verifier
	if want, err := readSeal(tarball); err == nil {
		v = &verifier{r: fh, want: want, h: sha256.New()}
		in = v
	}
	_, err = run.Run(ctx, run.Cmd{Stdin: in, Argv: []string{"tar", "--zstd", "-xpf", "-", "-C", dir,
		"--numeric-owner", "--xattrs", "--xattrs-include=*"}})
	if v != nil {
		if _, derr := io.Copy(io.Discard, v); derr == nil && !v.check() {
			return fmt.Errorf("cached %s is corrupt (its bytes do not match its seal): %w", tarball,
				errors.Join(errCorrupt, Discard(tarball)))
		}
	}
	if err != nil {
		return fmt.Errorf("unpack base %s: %w", tarball, err)
	}
	if _, err := inroot.MkdirAll(dir, "/dev", 0o755); err != nil {
		return fmt.Errorf("unpack base %s: %w", tarball, err)
	}
	return nil
}
