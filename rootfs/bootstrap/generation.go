package bootstrap

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/rootfs/archive"
)

// A base is cached in generations: KEY-GEN.tar.zst, each with its seal
// (.sum) and the archive state it was made from (.archive), GEN a digest
// of that state. KEY.current names the generation builds take. A new
// generation (an upgrade, or a base made again) is complete, sealed and
// synced before the pointer is replaced, and a generation is never
// changed once placed: a build that took the previous one unpacks it
// while the next is made, which is why the previous generation is kept
// until the one after it is placed.

// ArchiveState is the archive state the cached base at entry was made
// from.
func ArchiveState(entry string) (archive.State, error) { return archive.Read(statePath(entry)) }

// statePath is where the archive state of the entry at p is kept.
func statePath(entry string) string { return entry + ".archive" }

// generationRE is what a generation's file name looks like.
var generationRE = regexp.MustCompile(`^[a-z0-9.+_-]+-[a-z0-9_]+-[0-9a-f]{16}-[0-9a-f]{12}\.tar\.zst$`)

// maxPointer bounds what is read of a pointer file.
const maxPointer = 256

// readPointer reads the generation name in the pointer file p, which must
// be a generation of the base key.
func readPointer(p, key string) (string, error) {
	fh, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	buf := make([]byte, maxPointer)
	n, _ := fh.Read(buf)
	name := strings.TrimSpace(string(buf[:n]))
	if !generationRE.MatchString(name) || !strings.HasPrefix(name, key+"-") {
		return "", fmt.Errorf("base pointer %s: malformed", p)
	}
	return name, nil
}

// place moves the tarball at tmp into the cache as a new generation of
// o's base, made from state, and makes it the current one. It returns its
// path.
func place(o Options, tmp string, state archive.State) (string, error) {
	sum := sha256.Sum256(state.JSON())
	name := o.Key() + "-" + hex.EncodeToString(sum[:])[:12] + ".tar.zst"
	final := filepath.Join(o.baseDir(), name)
	prev := o.Path()
	if err := os.MkdirAll(o.baseDir(), 0o755); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	if err := Discard(final); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	if err := writeSynced(statePath(final), state.JSON()); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	if err := Seal(final, state.Epoch()); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	if err := writeSynced(o.pointer(), []byte(name+"\n")); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	return final, prune(o, final, prev)
}

// prune removes the generations of o's base but keep and prev.
func prune(o Options, keep, prev string) error {
	entries, _ := filepath.Glob(filepath.Join(o.baseDir(), o.Key()+"-*.tar.zst"))
	sort.Strings(entries)
	var errs []error
	for _, e := range entries {
		if e == keep || e == prev || !generationRE.MatchString(filepath.Base(e)) {
			continue
		}
		errs = append(errs, Discard(e))
	}
	return errors.Join(errs...)
}
