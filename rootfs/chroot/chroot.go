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
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
)

// HooksTarget is where the merged hooks appear inside the root.
const HooksTarget = "/tmp/in_target.d"

// AptArchives is the package cache directory inside the root.
const AptArchives = "/var/cache/apt/archives"

// resolvConf and proxyFile are build-time files of the root.
const (
	resolvConf = "/etc/resolv.conf"
	proxyFile  = "/etc/apt/apt.conf.d/zz-dib-proxy"
)

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
// Every change to dir goes through inroot: a link in the tree is never
// followed out of it.
func Prepare(dir, hooksDir, debCache, archives string, env []string) (*Root, error) {
	r := &Root{Dir: dir, HooksDir: hooksDir, DebCache: debCache}
	if debCache != "" {
		if err := seedArchives(archives, debCache); err != nil {
			return nil, err
		}
		r.archives = archives
	}
	ok, err := inroot.Lexists(dir, resolvConf)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if ok {
		r.hadResolv = true
		if err := inroot.Rename(dir, resolvConf, resolvConf+".ORIG"); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	if data, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		if err := inroot.WriteFile(dir, resolvConf, data, 0o644); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	files := map[string]string{}
	for k, v := range buildFiles {
		files[k] = v
	}
	if p := proxyConf(env); p != "" {
		files[proxyFile] = p
	}
	for rel, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			mode = 0o755
		}
		if err := inroot.WriteFile(dir, rel, []byte(content), mode); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
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
// back, and removes the empty mount points the jobs left, never following
// a link out of the tree.
func (r *Root) Restore() error {
	var errs []error
	files := []string{proxyFile, resolvConf}
	for k := range buildFiles {
		files = append(files, k)
	}
	for _, rel := range files {
		errs = append(errs, inroot.Remove(r.Dir, rel))
	}
	if r.hadResolv {
		errs = append(errs, inroot.Rename(r.Dir, resolvConf+".ORIG", resolvConf))
	}
	errs = append(errs, r.SyncDebs())
	// Mount points are empty directories once the jobs ended.
	for _, mp := range []string{HooksTarget, SharedDebs} {
		if err := inroot.Remove(r.Dir, mp); err != nil {
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
