package userns

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
)

// Mode is how a process builds.
type Mode int

const (
	// Root builds in this process: it is root with every ID an image
	// needs (the host's root, or root of a namespace like ours).
	Root Mode = iota
	// Unprivileged builds as root of a user namespace made for the build.
	Unprivileged
)

// Files and settings Choose reads; tests point them elsewhere.
var (
	subUIDFile = "/etc/subuid"
	subGIDFile = "/etc/subgid"
	procDir    = "/proc"
)

// Choose says how this process builds: Root when it is root with IDs 0 to
// Size-1 mapped, Unprivileged (with the map to use) when it is not root
// and a user namespace with its subordinate IDs can be made, else an
// *Unavailable saying what is missing.
func Choose() (Mode, Map, error) {
	if os.Geteuid() == 0 {
		return Root, Map{}, CheckRoot()
	}
	m, err := Lookup()
	if err != nil {
		return Unprivileged, m, err
	}
	return Unprivileged, m, m.Probe()
}

// CheckRoot checks that this root process has every ID an image needs:
// root of a user namespace that maps fewer IDs (a rootless container
// without subordinate IDs) would make images with wrong owners, so it is
// an *Unavailable naming what the namespace maps.
func CheckRoot() error {
	for _, kind := range []string{"uid", "gid"} {
		data, err := os.ReadFile(procDir + "/self/" + kind + "_map")
		if err != nil {
			return fmt.Errorf("read %s map: %w", kind, err)
		}
		if n := mappedFromZero(string(data)); n < Size {
			return &Unavailable{
				Reason: fmt.Sprintf("running as root of a user namespace that maps %s 0-%d only, but an image needs 0-%d", plural(kind), n-1, Size-1),
				Fix:    fmt.Sprintf("run it where %d subordinate IDs are mapped (a container with an ID range of %d) or as a user with subordinate IDs", Size, Size),
			}
		}
	}
	return nil
}

func plural(kind string) string {
	if kind == "uid" {
		return "user IDs"
	}
	return "group IDs"
}

// mappedFromZero is how many IDs from 0 up a uid_map or gid_map maps
// without a gap.
func mappedFromZero(idMap string) int {
	type line struct{ inside, count int }
	var lines []line
	for _, l := range strings.Split(idMap, "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		in, err1 := strconv.ParseInt(f[0], 10, 64)
		n, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		lines = append(lines, line{int(min(in, 1<<32)), int(min(n, 1<<32))})
	}
	covered := 0
	for grew := true; grew; {
		grew = false
		for _, l := range lines {
			if l.inside <= covered && l.inside+l.count > covered {
				covered = l.inside + l.count
				grew = true
			}
		}
	}
	return covered
}

// Lookup finds the map of the user running this process: its first
// subordinate user and group ranges of at least Size IDs. Without them it
// is an *Unavailable with the usermod command that adds them (a range
// free in both files).
func Lookup() (Map, error) {
	m := Map{UID: os.Getuid(), GID: os.Getgid(), User: strconv.Itoa(os.Getuid())}
	if u, err := user.LookupId(m.User); err == nil {
		m.User = u.Username
	}
	for _, tool := range []string{"newuidmap", "newgidmap"} {
		if _, err := exec.LookPath(tool); err != nil {
			return m, &Unavailable{Reason: tool + " is missing", Fix: "install it as root: apt-get install uidmap"}
		}
	}
	var err error
	if m.SubUID, err = findRange(subUIDFile, m.User, m.UID); err == nil {
		m.SubGID, err = findRange(subGIDFile, m.User, m.UID)
	}
	if err != nil {
		free := FreeRange()
		return m, &Unavailable{Reason: err.Error(),
			Fix: fmt.Sprintf("add them as root: usermod --add-subuids %d-%d --add-subgids %d-%d %s",
				free, free+Size-1, free, free+Size-1, m.User)}
	}
	return m, nil
}

// findRange finds the first range of at least Size IDs for the user (by
// name or ID) in a subordinate ID file.
func findRange(file, name string, id int) (Range, error) {
	var small []string
	for _, e := range readSubIDs(file) {
		if e.owner != name && e.owner != strconv.Itoa(id) {
			continue
		}
		if e.Count >= Size {
			return e.Range, nil
		}
		small = append(small, strconv.Itoa(e.Count))
	}
	if len(small) > 0 {
		return Range{}, fmt.Errorf("%s gives %s only %s subordinate IDs, a build needs %d", file, name, strings.Join(small, "+"), Size)
	}
	return Range{}, fmt.Errorf("no subordinate IDs for %s in %s", name, file)
}

// subID is one line of /etc/subuid or /etc/subgid.
type subID struct {
	owner string
	Range
}

// readSubIDs reads the well-formed lines of a subordinate ID file; a
// missing file has none.
func readSubIDs(file string) []subID {
	fh, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer fh.Close()
	var out []subID
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(f) != 3 || strings.HasPrefix(f[0], "#") {
			continue
		}
		start, err1 := strconv.Atoi(f[1])
		count, err2 := strconv.Atoi(f[2])
		if err1 == nil && err2 == nil && start >= 0 && count > 0 {
			out = append(out, subID{f[0], Range{start, count}})
		}
	}
	return out
}

// FreeRange is the start of the first block of Size IDs from 100000 on
// (where useradd starts) that no line of /etc/subuid and /etc/subgid
// overlaps: a range to give a user.
func FreeRange() int {
	var used []Range
	for _, f := range []string{subUIDFile, subGIDFile} {
		for _, e := range readSubIDs(f) {
			used = append(used, e.Range)
		}
	}
	start := 100000
	for again := true; again; {
		again = false
		for _, r := range used {
			if r.Start < start+Size && start < r.Start+r.Count {
				start = r.Start + r.Count
				again = true
			}
		}
	}
	return start
}
