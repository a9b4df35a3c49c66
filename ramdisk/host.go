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

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/elements"
	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// buildHost assembles the ramdisk from the host's programs and the kernel
// of the module root. It runs no hooks. Its temporary outputs are known
// to a janitor journaling in a build directory of its tmp dir, so that a
// later build sweeps them if this one and its janitor are killed.
func (p *Plan) buildHost(ctx context.Context) (_ *Result, err error) {
	ws, err := rootfs.NewWorkspace(p.Spec.TmpDir, p.Spec.Log)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, ws.Close(false)) }()
	p.Spec.logf("building %s from flavours %v with the host's programs (--host)", p.Spec.Name, p.Flavours.Names())
	if p.Spec.Trace {
		ctx = run.WithTrace(ctx, p.Spec.Log)
	}
	return write(ctx, p.Spec, p.host, p.Flavours, ws.Janitor)
}

// hostTmpDir is the tmp dir of a --host build: the one given, else the
// root builder's default.
func (s Spec) hostTmpDir() string {
	if s.TmpDir != "" {
		return s.TmpDir
	}
	return rootfs.DefaultTmpDir()
}

// hostInputs checks a host-mode spec and resolves its flavours, module
// root and kernel.
func (s Spec) hostInputs() (*flavours.Set, source, error) {
	if s.Arch != runtime.GOARCH {
		return nil, source{}, fmt.Errorf("--host builds for this machine's architecture %s, not %s", runtime.GOARCH, s.Arch)
	}
	look := elements.Lookup{Path: s.ElementsPath}
	if err := look.Check(); err != nil {
		return nil, source{}, err
	}
	set, err := flavours.ResolveWith(s.Flavours, flavours.Options{FlavoursPath: s.FlavoursPath, Elements: look, NoRoot: true})
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
