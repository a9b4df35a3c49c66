// Package cli holds the command-line front ends of the commands, as
// functions that take their arguments, environment and output streams and
// return the exit status, so tests drive them in-process.
package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// Exit statuses shared by the commands.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitBadInput    = 2
	ExitInterrupted = 130
)

// option is one flag that an environment variable can also set.
type option struct {
	flag *pflag.Flag
	env  string
}

// flagSet is a pflag set whose options fall back to environment variables.
type flagSet struct {
	*pflag.FlagSet
	opts     []option
	env      map[string]string
	command  string
	synopsis string
}

func newFlagSet(command, synopsis string, env []string) *flagSet {
	fs := pflag.NewFlagSet(command, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return &flagSet{FlagSet: fs, env: m, command: command, synopsis: synopsis}
}

// bindEnv says that variable env sets flag name when it is not given.
func (f *flagSet) bindEnv(name, env string) {
	f.opts = append(f.opts, option{flag: f.Lookup(name), env: env})
}

// parse parses args, then applies the environment to unset options.
func (f *flagSet) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		return err
	}
	for _, o := range f.opts {
		if o.env == "" || o.flag.Changed {
			continue
		}
		if v, ok := f.env[o.env]; ok && v != "" {
			if err := o.flag.Value.Set(envValue(o.flag, v)); err != nil {
				return fmt.Errorf("environment variable %s=%q: %v", o.env, v, err)
			}
		}
	}
	return nil
}

// envValue maps the shell's boolean spellings for boolean options.
func envValue(fl *pflag.Flag, v string) string {
	if fl.Value.Type() != "bool" {
		return v
	}
	switch strings.ToLower(v) {
	case "1", "yes", "true", "on", "y":
		return "true"
	case "0", "no", "false", "off", "n", "":
		return "false"
	}
	return v
}

// usage writes the synopsis and every option with its variable and current
// value.
func (f *flagSet) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s %s\n\nOptions (environment variable, current value):\n", f.command, f.synopsis)
	envOf := map[string]string{}
	for _, o := range f.opts {
		envOf[o.flag.Name] = o.env
	}
	f.VisitAll(func(fl *pflag.Flag) {
		name := "--" + fl.Name
		if fl.Shorthand != "" {
			name = "-" + fl.Shorthand + ", " + name
		}
		if fl.Value.Type() != "bool" {
			name += " " + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		}
		fmt.Fprintf(w, "  %-28s %s\n", name, fl.Usage)
		if e := envOf[fl.Name]; e != "" {
			fmt.Fprintf(w, "  %-28s   %s=%s\n", "", e, fl.Value.String())
		}
	})
}

// badInput writes the one-line error for bad input and returns exit 2.
func badInput(stderr io.Writer, command string, err error) int {
	fmt.Fprintf(stderr, "%s: %s\n", command, oneLine(err.Error()))
	return ExitBadInput
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// isHelp reports whether err is pflag's answer to -h.
func isHelp(err error) bool { return errors.Is(err, pflag.ErrHelp) }

// ParseSize parses a size in GB (decimals allowed, "1.5"), or with a unit
// suffix (K, M, G, T; binary), into bytes. It refuses zero and negatives.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := float64(1 << 30)
	units := map[byte]float64{'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}
	if n := len(t); n > 0 {
		if m, ok := units[byte(strings.ToUpper(t[n-1:])[0])]; ok {
			mult, t = m, t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v != v {
		return 0, fmt.Errorf("bad image size %q: give a number of GB, e.g. 2 or 1.5", s)
	}
	if v <= 0 {
		return 0, fmt.Errorf("bad image size %q: must be greater than zero", s)
	}
	if v*mult > 1<<50 {
		return 0, fmt.Errorf("bad image size %q: too large", s)
	}
	return int64(v * mult), nil
}

// splitList splits a comma- or space-separated list, dropping empties.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// splitPath splits a colon-separated search path.
func splitPath(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ":") {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
