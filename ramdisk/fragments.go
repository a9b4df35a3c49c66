package ramdisk

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/ramdisk/initscript"
)

// udevRules copies every flavour's udev/ files to UdevRulesDir, and every
// element's udev.d/ files to DIBUdevRulesDir.
func (as *assembler) udevRules() error {
	for _, f := range as.set.Flavours {
		for _, d := range []struct{ src, dst string }{{UdevDir, UdevRulesDir}, {UdevRulesDDir, DIBUdevRulesDir}} {
			files, err := dirFiles(f, d.src)
			if err != nil {
				return err
			}
			for _, name := range files {
				data, err := fs.ReadFile(f.FS(), path.Join(d.src, name))
				if err != nil {
					return fmt.Errorf("flavour %s: read %s/%s: %w", f.Name, d.src, name, err)
				}
				if err := as.a.AddContent(path.Join(d.dst, name), data, 0o644); err != nil {
					return fmt.Errorf("flavour %s: %w", f.Name, err)
				}
			}
		}
	}
	return nil
}

// dirFiles lists the files of directory dir of f, sorted; none when it
// has no such directory.
func dirFiles(f *flavours.Flavour, dir string) ([]string, error) {
	entries, err := fs.ReadDir(f.FS(), dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("flavour %s: read %s: %w", f.Name, dir, err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// dirLists reads every file of directory dir of f as a list (see
// flavours.Flavour.List), in name order.
func dirLists(f *flavours.Flavour, dir string) ([]string, error) {
	files, err := dirFiles(f, dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range files {
		list, err := readList(f, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// init adds /init, assembled from the flavours' fragments in dependency
// order, and the udhcpc script it uses.
func (as *assembler) init() error {
	var frags []initscript.Fragment
	for _, f := range as.set.Flavours {
		body, err := fs.ReadFile(f.FS(), InitFile)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("flavour %s: read %s: %w", f.Name, InitFile, err)
		}
		frags = append(frags, initscript.Fragment{Flavour: f.Name, Body: body})
	}
	// Elements' init.d/ fragments follow, in name order across elements,
	// as the original appends them.
	type fragment struct {
		f    *flavours.Flavour
		name string
	}
	var dib []fragment
	for _, f := range as.set.Flavours {
		files, err := dirFiles(f, InitDir)
		if err != nil {
			return err
		}
		for _, n := range files {
			dib = append(dib, fragment{f, n})
		}
	}
	sort.SliceStable(dib, func(i, j int) bool { return dib[i].name < dib[j].name })
	for _, d := range dib {
		body, err := fs.ReadFile(d.f.FS(), path.Join(InitDir, d.name))
		if err != nil {
			return fmt.Errorf("flavour %s: read %s/%s: %w", d.f.Name, InitDir, d.name, err)
		}
		frags = append(frags, initscript.Fragment{Flavour: d.f.Name + "/" + InitDir + "/" + d.name, Body: body})
	}
	if err := as.a.AddContent(initscript.InitPath, initscript.Assemble(frags), initscript.ScriptMode); err != nil {
		return err
	}
	return as.a.AddContent(initscript.UdhcpcScriptPath, initscript.UdhcpcScript(), initscript.ScriptMode)
}

// readList reads a flavour's list file (see flavours.Flavour.List).
func readList(f *flavours.Flavour, name string) ([]string, error) {
	list, err := f.List(name)
	if err != nil {
		return nil, fmt.Errorf("flavour %s: %w", f.Name, err)
	}
	return list, nil
}
