package ramdisk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/inroot"
	"github.com/tripleo/diskimage-builder/internal/janitor"
	"golang.org/x/sys/unix"
)

// buildHost assembles the ramdisk from the host's programs and the kernel
// of the module root. It runs no hooks.
func buildHost(ctx context.Context, s Spec) (*Result, error) {
	set, src, err := s.hostInputs()
	if err != nil {
		return nil, &images.InputError{Err: err}
	}
	jan, err := janitor.Start()
	if err != nil {
		return nil, err
	}
	defer jan.Done()
	s.logf("building %s from flavours %v with the host's programs (--host)", s.Name, set.Names())
	return assembleAndWrite(ctx, s, src, set, &hostPlacer{jan: jan})
}

// hostInputs checks a host-mode spec and resolves its flavours, module
// root and kernel.
func (s Spec) hostInputs() (*flavours.Set, source, error) {
	if err := s.imageSpec().Validate(); err != nil {
		return nil, source{}, err
	}
	if s.Arch != runtime.GOARCH {
		return nil, source{}, fmt.Errorf("--host builds for this machine's architecture %s, not %s", runtime.GOARCH, s.Arch)
	}
	set, err := flavours.Resolve(s.Flavours, s.FlavoursPath)
	if err != nil {
		return nil, source{}, err
	}
	if fi, err := os.Stat(s.ModuleRoot); err != nil || !fi.IsDir() {
		return nil, source{}, fmt.Errorf("module root %s (-m) is not a directory", s.ModuleRoot)
	}
	kver, err := hostKernelVersion(s.ModuleRoot, s.KernelVersion)
	if err != nil {
		return nil, source{}, err
	}
	if ok, _ := inroot.Exists(s.ModuleRoot, "/lib/modules/"+kver+"/modules.dep"); !ok {
		return nil, source{}, fmt.Errorf("module root %s has no lib/modules/%s/modules.dep (run depmod -b %s %s)", s.ModuleRoot, kver, s.ModuleRoot, kver)
	}
	if ok, _ := inroot.Exists(s.ModuleRoot, kernelPath(kver)); !ok {
		return nil, source{}, fmt.Errorf("kernel %s not found in module root %s", kernelPath(kver), s.ModuleRoot)
	}
	pathEnv := envValue(s.Env, "PATH")
	src := source{
		root:    "/",
		lookup:  func(name string) (string, error) { return lookPath(name, pathEnv) },
		where:   "the host's PATH (" + pathEnv + ")",
		modRoot: s.ModuleRoot,
		kver:    kver,
	}
	return set, src, nil
}

// hostKernelVersion checks kver (-k) against the module root, or picks the
// only kernel there, else the running one.
func hostKernelVersion(modRoot, kver string) (string, error) {
	if kver != "" {
		if ok, _ := inroot.Exists(modRoot, "/lib/modules/"+kver+"/modules.dep"); !ok {
			return "", fmt.Errorf("kernel version %s (-k) has no lib/modules/%s/modules.dep in module root %s", kver, kver, modRoot)
		}
		return kver, nil
	}
	dir, _, err := inroot.Resolve(modRoot, "/lib/modules")
	if err != nil {
		return "", fmt.Errorf("module root %s has no lib/modules (give -m MODULE_ROOT)", modRoot)
	}
	entries, _ := os.ReadDir(filepath.Join(modRoot, dir))
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 1 {
		return names[0], nil
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		running := unix.ByteSliceToString(u.Release[:])
		if ok, _ := inroot.Exists(modRoot, "/lib/modules/"+running+"/modules.dep"); ok {
			return running, nil
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("module root %s has no kernel in lib/modules (give -m MODULE_ROOT)", modRoot)
	}
	return "", fmt.Errorf("module root %s has kernels %s: choose one with -k", modRoot, strings.Join(names, ", "))
}

// lookPath finds an executable name along pathEnv, as a shell does; a name
// with a slash is taken as it is.
func lookPath(name, pathEnv string) (string, error) {
	if strings.Contains(name, "/") {
		return filepath.Abs(name)
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return filepath.Abs(p)
		}
	}
	return "", fmt.Errorf("look up %s in PATH: %w", name, fs.ErrNotExist)
}

// envValue returns the value of k in env, or this process's.
func envValue(env []string, k string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], k+"="); ok {
			return v
		}
	}
	return os.Getenv(k)
}

// hostPlacer is the placer of host builds: temporary files beside the
// outputs, known to the janitor until they are in place.
type hostPlacer struct{ jan *janitor.Janitor }

func (h *hostPlacer) TempFile(final string) (string, error) {
	fh, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("output %s: %w", final, err)
	}
	h.jan.Add(fh.Name())
	return fh.Name(), errors.Join(fh.Close())
}

func (h *hostPlacer) Placed(tmp, final string) { h.jan.Forget(tmp) }
