// Package nsrun runs build steps (hooks, bootstrap tools) in a throwaway
// process that is PID 1 of its own PID namespace and owns its own mount
// namespace. Whatever the steps mount, and every process they leave
// running, vanishes when that process ends, however it ends: it is killed
// when its parent dies (parent-death signal), and when PID 1 of a PID
// namespace dies the kernel kills everything else in it.
//
// A job optionally prepares a chroot first: proc, sys, dev (with devpts)
// and extra bind mounts inside the root, then chroot. The host mount table
// is never touched.
package nsrun

import "time"

// Bind is a bind mount made inside the job's root before it chroots.
type Bind struct {
	Source   string // host path
	Target   string // path inside the root, absolute
	ReadOnly bool
}

// Step is one command of a job, run with the job's environment.
type Step struct {
	Label string   // shown before each output line, e.g. "base/install.d/10-foo"
	Argv  []string // as seen inside the job's root
	// Capture keeps the step's standard output in its Result.
	Capture bool
	// Interactive connects the step to the runner's standard input, output
	// and error as they are (a debugging shell), without labels.
	Interactive bool
}

// Job is what one runner process does.
type Job struct {
	// Root is the directory to chroot into; empty runs steps on the host
	// filesystem (outside phases), still in private namespaces.
	Root string
	// SystemMounts mounts proc, sysfs and /dev (with /dev/pts) in Root.
	SystemMounts bool
	Binds        []Bind
	Env          []string // the steps' environment before EnvFiles
	// EnvFiles are shell files (paths as the steps see them) sourced in
	// order, with every variable they set exported, before the steps run.
	EnvFiles []string
	// EnvLoader, when set, is the command that sources EnvFiles (given
	// after it) and prints the environment NUL-separated (env -0), in
	// place of sh sourcing them with every assignment exported.
	EnvLoader []string
	Dir       string // working directory of the steps; default "/"
	Steps     []Step
	// Trace writes every command the runner starts on its standard error
	// (see run.WithTrace). Run sets it when its context traces.
	Trace bool
}

// Result is what one step did.
type Result struct {
	Label    string
	Duration time.Duration
	ExitCode int    // 0 on success, -1 when it could not start
	Err      string // why it failed, with the tail of its stderr
	Stdout   string // when the step asked for Capture
}
