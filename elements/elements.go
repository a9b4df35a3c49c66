// Package elements runs elements of the original diskimage-builder (DIB)
// unmodified: directories found along ELEMENTS_PATH (colon separated, the
// earlier entry winning) that follow DIB's conventions. It tells
// flavours.ResolveWith where each name comes from:
//
//   - the elements done natively (the Debian base: debian-minimal, debian,
//     debootstrap, dpkg; the disk: vm, bootloader, block-device-efi, -mbr,
//     -gpt; the ramdisk: ramdisk, ramdisk-base; package-installs), which no
//     directory on ELEMENTS_PATH replaces;
//   - ELEMENTS_PATH, after the flavours of FLAVOURS_PATH;
//   - after the built-in flavours, the built-in library: this project's
//     own pkg-map, install-bin, dib-init-system, dib-python and
//     install-types, used when ELEMENTS_PATH has none.
//
// Elements that need mounts, loop devices or device-mapper (lvm, growvols,
// iso...), and operating systems other than Debian, are refused with the
// reason before anything is built (see Refused).
//
// It also renders what DIB gives hooks about the build (IMAGE_ELEMENT,
// IMAGE_ELEMENT_YAML, get_image_element_array, DIB_ENV) and reads the
// elements' package-installs files.
package elements

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
)

// library holds this project's elements in DIB's conventions: the natively
// done ones and the fallbacks.
//
//go:embed library
var library embed.FS

// native are the names done natively: a built-in element of the library,
// or a built-in flavour (flavour true).
var native = map[string]bool{
	"debian-minimal": false, "debian": false, "debootstrap": false, "dpkg": false,
	"package-installs": false, "bootloader": false, "ramdisk": false,
	"block-device-efi": false, "block-device-mbr": false, "block-device-gpt": false,
	"vm": true, "ramdisk-base": true,
}

// Lookup finds elements along an ELEMENTS_PATH. It implements
// flavours.Elements.
type Lookup struct {
	Path []string // ELEMENTS_PATH entries, earlier first
}

// Check refuses an ELEMENTS_PATH entry that is not a directory, as DIB
// does.
func (l Lookup) Check() error {
	for _, d := range l.Path {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			return fmt.Errorf("ELEMENTS_PATH entry %q is not a directory", d)
		}
	}
	return nil
}

// Native returns the natively done element name, or nil.
func (l Lookup) Native(name string) (*flavours.Flavour, error) {
	isFlavour, ok := native[name]
	if !ok {
		return nil, nil
	}
	if isFlavour {
		return flavours.BuiltinFlavour(name), nil
	}
	return libraryElement(name)
}

// OnPath finds name along ELEMENTS_PATH, the earlier entry winning, and
// refuses it if it is one this builder cannot run.
func (l Lookup) OnPath(name string) (*flavours.Flavour, error) {
	for _, d := range l.Path {
		dir := filepath.Join(d, name)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real
		}
		f, err := flavours.NewElement(name, dir, os.DirFS(dir), true)
		if err != nil {
			return nil, err
		}
		return f, refuse(f)
	}
	return nil, nil
}

// Library returns this project's fallback element name, or nil; a known
// element of the original that this builder refuses is refused with its
// reason even when no directory has it.
func (l Lookup) Library(name string) (*flavours.Flavour, error) {
	if why, ok := Refused[name]; ok {
		return nil, fmt.Errorf("element %s is not supported: %s", name, why)
	}
	if _, err := fs.Stat(library, "library/"+name); err != nil {
		return nil, nil
	}
	return libraryElement(name)
}

// Where names the element search path in errors; "" when it is empty.
func (l Lookup) Where() string {
	if len(l.Path) == 0 {
		return ""
	}
	return strings.Join(l.Path, ":") + " (ELEMENTS_PATH)"
}

func libraryElement(name string) (*flavours.Flavour, error) {
	sub, err := fs.Sub(library, "library/"+name)
	if err != nil {
		return nil, fmt.Errorf("built-in element %s: %w", name, err)
	}
	return flavours.NewElement(name, "builtin:"+name, sub, false)
}

// LibraryNames lists the built-in elements, sorted.
func LibraryNames() []string {
	entries, _ := fs.ReadDir(library, "library")
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

// IsNative reports whether name is an element done natively.
func IsNative(name string) bool {
	_, ok := native[name]
	return ok
}
