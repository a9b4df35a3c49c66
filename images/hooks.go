package images

import (
	"bufio"
	"context"
	"os"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/logx"
	"github.com/tripleo/diskimage-builder/internal/nsrun"
)

// hookArgv is how a hook is run: directly, or with -x through its shell
// when tracing and the hook is a sh or bash script.
func hookArgv(hostPath, jobPath string, trace bool) []string {
	if !trace {
		return []string{jobPath}
	}
	fh, err := os.Open(hostPath)
	if err != nil {
		return []string{jobPath}
	}
	defer fh.Close()
	line, _ := bufio.NewReader(fh).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		return []string{jobPath}
	}
	interp := fields
	if strings.HasSuffix(fields[0], "/env") && len(fields) > 1 {
		interp = fields[1:]
	}
	switch base := interp[0][strings.LastIndex(interp[0], "/")+1:]; base {
	case "sh", "bash", "dash":
		return append(append(append([]string(nil), interp...), "-x"), jobPath)
	}
	return []string{jobPath}
}

// installPackages installs the packages given with -p, refreshing apt's
// lists only when the cached ones are too old for the mirror.
func (b *builder) installPackages(ctx context.Context) error {
	if len(b.spec.Packages) == 0 || b.cached {
		return nil
	}
	b.logf("==> packages: %s", strings.Join(b.spec.Packages, " "))
	defer logx.Progress(b.log, "installing packages")()
	script := `apt-get install -y -q -- "$@" || { apt-get update -q && apt-get install -y -q -- "$@"; }`
	argv := append([]string{"/bin/sh", "-c", script, "dib-packages"}, b.spec.Packages...)
	env := b.hookEnv(true, "/", "/tmp/in_target.d")
	job := b.root.Job(env, nil, []nsrun.Step{{Label: "packages", Argv: argv}})
	_, err := nsrun.Run(ctx, job, b.log)
	return err
}
