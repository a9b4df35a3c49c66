// Package chroot prepares an image root for running build steps inside it
// and undoes that preparation afterwards. While prepared, the root resolves
// names with the host's resolv.conf, uses the caller's proxy, installs
// packages with dpkg's unsafe I/O, and starts no services (policy-rc.d).
// Mounts are made only inside namespace runners (see internal/sys/nsrun), so
// the host mount table never changes.
package chroot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
)

// HooksTarget is where the merged hooks appear inside the root.
const HooksTarget = "/tmp/in_target.d"

// AptArchives is the package cache directory inside the root.
const AptArchives = "/var/cache/apt/archives"

// build-time files written into the root, removed by Restore.
var buildFiles = map[string]string{
	"usr/sbin/policy-rc.d":                     "#!/bin/sh\n# written by diskimage-builder: no services start during the build\nexit 101\n",
	"etc/dpkg/dpkg.cfg.d/zz-dib-unsafe-io":     "force-unsafe-io\n",
	"etc/apt/apt.conf.d/zz-dib-keep-debs":      "Binary::apt::APT::Keep-Downloaded-Packages \"true\";\nAPT::Install-Recommends \"false\";\n",
	"etc/apt/apt.conf.d/zz-dib-noninteractive": "Dpkg::Options { \"--force-confdef\"; \"--force-confold\"; };\n",
}

// Root is an image root prepared for build steps.
type Root struct {
	Dir       string // the root directory on the host
	HooksDir  string // merged hooks on the host, bound read-only at HooksTarget
	DebCache  string // shared host package cache, read-only at SharedDebs; may be empty
	archives  string // this build's apt archive directory, at AptArchives
	hadResolv bool
}

// Prepare writes the build-time files into dir: the host's resolv.conf (the
// image's own is kept aside), policy-rc.d, dpkg and apt settings, and an apt
// proxy when env names one. With a shared package cache, archives is the
// build's own apt archive directory (on the host), seeded from the cache.
func Prepare(dir, hooksDir, debCache, archives string, env []string) (*Root, error) {
	r := &Root{Dir: dir, HooksDir: hooksDir, DebCache: debCache}
	if debCache != "" {
		if err := seedArchives(archives, debCache); err != nil {
			return nil, err
		}
		r.archives = archives
	}
	resolv := filepath.Join(dir, "etc/resolv.conf")
	if _, err := os.Lstat(resolv); err == nil {
		r.hadResolv = true
		if err := os.Rename(resolv, resolv+".ORIG"); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", resolv, err)
		}
	}
	if data, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		if err := os.WriteFile(resolv, data, 0o644); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", resolv, err)
		}
	}
	files := map[string]string{}
	for k, v := range buildFiles {
		files[k] = v
	}
	if p := proxyConf(env); p != "" {
		files["etc/apt/apt.conf.d/zz-dib-proxy"] = p
	}
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", p, err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", p, err)
		}
	}
	return r, nil
}

// Job returns a namespace job that runs steps inside the root with proc,
// sys, dev, the hooks and the package cache mounted.
func (r *Root) Job(env []string, envFiles []string, steps []nsrun.Step) nsrun.Job {
	j := nsrun.Job{Root: r.Dir, SystemMounts: true, Env: env, EnvFiles: envFiles, Steps: steps}
	if r.HooksDir != "" {
		j.Binds = append(j.Binds, nsrun.Bind{Source: r.HooksDir, Target: HooksTarget, ReadOnly: true})
	}
	if r.DebCache != "" {
		j.Binds = append(j.Binds, nsrun.Bind{Source: r.DebCache, Target: SharedDebs, ReadOnly: true},
			nsrun.Bind{Source: r.archives, Target: AptArchives})
	}
	return j
}

// Restore removes every build-time file, puts the image's own resolv.conf
// back, and removes the empty mount points the jobs left.
func (r *Root) Restore() error {
	var errs []error
	files := []string{"etc/apt/apt.conf.d/zz-dib-proxy"}
	for k := range buildFiles {
		files = append(files, k)
	}
	for _, rel := range files {
		if err := os.Remove(filepath.Join(r.Dir, rel)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	resolv := filepath.Join(r.Dir, "etc/resolv.conf")
	if err := os.Remove(resolv); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	if r.hadResolv {
		if err := os.Rename(resolv+".ORIG", resolv); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, r.SyncDebs())
	// Mount points are empty directories once the jobs ended.
	for _, mp := range []string{HooksTarget, SharedDebs} {
		if err := os.Remove(filepath.Join(r.Dir, mp)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove mount point: %w", err))
		}
	}
	return errors.Join(errs...)
}

// proxyConf renders apt settings for the proxies named in env.
func proxyConf(env []string) string {
	var b strings.Builder
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.ToLower(k) {
		case "http_proxy":
			fmt.Fprintf(&b, "Acquire::http::Proxy %q;\n", v)
		case "https_proxy":
			fmt.Fprintf(&b, "Acquire::https::Proxy %q;\n", v)
		}
	}
	return b.String()
}
