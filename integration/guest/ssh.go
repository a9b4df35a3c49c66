// Package guest logs in to a booted guest over ssh, as an operator or a
// provisioning tool does: with OpenSSH's client, a key pair made for the
// run, and the guest's host key learnt on the first login and required to
// stay the same afterwards (a reboot must not make new host keys).
package guest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Key is an ssh key pair in files.
type Key struct {
	Private string // path of the private key
	Public  string // the public key, one line, as authorized_keys holds it
}

// NewKey makes an ed25519 key pair without a passphrase in dir (named name
// and name.pub) with ssh-keygen.
func NewKey(ctx context.Context, dir, name string) (*Key, error) {
	priv := filepath.Join(dir, name)
	if _, err := run.Run(ctx, run.Cmd{Argv: []string{"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", priv}}); err != nil {
		return nil, fmt.Errorf("make ssh key %s: %w", priv, err)
	}
	pub, err := os.ReadFile(priv + ".pub")
	if err != nil {
		return nil, fmt.Errorf("make ssh key: %w", err)
	}
	return &Key{Private: priv, Public: strings.TrimSpace(string(pub))}, nil
}

// SSH logs in to a guest as User through a forward of the host's
// 127.0.0.1:Port to the guest's port 22.
type SSH struct {
	Port       int
	User       string
	Key        *Key
	KnownHosts string // file of the guest's host keys: learnt on first use, then required
}

// args is the ssh command line up to the destination. The host's and the
// user's ssh configuration are ignored (-F /dev/null).
func (s *SSH) args() []string {
	return []string{"ssh", "-F", "/dev/null", "-p", strconv.Itoa(s.Port), "-i", s.Key.Private,
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=20",
		"-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=" + s.KnownHosts,
		"-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=6", "-o", "LogLevel=ERROR",
		s.User + "@127.0.0.1"}
}

// Run runs script with sh on the guest (fed on standard input) and returns
// its standard output. A non-zero exit is an error that carries the end of
// its standard error.
func (s *SSH) Run(ctx context.Context, script string) (string, error) {
	return run.Run(ctx, run.Cmd{Argv: append(s.args(), "sh", "-s"), Stdin: strings.NewReader(script)})
}

// Wait logs in again and again until a login runs `true`, or timeout
// passes; it returns how long it took. Connections are refused or reset
// while the guest boots.
func (s *SSH) Wait(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		attempt, stop := context.WithTimeout(ctx, time.Minute)
		_, err := run.Run(attempt, run.Cmd{Argv: append(s.args(), "true")})
		stop()
		if err == nil {
			return time.Since(start), nil
		}
		last = err
		select {
		case <-ctx.Done():
			return time.Since(start), fmt.Errorf("ssh %s@127.0.0.1:%d: no login within %s: %w", s.User, s.Port, timeout, errors.Join(ctx.Err(), last))
		case <-time.After(2 * time.Second):
		}
	}
}
