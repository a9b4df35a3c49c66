package archivetest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Validator checks one property of an archive.
type Validator interface {
	Validate(a *Archive) error
}

// Validate runs every validator and joins their errors.
func (a *Archive) Validate(vs ...Validator) error {
	var errs []error
	for _, v := range vs {
		errs = append(errs, v.Validate(a))
	}
	return errors.Join(errs...)
}

// Names returns the entry names in archive order, each with a leading slash.
func (a *Archive) Names() []string {
	out := make([]string, len(a.Entries))
	for i, e := range a.Entries {
		out[i] = "/" + e.Name
	}
	return out
}

func (a *Archive) get(p string, typ uint32) (Entry, error) {
	e, ok := a.ByName[path.Clean("/"+p)]
	if !ok {
		return e, fmt.Errorf("archive has no %s", p)
	}
	if typ != 0 && e.Mode&TypeMask != typ {
		return e, fmt.Errorf("archive entry %s has type %o, want %o", p, e.Mode&TypeMask, typ)
	}
	return e, nil
}

// HasFile checks that Path is a regular file.
type HasFile struct{ Path string }

// Validate checks a against the HasFile expectation.
func (v HasFile) Validate(a *Archive) error { _, err := a.get(v.Path, TypeReg); return err }

// HasDir checks that Path is a directory.
type HasDir struct{ Path string }

// Validate checks a against the HasDir expectation.
func (v HasDir) Validate(a *Archive) error { _, err := a.get(v.Path, TypeDir); return err }

// HasContent checks that Path is a regular file holding Content.
type HasContent struct{ Path, Content string }

// Validate checks a against the HasContent expectation.
func (v HasContent) Validate(a *Archive) error {
	e, err := a.get(v.Path, TypeReg)
	if err == nil && !bytes.Equal(e.Data, []byte(v.Content)) {
		err = fmt.Errorf("archive file %s holds %q, want %q", v.Path, clip(e.Data), clip([]byte(v.Content)))
	}
	return err
}

// HasSymlink checks that Path is a symlink to Target.
type HasSymlink struct{ Path, Target string }

// Validate checks a against the HasSymlink expectation.
func (v HasSymlink) Validate(a *Archive) error {
	e, err := a.get(v.Path, TypeSymlink)
	if err == nil && string(e.Data) != v.Target {
		err = fmt.Errorf("archive symlink %s points to %q, want %q", v.Path, e.Data, v.Target)
	}
	return err
}

// HasCharDevice checks that Path is a character device Major:Minor.
type HasCharDevice struct {
	Path         string
	Major, Minor uint32
}

// Validate checks a against the HasCharDevice expectation.
func (v HasCharDevice) Validate(a *Archive) error {
	e, err := a.get(v.Path, TypeChar)
	if err == nil && (e.Major != v.Major || e.Minor != v.Minor) {
		err = fmt.Errorf("archive device %s is %d:%d, want %d:%d", v.Path, e.Major, e.Minor, v.Major, v.Minor)
	}
	return err
}

// HasMode checks the permission and special bits of Path.
type HasMode struct {
	Path string
	Mode fs.FileMode
}

// Validate checks a against the HasMode expectation.
func (v HasMode) Validate(a *Archive) error {
	e, err := a.get(v.Path, 0)
	if err == nil && e.Perm() != v.Mode {
		err = fmt.Errorf("archive entry %s has mode %v, want %v", v.Path, e.Perm(), v.Mode)
	}
	return err
}

// MissingFile checks that there is no entry at Path.
type MissingFile struct{ Path string }

// Validate checks a against the MissingFile expectation.
func (v MissingFile) Validate(a *Archive) error {
	if _, ok := a.ByName[path.Clean("/"+v.Path)]; ok {
		return fmt.Errorf("archive has %s, want none", v.Path)
	}
	return nil
}

// ParentsFirst checks that every entry's parent directory comes before it,
// and that names are unique and sorted.
type ParentsFirst struct{}

// Validate checks a against the ParentsFirst expectation.
func (ParentsFirst) Validate(a *Archive) error {
	seen := map[string]bool{".": true}
	prev := ""
	for _, e := range a.Entries {
		if e.Name <= prev {
			return fmt.Errorf("archive entry %s comes after %s", e.Name, prev)
		}
		prev = e.Name
		if !seen[path.Dir(e.Name)] {
			return fmt.Errorf("archive entry %s comes before its parent", e.Name)
		}
		if e.Mode&TypeMask == TypeDir {
			seen[e.Name] = true
		}
	}
	return nil
}

// Owner checks that every entry is owned by UID:GID, has modification time
// MTime and that inode numbers are unique.
type Owner struct{ UID, GID, MTime uint32 }

// Validate checks a against the Owner expectation.
func (v Owner) Validate(a *Archive) error {
	inodes := map[uint32]string{}
	for _, e := range a.Entries {
		if e.UID != v.UID || e.GID != v.GID || e.MTime != v.MTime {
			return fmt.Errorf("archive entry %s is %d:%d at %d, want %d:%d at %d",
				e.Name, e.UID, e.GID, e.MTime, v.UID, v.GID, v.MTime)
		}
		if other, ok := inodes[e.Ino]; ok {
			return fmt.Errorf("archive entries %s and %s share inode %d", other, e.Name, e.Ino)
		}
		inodes[e.Ino] = e.Name
	}
	return nil
}

func clip(b []byte) string {
	s := string(b)
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}
