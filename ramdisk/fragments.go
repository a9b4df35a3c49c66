package ramdisk

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/ramdisk/initscript"
)

// udevRules copies every flavour's udev/ files to UdevRulesDir.
func (as *assembler) udevRules() error {
	for _, f := range as.set.Flavours {
		entries, err := fs.ReadDir(f.FS(), UdevDir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("flavour %s: read %s: %w", f.Name, UdevDir, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			data, err := fs.ReadFile(f.FS(), path.Join(UdevDir, e.Name()))
			if err != nil {
				return fmt.Errorf("flavour %s: read %s/%s: %w", f.Name, UdevDir, e.Name(), err)
			}
			if err := as.a.AddContent(path.Join(UdevRulesDir, e.Name()), data, 0o644); err != nil {
				return fmt.Errorf("flavour %s: %w", f.Name, err)
			}
		}
	}
	return nil
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
