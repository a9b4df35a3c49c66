// Package recipe decides whether an image recipe must run: it fingerprints
// everything that goes into a build (the spec, every file of the resolved
// flavours, the cached base it starts from) and keeps that fingerprint in
// NAME.inputs beside the outputs. A recipe whose fingerprint is unchanged
// and whose outputs all exist is up to date.
package recipe

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/images/bootstrap"
)

// InputsFile is where the fingerprint of spec's last build is kept.
func InputsFile(spec images.Spec) string { return spec.Name + ".inputs" }

// Inputs lists what a build of spec depends on, one "kind name value" line
// each, sorted: the spec's settings, the caller's variables that reach the
// hooks, every flavour file with its mode and hash, and the base cache key
// with the cached tarball's size and time.
func Inputs(spec images.Spec) ([]string, error) {
	types := spec.Types
	if len(types) == 0 {
		types = []string{"qcow2"}
	}
	base := baseOptions(spec)
	lines := []string{
		"spec flavours " + strings.Join(spec.Flavours, ","),
		"spec types " + strings.Join(types, ","),
		"spec packages " + strings.Join(spec.Packages, ","),
		"spec flavours-path " + strings.Join(spec.FlavoursPath, ":"),
		fmt.Sprintf("spec size %d", spec.Size),
		fmt.Sprintf("spec uncompressed %t", spec.Uncompressed),
		fmt.Sprintf("spec checksum %t", spec.Checksum),
		"base key " + base.Key(),
	}
	if fi, err := os.Stat(base.Path()); err == nil {
		lines = append(lines, fmt.Sprintf("base tarball %d %d", fi.Size(), fi.ModTime().UnixNano()))
	}
	for _, kv := range env(spec) {
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "DIB_") || strings.HasSuffix(strings.ToLower(k), "_proxy") {
			lines = append(lines, "env "+k+" "+v)
		}
	}
	set, err := flavours.Resolve(spec.Flavours, spec.FlavoursPath)
	if err != nil {
		return nil, fmt.Errorf("fingerprint %s: %w", spec.Name, err)
	}
	for _, f := range set.Flavours {
		files, err := flavourFiles(f)
		if err != nil {
			return nil, fmt.Errorf("fingerprint %s: %w", spec.Name, err)
		}
		lines = append(lines, files...)
	}
	slices.Sort(lines)
	return lines, nil
}

// flavourFiles is one "file FLAVOUR/PATH MODE SHA256" line a file of f.
func flavourFiles(f *flavours.Flavour) ([]string, error) {
	var lines []string
	err := fs.WalkDir(f.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(f.FS(), p)
		if err != nil {
			return fmt.Errorf("read %s/%s: %w", f.Dir, p, err)
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("stat %s/%s: %w", f.Dir, p, err)
		}
		sum := sha256.Sum256(data)
		lines = append(lines, fmt.Sprintf("file %s/%s %v %s", f.Name, p, info.Mode().Perm(), hex.EncodeToString(sum[:])))
		return nil
	})
	return lines, err
}

// baseOptions are the bootstrap options spec builds from, with the same
// defaults images.Build applies.
func baseOptions(spec images.Spec) bootstrap.Options {
	o := bootstrap.Options{Release: spec.Release, Arch: images.NormalizeArch(spec.Arch), Mirror: spec.Mirror, CacheDir: spec.CacheDir}
	if o.Release == "" {
		o.Release = bootstrap.DefaultRelease
	}
	if o.Arch == "" {
		o.Arch = "amd64"
	}
	if o.Mirror == "" {
		o.Mirror = bootstrap.HostMirror()
	}
	if o.CacheDir == "" {
		o.CacheDir = images.DefaultCacheDir()
	}
	return o
}

func env(spec images.Spec) []string {
	if spec.Env == nil {
		return os.Environ()
	}
	return spec.Env
}

// Check reports whether spec's outputs are up to date. When they are not,
// reason says why in a few words: a missing output or fingerprint, or the
// first input that changed.
func Check(spec images.Spec) (upToDate bool, reason string, err error) {
	types := spec.Types
	if len(types) == 0 {
		types = []string{"qcow2"}
	}
	for _, t := range types {
		if _, err := os.Stat(spec.Output(t)); err != nil {
			return false, spec.Output(t) + " does not exist", nil
		}
	}
	old, err := os.ReadFile(InputsFile(spec))
	if errors.Is(err, fs.ErrNotExist) {
		return false, InputsFile(spec) + " does not exist", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("read %s: %w", InputsFile(spec), err)
	}
	now, err := Inputs(spec)
	if err != nil {
		return false, "", err
	}
	if d := firstDifference(strings.Split(strings.TrimSpace(string(old)), "\n"), now); d != "" {
		return false, d, nil
	}
	return true, "", nil
}

// Record writes spec's fingerprint beside its outputs, after a build.
func Record(spec images.Spec) error {
	lines, err := Inputs(spec)
	if err != nil {
		return err
	}
	p := InputsFile(spec)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return nil
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
