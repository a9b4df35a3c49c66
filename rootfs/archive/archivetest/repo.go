// Package archivetest makes signed apt repositories for tests: a
// throw-away OpenPGP key (gpg, in the test's directory), packages built
// with dpkg-deb, indices written by apt-ftparchive and an InRelease signed
// with the key, served over HTTP on loopback.
package archivetest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// TB is what of TB the helpers use, so that benchmarks outside
// tests can use them too.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

// Signer is a throw-away signing key.
type Signer struct {
	home string // GNUPGHOME
}

// Commands are the programs the helpers run: a test requires them first.
var Commands = []string{"gpg", "gpgconf", "dpkg-deb", "apt-ftparchive"}

// NewSigner makes a key without a passphrase in a directory of t.
func NewSigner(t TB) *Signer {
	t.Helper()
	// A short path: gpg-agent's socket lives in it (108 bytes at most).
	home, err := os.MkdirTemp("", "dibgpg")
	if err != nil {
		t.Fatal(err)
	}
	s := &Signer{home: home}
	t.Cleanup(func() {
		exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
		os.RemoveAll(home)
	})
	s.gpg(t, nil, "--quick-gen-key", "--passphrase", "", "dib test repository <dib-test@localhost>", "ed25519", "sign", "never")
	return s
}

// gpg runs gpg in the signer's home with argv, input as its stdin, and
// returns its stdout.
func (s *Signer) gpg(t TB, input []byte, argv ...string) []byte {
	t.Helper()
	cmd := exec.Command("gpg", append([]string{"--batch", "--quiet", "--pinentry-mode", "loopback", "--homedir", s.home}, argv...)...)
	if input != nil {
		cmd.Stdin = strings.NewReader(string(input))
	}
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("gpg %v: %v: %s", argv, err, stderr)
	}
	return out
}

// Keyring is the public key, as a binary keyring; armoured with armor.
func (s *Signer) Keyring(t TB, armor bool) []byte {
	t.Helper()
	if armor {
		return s.gpg(t, nil, "--armor", "--export")
	}
	return s.gpg(t, nil, "--export")
}

// ClearSign signs text inline, as an InRelease is.
func (s *Signer) ClearSign(t TB, text []byte) []byte {
	t.Helper()
	return s.gpg(t, text, "--clearsign", "--digest-algo", "SHA256")
}

// Repo is an apt repository in a directory of a test, served over HTTP.
type Repo struct {
	Dir    string // dists/ and pool/
	URL    string // its address, http://127.0.0.1:PORT
	signer *Signer
}

// NewRepo serves an empty repository signed by s until t ends.
func NewRepo(t TB, s *Signer) *Repo {
	t.Helper()
	dir := t.TempDir()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return &Repo{Dir: dir, URL: srv.URL, signer: s}
}

// AddPackage builds a tiny package NAME of VERSION (architecture all,
// holding /usr/share/doc/NAME/version) into the pool.
func (r *Repo) AddPackage(t TB, name, version string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), name)
	for rel, content := range map[string]string{
		"DEBIAN/control": fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: dib tests <dib-test@localhost>\n"+
			"Section: misc\nPriority: optional\nDescription: test package of diskimage-builder\n", name, version),
		"usr/share/doc/" + name + "/version": version + "\n",
	} {
		p := filepath.Join(src, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pool := filepath.Join(r.Dir, "pool", "main")
	if err := os.MkdirAll(pool, 0o755); err != nil {
		t.Fatal(err)
	}
	deb := filepath.Join(pool, name+"_"+version+"_all.deb")
	r.run(t, "", "dpkg-deb", "--root-owner-group", "--build", src, deb)
}

// Publish writes the indices of suite (component main, for arch and all)
// from the pool and signs its InRelease.
func (r *Repo) Publish(t TB, suite, arch string) {
	t.Helper()
	dists := filepath.Join(r.Dir, "dists", suite)
	for _, a := range []string{arch, "all"} {
		bin := filepath.Join(dists, "main", "binary-"+a)
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		out := r.run(t, r.Dir, "apt-ftparchive", "packages", "pool/main")
		if err := os.WriteFile(filepath.Join(bin, "Packages"), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	release := r.run(t, dists, "apt-ftparchive",
		"-o", "APT::FTPArchive::Release::Suite="+suite, "-o", "APT::FTPArchive::Release::Codename="+suite,
		"-o", "APT::FTPArchive::Release::Architectures="+arch+" all", "-o", "APT::FTPArchive::Release::Components=main",
		"release", ".")
	if err := os.WriteFile(filepath.Join(dists, "InRelease"), r.signer.ClearSign(t, []byte(release)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Line is the repository's one-line apt source of suite.
func (r *Repo) Line(suite string) string { return "deb " + r.URL + " " + suite + " main" }

func (r *Repo) run(t TB, dir string, argv ...string) string {
	t.Helper()
	out, err := run.Run(context.Background(), run.Cmd{Argv: argv, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
