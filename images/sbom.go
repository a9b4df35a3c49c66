package images

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tripleo/diskimage-builder/images/imageprops"
	"github.com/tripleo/diskimage-builder/sbom"
)

// writeSBOM writes the bill of materials of the outputs written so far
// (see package sbom) under a temporary name of the set: the image's
// packages, its flavours and every output's SHA-256.
func (w *writer) writeSBOM() error {
	b, err := w.bom()
	if err != nil {
		return fmt.Errorf("bill of materials: %w", err)
	}
	final := w.plan.Spec.Name + sbom.Ext
	tmp, err := w.set.Temp(final)
	if err != nil {
		return err
	}
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("bill of materials %s: %w", final, err)
	}
	err = b.Write(fh)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bill of materials %s: %w", final, err)
	}
	w.res.SBOM = final
	return nil
}

// bom is the bill of materials of this build's outputs.
func (w *writer) bom() (sbom.BOM, error) {
	rs := w.root.Plan.Spec
	b := sbom.BOM{Name: baseName(w.plan.Spec.Name), Release: rs.Release, Arch: rs.Arch, Epoch: w.root.Epoch,
		Archive: sbom.ArchiveOf(w.root.Archive), ImageVersion: sbom.ShortDigest(w.root.Fingerprint)}
	var err error
	if b.OSName, b.OSVersion, err = imageprops.OSRelease(w.root.Tree); err != nil {
		return b, err
	}
	if b.Packages, err = sbom.ReadPackages(w.root.Tree); err != nil {
		return b, err
	}
	if b.Flavours, err = sbom.FlavoursOf(w.root.Plan.Flavours); err != nil {
		return b, err
	}
	// The outputs are hashed at the same time: a raw disk and its
	// conversions are large.
	b.Outputs = make([]sbom.Output, len(w.jobs))
	errs := make([]error, len(w.jobs))
	var wg sync.WaitGroup
	for i, job := range w.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Outputs[i].Name = filepath.Base(job.final)
			b.Outputs[i].SHA256, errs[i] = sha256File(job.tmp)
		}()
	}
	wg.Wait()
	return b, errors.Join(errs...)
}

// addStamping counts d as time spent on reproducibility alone.
func (w *writer) addStamping(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stamping += d
}

// sha256File is the SHA-256 of the file at p, in hex.
func sha256File(p string) (string, error) {
	fh, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
