package rootfs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/tripleo/diskimage-builder/elements"
	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// Plan is a Spec checked, with its defaults filled in and its flavours
// resolved: everything a build needs to know before it starts. Spec.Plan
// makes one; Build carries it out.
type Plan struct {
	Spec     Spec          // the spec, defaults filled in
	Flavours *flavours.Set // the flavours, ordered, their hooks checked
	// PackageInstalls are the entries of the elements' package-installs
	// files, read and checked.
	PackageInstalls []elements.PackageEntry
	// keyring is the content of Spec.Apt.Keyring, read at plan time.
	keyring []byte
}

// Plan fills in s's defaults, checks it and resolves its flavours, reading
// files only. Anything wrong is an *InputError.
func (s Spec) Plan() (*Plan, error) {
	cacheNamed := s.CacheDir != ""
	s = s.withDefaults()
	if err := s.validate(); err != nil {
		return nil, &InputError{err}
	}
	if err := s.checkOwnerDirs(cacheNamed); err != nil {
		return nil, &InputError{err}
	}
	// The flavours and elements are read with the caller's rights: a link
	// in them to a file only root may read is refused, never read for the
	// caller (its lines would reach errors and the log).
	var p *Plan
	err := s.Owner.Do(func() (err error) {
		p, err = resolve(s)
		return err
	})
	if err != nil {
		return nil, &InputError{err}
	}
	if err := s.checkFileSources(); err != nil {
		return nil, &InputError{err}
	}
	if s.Apt.Keyring != "" {
		// The caller's file, read with the caller's rights.
		if err := s.Owner.Do(func() (err error) { p.keyring, err = archive.ReadKeyring(s.Apt.Keyring); return err }); err != nil {
			return nil, &InputError{err}
		}
	}
	if s.Owner != nil {
		// Root copies the flavours into the build: only what the caller
		// may read (WriteTree reads them with the caller's rights too).
		if err := p.Flavours.CheckReadable(s.Owner.Do); err != nil {
			return nil, &InputError{fmt.Errorf("%w (as %s)", err, s.Owner)}
		}
	}
	return p, nil
}

// Base is the base root the build starts from: its release, architecture
// and mirror, and the bootstrap-packages of its flavours.
func (p *Plan) Base() bootstrap.Options {
	s := p.Spec
	srcs, _ := s.archiveConfig().Sources() // checked by validate
	return bootstrap.Options{Release: s.Release, Arch: s.Arch, Mirror: s.Mirror,
		CacheDir: s.CacheDir, Packages: p.Flavours.BootstrapPackages(), Components: s.Components,
		Sources: srcs, Keyring: p.keyring, Offline: s.Offline, ReadAs: s.Owner.DoFunc()}
}

// Fingerprint is a hash of Inputs, in hex: the same inputs give the same
// fingerprint. The root cache is keyed by it.
func (p *Plan) Fingerprint() (string, error) {
	lines, err := p.Inputs()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:]), nil
}

// SetLog sends the build's progress and hook output to w.
func (p *Plan) SetLog(w io.Writer) { p.Spec.Log = w }

// Traced returns ctx, under which every command run is written to the
// build's log (see run.WithTrace) when the spec asks for tracing (-x).
// Build and the output stages run under it.
func (p *Plan) Traced(ctx context.Context) context.Context {
	if !p.Spec.Trace {
		return ctx
	}
	return run.WithTrace(ctx, p.Spec.Log)
}
