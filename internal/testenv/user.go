package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/sys/userns"
	"golang.org/x/sys/unix"
)

// BuildUser is the ordinary user the unprivileged tests build as: not
// root, not in group dib, no sudo rule, with subordinate ID ranges.
const BuildUser = "dib-build-test"

// User is a host user the tests run commands as.
type User struct {
	Name     string
	UID, GID int
	Home     string
	SubID    int // the first of its subordinate user and group IDs
}

// UnprivilegedUser returns BuildUser, creating it (with a home and
// subordinate user and group IDs) if this host has no such user yet. It
// needs root; concurrent test processes create it once.
func UnprivilegedUser(t testing.TB) *User {
	t.Helper()
	RequireRoot(t)
	RequireCommands(t, "useradd", "usermod", "newuidmap", "newgidmap")
	u, err := EnsureBuildUser()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// EnsureBuildUser is UnprivilegedUser for code that is not a test (the
// benchmark).
func EnsureBuildUser() (*User, error) {
	unlock, err := lockUsers()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := user.Lookup(BuildUser); err != nil {
		if _, err := run.Run(context.Background(), run.Cmd{Argv: []string{"useradd", "--create-home", "--shell", "/bin/sh", BuildUser}}); err != nil {
			return nil, fmt.Errorf("create the test user: %w", err)
		}
	}
	if subID(BuildUser, "/etc/subuid") < 0 || subID(BuildUser, "/etc/subgid") < 0 {
		free := userns.FreeRange()
		ids := fmt.Sprintf("%d-%d", free, free+userns.Size-1)
		argv := []string{"usermod", "--add-subuids", ids, "--add-subgids", ids, BuildUser}
		if _, err := run.Run(context.Background(), run.Cmd{Argv: argv}); err != nil {
			return nil, fmt.Errorf("give the test user subordinate IDs: %w", err)
		}
	}
	u, err := user.Lookup(BuildUser)
	if err != nil {
		return nil, fmt.Errorf("test user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &User{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir, SubID: subID(BuildUser, "/etc/subuid")}, nil
}

// subID is the start of name's first range in a subordinate ID file, -1
// when it has none.
func subID(name, file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Split(line, ":"); len(f) == 3 && f[0] == name {
			if n, err := strconv.Atoi(f[1]); err == nil {
				return n
			}
		}
	}
	return -1
}

// lockUsers serialises user creation between processes.
func lockUsers() (func(), error) {
	fh, err := os.OpenFile(filepath.Join(os.TempDir(), "dib-test-users.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock test users: %w", err)
	}
	if err := unix.Flock(int(fh.Fd()), unix.LOCK_EX); err != nil {
		fh.Close()
		return nil, fmt.Errorf("lock test users: %w", err)
	}
	return func() { fh.Close() }, nil
}

// userPath is Debian's PATH for an ordinary user's login (login.defs'
// ENV_PATH): no sbin directory, as a real user's build has.
const userPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"

// Command returns argv run as u: its IDs and no supplementary group, in
// its home, with a minimal environment (PATH, HOME, USER, LOGNAME) plus
// env.
func (u *User) Command(ctx context.Context, env []string, argv ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(u.UID), Gid: uint32(u.GID), Groups: []uint32{}}}
	cmd.Dir = u.Home
	cmd.Env = append([]string{"PATH=" + userPath,
		"HOME=" + u.Home, "USER=" + u.Name, "LOGNAME=" + u.Name}, env...)
	return cmd
}

// Dir makes a directory owned by u in t's temporary directory.
func (u *User) Dir(t testing.TB) string {
	t.Helper()
	d := filepath.Join(OpenTempDir(t), "as-"+u.Name)
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(d, u.UID, u.GID); err != nil {
		t.Fatal(err)
	}
	return d
}

// asUserVar marks a test binary run again as another user by RunTestAs.
const asUserVar = "DIB_TEST_AS_USER"

// AsUser reports whether this test binary was run by RunTestAs: a test
// that is only the user's half of another returns early unless it was.
func AsUser() bool { return os.Getenv(asUserVar) == "1" }

// RunTestAs runs the test named name of this test binary as u (a copy of
// the binary u may run), with env added, and returns its combined output
// and error.
func RunTestAs(t testing.TB, u *User, name string, env ...string) (string, error) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := Executable(t, self)
	cmd := u.Command(context.Background(), append(env, asUserVar+"=1"), bin, "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}
