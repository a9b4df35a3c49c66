package images

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tripleo/diskimage-builder/images/format"
)

// pending is an output written under a temporary name, not yet in place.
type pending struct {
	final string
	tmp   string
}

// writeOutputs writes every requested type under temporary names beside
// their destinations, then moves them all into place.
func (b *builder) writeOutputs(ctx context.Context) (err error) {
	var outs []pending
	defer func() {
		for _, p := range outs {
			if p.tmp != "" {
				os.Remove(p.tmp)
				b.jan.Forget(p.tmp)
			}
		}
	}()
	tmpFor := func(final string) (string, error) {
		fh, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".tmp-")
		if err != nil {
			return "", fmt.Errorf("output %s: %w", final, err)
		}
		fh.Close()
		b.jan.Add(fh.Name())
		outs = append(outs, pending{final: final, tmp: fh.Name()})
		return fh.Name(), nil
	}
	var raw string // the raw disk, made once for every disk type
	for _, t := range b.spec.Types {
		final := b.spec.Output(t)
		tmp, err := tmpFor(final)
		if err != nil {
			return err
		}
		b.logf("==> output %s", final)
		switch t {
		case "tar":
			err = format.Tar(ctx, b.rootDir, tmp)
		default:
			if raw == "" {
				if raw, err = b.makeDisk(ctx); err != nil {
					return err
				}
			}
			err = format.Convert(ctx, raw, tmp, t, !b.spec.Uncompressed)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", final, err)
		}
		if b.spec.Checksum {
			for _, sum := range []string{"sha256", "md5"} {
				ctmp, err := tmpFor(final + "." + sum)
				if err != nil {
					return err
				}
				if err := writeChecksum(tmp, filepath.Base(final), sum, ctmp); err != nil {
					return err
				}
			}
		}
	}
	stamp := time.Now().Format("20060102T150405")
	for i := range outs {
		p := &outs[i]
		if err := placeOutput(p.tmp, p.final, stamp, b.spec.Overwrite); err != nil {
			return err
		}
		b.jan.Forget(p.tmp)
		p.tmp = ""
		if filepath.Ext(p.final) != ".sha256" && filepath.Ext(p.final) != ".md5" {
			b.res.Outputs = append(b.res.Outputs, p.final)
		}
	}
	return nil
}

// placeOutput renames tmp to final; an existing final is renamed aside
// with the stamp unless overwrite is set.
func placeOutput(tmp, final, stamp string, overwrite bool) error {
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if _, err := os.Lstat(final); err == nil && !overwrite {
		aside := AsideName(final, stamp)
		if err := os.Rename(final, aside); err != nil {
			return fmt.Errorf("move old output %s aside: %w", final, err)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("put output in place: %w", err)
	}
	return nil
}

// AsideName is where an old output is moved when a build replaces it:
// "out/vm.qcow2" becomes "out/vm.qcow2.20261126T055501".
func AsideName(final, stamp string) string { return final + "." + stamp }

// writeChecksum writes "SUM  NAME\n" of file into dst, as sha256sum does.
func writeChecksum(file, name, kind, dst string) error {
	var h hash.Hash
	switch kind {
	case "sha256":
		h = sha256.New()
	case "md5":
		h = md5.New()
	default:
		return errors.New("unknown checksum " + kind)
	}
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	if _, err := io.Copy(h, fh); err != nil {
		return fmt.Errorf("checksum %s: %w", file, err)
	}
	return os.WriteFile(dst, []byte(hex.EncodeToString(h.Sum(nil))+"  "+name+"\n"), 0o644)
}
