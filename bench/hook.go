package bench

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
)

// vmHook primes the warm cache and copies the vm flavour along a new
// flavours path, whose hook a warm scenario changes before each run: the
// path, the hook, and its original content.
func (r *runner) vmHook(ctx context.Context) (fp, hook string, orig []byte, err error) {
	if err := r.prime(ctx); err != nil {
		return "", "", nil, err
	}
	if fp, err = r.mkdir("flavours-"); err != nil {
		return "", "", nil, err
	}
	if hook, err = copyFlavour("vm", fp); err != nil {
		return "", "", nil, err
	}
	if orig, err = os.ReadFile(hook); err != nil {
		return "", "", nil, fmt.Errorf("read hook %s: %w", hook, err)
	}
	return fp, hook, orig, nil
}

// copyFlavour writes the built-in flavour name into dir/name and returns
// the path of its first install.d hook.
func copyFlavour(name, dir string) (string, error) {
	set, err := flavours.Resolve([]string{name}, nil)
	if err != nil {
		return "", err
	}
	var f *flavours.Flavour
	for _, x := range set.Flavours {
		if x.Name == name {
			f = x
		}
	}
	dst := filepath.Join(dir, name)
	var hook string
	err = fs.WalkDir(f.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		to := filepath.Join(dst, p)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := fs.ReadFile(f.FS(), p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if strings.Contains(p, ".d/") {
			mode = 0o755
			if hook == "" && strings.HasPrefix(p, "install.d/") {
				hook = to
			}
		}
		return os.WriteFile(to, data, mode)
	})
	if err != nil {
		return "", fmt.Errorf("copy flavour %s to %s: %w", name, dir, err)
	}
	if hook == "" {
		return "", fmt.Errorf("copy flavour %s: no install.d hook to change", name)
	}
	return hook, nil
}
