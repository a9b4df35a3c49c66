// Package cli holds the command-line front ends of the commands, as
// functions that take their arguments, environment and output streams and
// return the exit status, so tests drive them in-process.
//
// Every setting of a command is declared once, in its option table
// (table.go): its flag, the environment variable that also sets it, its
// default and its help. The parser, -h and the variables kept through sudo
// all read that table; the library specs never read the environment.
package cli

import (
	"fmt"
	"io"
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

// option is one setting of a command.
type option struct {
	flag  string // long flag name; "" for a setting given by its variable only
	short string // one-letter flag, if any
	env   string // the variable that sets it when the flag is not given
	def   string // default value, as text ("true"/"false" for switches)
	help  string
	isSet bool // a switch: the flag takes no value
	// many lets the flag be given again, each value added to the
	// comma-separated list (-p vim -p curl is vim,curl), as the original.
	many bool
	// refuse, for an option of the original diskimage-builder that this
	// command does not take, says why: giving it is an error (exit 2),
	// never silently ignored.
	refuse string
}

// key names the option's value in values: its flag, else its variable.
func (o option) key() string {
	if o.flag != "" {
		return o.flag
	}
	return o.env
}

// values are the settings of one run, by option key, as text.
type values map[string]string

func (v values) str(k string) string    { return v[k] }
func (v values) on(k string) bool       { return v[k] == "true" }
func (v values) list(k string) []string { return splitList(v[k]) }
func (v values) path(k string) []string { return splitPath(v[k]) }

// chosen is the value of k, or "" when it is def, the default the library
// picks itself: a build through sudo checks only the paths its caller
// chose (see rootfs.Spec.Owner).
func (v values) chosen(k, def string) string {
	if v[k] == def {
		return ""
	}
	return v[k]
}

// parse reads args against opts, then the environment env for every
// option not given as a flag, and returns the settings, the positional
// arguments, and whether a flag was given on the command line.
func parse(opts []option, args, env []string) (values, []string, func(string) bool, error) {
	fs := pflag.NewFlagSet("", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, o := range opts {
		switch {
		case o.flag == "":
		case o.isSet:
			fs.BoolP(o.flag, o.short, o.def == "true", o.help)
		case o.many:
			fs.StringSliceP(o.flag, o.short, splitList(o.def), o.help)
		default:
			fs.StringP(o.flag, o.short, o.def, o.help)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, nil, err
	}
	vars := envMap(env)
	for _, o := range opts {
		if o.refuse != "" && o.flag != "" && fs.Changed(o.flag) {
			return nil, nil, nil, fmt.Errorf("option --%s of diskimage-builder is not supported: %s", o.flag, o.refuse)
		}
		if o.refuse != "" && o.env != "" && vars[o.env] != "" {
			return nil, nil, nil, fmt.Errorf("variable %s of diskimage-builder is not supported: %s", o.env, o.refuse)
		}
	}
	v := values{}
	for _, o := range opts {
		if o.refuse != "" {
			continue
		}
		ev, fromEnv := vars[o.env]
		fromEnv = fromEnv && ev != "" && o.env != ""
		if o.flag == "" {
			v[o.env] = o.def
			if fromEnv {
				v[o.env] = envBool(o, ev)
			}
			if o.isSet && v[o.env] != "true" && v[o.env] != "false" {
				return nil, nil, nil, fmt.Errorf("environment variable %s=%q: want 1 or 0", o.env, ev)
			}
			continue
		}
		fl := fs.Lookup(o.flag)
		if !fl.Changed && fromEnv {
			if err := fl.Value.Set(envBool(o, ev)); err != nil {
				return nil, nil, nil, fmt.Errorf("environment variable %s=%q: %w", o.env, ev, err)
			}
		}
		v[o.flag] = fl.Value.String()
		if o.many {
			list, _ := fs.GetStringSlice(o.flag)
			v[o.flag] = strings.Join(list, ",")
		}
	}
	return v, fs.Args(), fs.Changed, nil
}

// envBool maps the shell's spellings of yes and no for switches.
func envBool(o option, v string) string {
	if !o.isSet {
		return v
	}
	switch strings.ToLower(v) {
	case "1", "yes", "true", "on", "y":
		return "true"
	case "0", "no", "false", "off", "n":
		return "false"
	}
	return v
}

// envMap is env as a map; a later entry wins.
func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// usage writes the synopsis and every option with its variable and current
// value.
func usage(w io.Writer, cmd, synopsis string, opts []option, v values) {
	fmt.Fprintf(w, "Usage: %s %s\n\nOptions (environment variable, current value):\n", cmd, synopsis)
	for _, o := range opts {
		if o.refuse != "" {
			continue
		}
		name := o.env
		if o.flag != "" {
			name = "--" + o.flag
			if o.short != "" {
				name = "-" + o.short + ", " + name
			}
			if !o.isSet {
				name += " " + strings.ToUpper(strings.ReplaceAll(o.flag, "-", "_"))
			}
		}
		fmt.Fprintf(w, "  %-28s %s\n", name, o.help)
		if o.env != "" {
			fmt.Fprintf(w, "  %-28s   %s=%s\n", "", o.env, v.str(o.key()))
		}
	}
	fmt.Fprintf(w, "\nOptions and variables of diskimage-builder refused here (exit status 2):\n")
	for _, o := range opts {
		if o.refuse == "" {
			continue
		}
		names := []string{}
		if o.flag != "" {
			names = append(names, "--"+o.flag)
		}
		if o.env != "" {
			names = append(names, o.env)
		}
		fmt.Fprintf(w, "  %-28s %s\n", strings.Join(names, ", "), o.refuse)
	}
}

// badInput writes the one-line error for bad input and returns exit 2.
func badInput(stderr io.Writer, command string, err error) int {
	fmt.Fprintf(stderr, "%s: %s\n", command, oneLine(err.Error()))
	return ExitBadInput
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

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
