package modules

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// FirmwareDir is where the kernel looks for firmware, inside the root.
const FirmwareDir = "/lib/firmware"

// firmwareSuffixes are the forms the kernel loads a firmware file in.
var firmwareSuffixes = []string{"", ".zst", ".xz"}

// Firmware finds firmware files by name (as in a module's firmware= field,
// "rtl_nic/rtl8168g-2.fw") under FirmwareDir in root, in the plain,
// .zst or .xz form. It returns the paths to copy, sorted, with every
// symlink passed (linux-firmware has many), and the names not found.
func Firmware(root string, names ...string) (files, missing []string, err error) {
	seen := map[string]bool{}
	for _, n := range names {
		found := false
		for _, suffix := range firmwareSuffixes {
			real, links, err := inroot.Resolve(root, path.Join(FirmwareDir, n+suffix))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, nil, fmt.Errorf("find firmware %s in %s: %w", n, root, err)
			}
			for _, l := range links {
				seen[l.Path] = true
			}
			seen[real] = true
			found = true
			break
		}
		if !found {
			missing = append(missing, n)
		}
	}
	for p := range seen {
		files = append(files, p)
	}
	sort.Strings(files)
	return files, missing, nil
}

// FirmwareOf returns the firmware names a module file asks for (its
// .modinfo firmware= fields), reading .ko, .ko.xz, .ko.zst and .ko.gz.
func FirmwareOf(p string) ([]string, error) {
	data, err := readModule(p)
	if err != nil {
		return nil, err
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read module %s: %w", p, err)
	}
	sec := ef.Section(".modinfo")
	if sec == nil {
		return nil, nil
	}
	info, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("read .modinfo of module %s: %w", p, err)
	}
	var out []string
	for _, kv := range bytes.Split(info, []byte{0}) {
		if v, ok := strings.CutPrefix(string(kv), "firmware="); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// readModule returns the decompressed contents of a module file.
func readModule(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read module: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	switch filepath.Ext(p) {
	case ".xz":
		if r, err = xz.NewReader(f); err != nil {
			return nil, fmt.Errorf("read module %s: %w", p, err)
		}
	case ".zst":
		zr, err := zstd.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read module %s: %w", p, err)
		}
		defer zr.Close()
		r = zr
	case ".gz":
		if r, err = gzip.NewReader(f); err != nil {
			return nil, fmt.Errorf("read module %s: %w", p, err)
		}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read module %s: %w", p, err)
	}
	return data, nil
}
