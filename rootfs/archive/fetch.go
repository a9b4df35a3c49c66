package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Fetcher fetches and verifies the archive's state.
type Fetcher struct {
	Arch string
	// Keyrings are OpenPGP keyrings (binary or ASCII-armoured) that may
	// sign a suite's InRelease, besides the Debian archive's.
	Keyrings [][]byte
	// TmpDir is where the keyrings are written for gpgv while it runs.
	TmpDir string
	// ReadAs, when set, opens file: sources with the rights of the user
	// a build works for (through sudo), never root's.
	ReadAs func(func() error) error
}

// Fetch fetches each source's InRelease, verifies its signature with
// gpgv and the keyrings, and reads its Date and package indices. The
// suites are fetched at once. An error names the address that failed.
func (f Fetcher) Fetch(ctx context.Context, srcs []Source) (State, error) {
	rings, err := f.keyrings()
	if err != nil {
		return State{}, err
	}
	st := State{Suites: make([]Suite, len(srcs))}
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	for i, src := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.Suites[i], errs[i] = f.suite(ctx, src, rings)
		}()
	}
	wg.Wait()
	return st, errors.Join(errs...)
}

// suite fetches and reads one source's InRelease.
func (f Fetcher) suite(ctx context.Context, src Source, rings []string) (Suite, error) {
	u := src.URL("InRelease")
	var data []byte
	get := func() (err error) { data, err = Get(ctx, u, maxInRelease); return err }
	var err error
	if f.ReadAs != nil && strings.HasPrefix(u, "file:") {
		err = f.ReadAs(get)
	} else {
		err = get()
	}
	if err != nil {
		return Suite{}, err
	}
	text, err := verify(ctx, data, rings)
	if err != nil {
		return Suite{}, fmt.Errorf("%s: %w", u, err)
	}
	date, indices, err := ParseRelease(text, src.Components, f.Arch)
	if err != nil {
		return Suite{}, fmt.Errorf("%s: %w", u, err)
	}
	sum := sha256.Sum256(data)
	return Suite{URI: src.URI, Suite: src.Suite, Date: date, InRelease: hex.EncodeToString(sum[:]), Indices: indices}, nil
}

// maxInRelease bounds what is read of an InRelease (Debian's release one
// is about 150 KB).
const maxInRelease = 16 << 20

// keyrings writes the Debian archive's keyring and f's, each binary, into
// f.TmpDir and returns their paths.
func (f Fetcher) keyrings() ([]string, error) {
	var paths []string
	if _, err := os.Stat(DebianKeyring); err == nil {
		paths = append(paths, DebianKeyring)
	}
	for i, k := range f.Keyrings {
		bin, err := Dearmor(k)
		if err != nil {
			return nil, fmt.Errorf("DIB_APT_KEYRING: %w", err)
		}
		p := filepath.Join(f.TmpDir, "keyring-"+strconv.Itoa(i)+".gpg")
		if err := os.WriteFile(p, bin, 0o644); err != nil {
			return nil, fmt.Errorf("archive keyring: %w", err)
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no keyring to verify the archive with: install debian-archive-keyring (%s)", DebianKeyring)
	}
	return paths, nil
}

// verify checks an InRelease's signature with gpgv against rings and
// returns the signed text alone: nothing outside the signature is read.
func verify(ctx context.Context, data []byte, rings []string) ([]byte, error) {
	argv := []string{"gpgv", "--quiet", "--output", "-"}
	for _, r := range rings {
		argv = append(argv, "--keyring", r)
	}
	var out bytes.Buffer
	if _, err := run.Run(ctx, run.Cmd{Argv: append(argv, "-"), Stdin: bytes.NewReader(data), Stdout: &out,
		Env: []string{"LC_ALL=C", "PATH=/usr/bin:/bin"}}); err != nil {
		return nil, fmt.Errorf("its signature does not verify with the archive's keyring: %w", err)
	}
	return out.Bytes(), nil
}
