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
	"strings"
	"sync"
	"time"

	"github.com/tripleo/diskimage-builder/images/format"
	"github.com/tripleo/diskimage-builder/images/imageprops"
)

// pending is an output written under a temporary name, not yet in place.
type pending struct {
	final string
	tmp   string
}

// writeOutputs writes every requested type under temporary names beside
// their destinations, then moves them all into place. The raw disk is made
// once; then the conversions, tars and checksums, which only read it and
// the tree, run at the same time. A tar listed before every disk type is
// written before the disk is made, as it does not hold the boot files the
// disk writes into the tree.
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
	compression := format.None
	if !b.spec.Uncompressed {
		if compression, err = format.ParseCompression(b.spec.QCOW2Compression); err != nil {
			return err
		}
	}
	var early, late []outputJob // before and after the disk is made
	for _, t := range b.spec.Types {
		job := outputJob{typ: t, final: b.spec.Output(t)}
		if job.tmp, err = tmpFor(job.final); err != nil {
			return err
		}
		if b.spec.Checksum {
			for _, sum := range checksums {
				ctmp, err := tmpFor(job.final + "." + sum)
				if err != nil {
					return err
				}
				job.sums = append(job.sums, ctmp)
			}
		}
		if t != "tar" {
			if job.props, err = tmpFor(job.final + imageprops.Suffix); err != nil {
				return err
			}
		}
		if t == "tar" && len(late) == 0 {
			early = append(early, job)
		} else {
			late = append(late, job)
		}
	}
	if err := b.runOutputJobs(ctx, early, "", compression); err != nil {
		return err
	}
	if len(late) > 0 {
		raw, err := b.makeDisk(ctx)
		if err != nil {
			return err
		}
		if err := b.runOutputJobs(ctx, late, raw, compression); err != nil {
			return err
		}
		if err := b.writeProperties(late); err != nil {
			return err
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
		if ext := filepath.Ext(p.final); ext != ".sha256" && ext != ".md5" && !strings.HasSuffix(p.final, imageprops.Suffix) {
			b.res.Outputs = append(b.res.Outputs, p.final)
		}
	}
	return nil
}

// checksums are the kinds of checksum files written with Spec.Checksum, in
// the order of their temporary files in outputJob.sums.
var checksums = []string{"sha256", "md5"}

// outputJob is one output to write into its temporary file, with its
// checksum files.
type outputJob struct {
	typ, final, tmp string
	sums            []string // temporary checksum files, as checksums
	props           string   // temporary image properties file (disk types)
}

// runOutputJobs writes jobs at the same time (converting from raw for the
// disk types); the first failure cancels the others and is returned.
func (b *builder) runOutputJobs(ctx context.Context, jobs []outputJob, raw string, c format.Compression) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, job := range jobs {
		b.logf("==> output %s", job.final)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.writeOutput(ctx, job, raw, c); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return first
}

// writeOutput writes one output and its checksums.
func (b *builder) writeOutput(ctx context.Context, job outputJob, raw string, c format.Compression) error {
	var err error
	if job.typ == "tar" {
		err = format.Tar(ctx, b.rootDir, job.tmp)
	} else {
		err = format.Convert(ctx, raw, job.tmp, job.typ, c)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", job.final, err)
	}
	for i, ctmp := range job.sums {
		if err := writeChecksum(job.tmp, filepath.Base(job.final), checksums[i], ctmp); err != nil {
			return err
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
