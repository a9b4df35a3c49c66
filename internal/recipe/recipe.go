// Package recipe decides whether an image recipe must run: it fingerprints
// everything that goes into a build (the spec, every file of the resolved
// flavours, the cached base it starts from) and keeps that fingerprint in
// NAME.inputs beside the outputs. A recipe whose fingerprint is unchanged
// and whose outputs all exist is up to date.
package recipe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/sys/outputs"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// InputsFile is where the fingerprint of the last build of p is kept.
func InputsFile(p *images.Plan) string { return p.Spec.Name + ".inputs" }

// Inputs lists what a build of p depends on, one "kind name value" line
// each, sorted: the spec's settings, the caller's variables that reach the
// hooks, every flavour file with its mode and hash, and the base cache key
// with the cached tarball's sha256 (see rootfs.Plan.Inputs).
func Inputs(p *images.Plan) ([]string, error) {
	spec := p.Spec
	tree, err := p.Root.Inputs()
	if err != nil {
		return nil, fmt.Errorf("fingerprint %s: %w", spec.Name, err)
	}
	lines := append([]string{
		"spec flavours " + strings.Join(spec.Flavours, ","),
		"spec types " + strings.Join(spec.Types, ","),
		"spec flavours-path " + strings.Join(spec.FlavoursPath, ":"),
		fmt.Sprintf("spec size %d", spec.Size),
		fmt.Sprintf("spec uncompressed %t", spec.Uncompressed),
		"spec qcow2-compression " + spec.QCOW2Compression,
		fmt.Sprintf("spec checksum %t", spec.Checksum),
		"spec seed " + spec.Seed,
	}, tree...)
	slices.Sort(lines)
	return lines, nil
}

// Check reports whether the outputs of p are up to date. When they are
// not, reason says why in a few words: a missing output or fingerprint,
// the first input that changed, or the archive, asked as a build would
// ask it (unless offline), which moved since the cached base was made.
func Check(ctx context.Context, p *images.Plan) (upToDate bool, reason string, err error) {
	spec := p.Spec
	for _, t := range spec.Types {
		if _, err := os.Stat(spec.Output(t)); err != nil {
			return false, spec.Output(t) + " does not exist", nil
		}
	}
	old, err := os.ReadFile(InputsFile(p))
	if errors.Is(err, fs.ErrNotExist) {
		return false, InputsFile(p) + " does not exist", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("read %s: %w", InputsFile(p), err)
	}
	now, err := Inputs(p)
	if err != nil {
		return false, "", err
	}
	if d := firstDifference(strings.Split(strings.TrimSpace(string(old)), "\n"), now); d != "" {
		return false, d, nil
	}
	if why, err := bootstrap.Stale(ctx, p.Root.Base()); err != nil || why != "" {
		return false, why, err
	}
	return true, "", nil
}

// Record writes the fingerprint of p beside its outputs, after a build.
func Record(p *images.Plan) (err error) {
	lines, err := Inputs(p)
	if err != nil {
		return err
	}
	set := outputs.NewSet(nil, nil)
	defer func() { err = errors.Join(err, set.Discard()) }()
	// Owner only: the record names the caller's variables (secrets in them
	// are redacted, but their other values are the caller's business).
	tmp, err := set.TempMode(InputsFile(p), 0o600)
	if err != nil {
		return err
	}
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", InputsFile(p), err)
	}
	return set.Place(true)
}

// firstDifference names the first input (in sorted order) that is new,
// changed or gone, or returns "" when old and now are the same.
func firstDifference(old, now []string) string {
	byKey := func(lines []string) map[string]string {
		m := map[string]string{}
		for _, l := range lines {
			if l != "" {
				m[key(l)] = l
			}
		}
		return m
	}
	o, n := byKey(old), byKey(now)
	keys := make([]string, 0, len(o)+len(n))
	for k := range o {
		keys = append(keys, k)
	}
	for k := range n {
		if _, ok := o[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		ol, inOld := o[k]
		nl, inNow := n[k]
		switch {
		case !inNow:
			return "input gone: " + k
		case !inOld:
			return "new input: " + k
		case ol != nl:
			return "changed: " + k
		}
	}
	return ""
}

// key is an input line without its value: its first two words.
func key(line string) string {
	f := strings.Fields(line)
	if len(f) > 2 {
		f = f[:2]
	}
	return strings.Join(f, " ")
}
