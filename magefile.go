//go:build mage

// Recipes and project tasks. Run ./mage -l for the list.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/magefile/mage/mg"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/hostdeps"
	"github.com/tripleo/diskimage-builder/internal/recipe"
	"github.com/tripleo/diskimage-builder/internal/sudoers"
	"github.com/tripleo/diskimage-builder/internal/sys/logx"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Image holds the disk image recipes; outputs go under out/.
type Image mg.Namespace

// imageRecipes are the image recipes' specs, by target.
var imageRecipes = map[string]images.Spec{
	"image:vm":          {Name: "out/vm", Flavours: []string{"base", "vm", "local-config"}},
	"image:novaCompute": {Name: "out/nova-compute", Flavours: []string{"base", "vm", "local-config", "nova-compute"}},
}

// VM builds out/vm.qcow2: a Debian cloud image (base, vm, local-config) that boots under BIOS and UEFI.
func (Image) VM(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	return buildImage(ctx, imageRecipes["image:vm"])
}

// NovaCompute builds out/nova-compute.qcow2: a nova-compute node configured from its config drive at first boot.
func (Image) NovaCompute(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	return buildImage(ctx, imageRecipes["image:novaCompute"])
}

// buildImage runs one image recipe with the build log on the terminal,
// unless its outputs are newer than every input (see internal/recipe).
func buildImage(ctx context.Context, spec images.Spec) error {
	if err := os.MkdirAll(filepath.Dir(spec.Name), 0o755); err != nil {
		return fmt.Errorf("make output directory %s: %w", filepath.Dir(spec.Name), err)
	}
	spec.Log = logx.NewTimestampWriter(os.Stderr)
	spec.Overwrite = true
	plan, err := spec.Plan()
	if err != nil {
		return err
	}
	upToDate, reason, err := recipe.Check(ctx, plan)
	if err != nil {
		return err
	}
	if upToDate && os.Getenv("FORCE") == "" {
		fmt.Printf("%s: up to date (inputs unchanged since %s; FORCE=1 rebuilds)\n", spec.Name, recipe.InputsFile(plan))
		return nil
	}
	if reason != "" {
		fmt.Printf("%s: building: %s\n", spec.Name, reason)
	}
	res, err := plan.Build(ctx)
	if err != nil {
		return err
	}
	for _, o := range append(res.Outputs, res.SBOM) {
		fmt.Println(o)
	}
	return recipe.Record(plan)
}

// Deps installs every missing host package with apt-get and says what it installed.
func Deps(ctx context.Context) error {
	return hostdeps.Ensure(ctx, os.Stdout)
}

// Install holds the installation tasks; ./mage install is install:commands.
type Install mg.Namespace

// Aliases: ./mage install installs the commands; ./mage test runs every test.
var Aliases = map[string]interface{}{"install": Install.Commands, "test": Test.All}

// Commands installs the commands into $PREFIX/bin (default /usr/local).
func (Install) Commands(ctx context.Context) error {
	bin, err := binDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return fmt.Errorf("make %s: %w", bin, err)
	}
	for _, c := range commands {
		if err := goCmd(ctx, "build", "-trimpath", "-o", filepath.Join(bin, c), "./cmd/"+c); err != nil {
			return err
		}
		fmt.Println(filepath.Join(bin, c))
	}
	return nil
}

// Sudoers installs /etc/sudoers.d/diskimage-builder (group dib may run the commands as root) once visudo -c accepts it.
func (Install) Sudoers(ctx context.Context) error {
	bin, err := binDir()
	if err != nil {
		return err
	}
	rule, err := sudoers.Render(sudoers.Source, bin)
	if err != nil {
		return err
	}
	if err := sudoers.EnsureGroup(ctx); err != nil {
		return err
	}
	if err := sudoers.Install(ctx, rule, "/etc/sudoers.d/diskimage-builder"); err != nil {
		return err
	}
	fmt.Printf("/etc/sudoers.d/diskimage-builder: members of group %s may run %s/{disk,ramdisk}-image-create as root (usermod -aG %s USER)\n", sudoers.Group, bin, sudoers.Group)
	return nil
}

// binDir is $PREFIX/bin, absolute (PREFIX defaults to /usr/local).
func binDir() (string, error) {
	prefix := os.Getenv("PREFIX")
	if prefix == "" {
		prefix = "/usr/local"
	}
	bin, err := filepath.Abs(filepath.Join(prefix, "bin"))
	if err != nil {
		return "", fmt.Errorf("install directory %s: %w", prefix, err)
	}
	return bin, nil
}

// commands are the documented commands, each under cmd/.
var commands = []string{"disk-image-create", "ramdisk-image-create", "disk-image-get-kernel"}

// goCmd runs the go command with its output on the terminal.
func goCmd(ctx context.Context, args ...string) error {
	_, err := run.Run(ctx, run.Cmd{Argv: append([]string{mg.GoCmd()}, args...), Stdout: os.Stdout, Stream: os.Stderr, Label: "go " + args[0]})
	return err
}

// goOutput runs the go command and returns its standard output.
func goOutput(ctx context.Context, args ...string) (string, error) {
	return run.Output(ctx, append([]string{mg.GoCmd()}, args...)...)
}
