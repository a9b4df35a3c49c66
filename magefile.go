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
	"github.com/tripleo/diskimage-builder/internal/logx"
	"github.com/tripleo/diskimage-builder/internal/run"
)

// Image holds the disk image recipes; outputs go under out/.
type Image mg.Namespace

// VM builds out/vm.qcow2: a Debian VM image that boots under BIOS and UEFI.
func (Image) VM(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	return buildImage(ctx, images.Spec{Name: "out/vm", Flavours: []string{"vm"}})
}

// buildImage runs one image recipe with the build log on the terminal.
func buildImage(ctx context.Context, spec images.Spec) error {
	if err := os.MkdirAll(filepath.Dir(spec.Name), 0o755); err != nil {
		return err
	}
	spec.Log = logx.NewTimestampWriter(os.Stderr)
	res, err := images.Build(ctx, spec)
	if err != nil {
		return err
	}
	for _, o := range res.Outputs {
		fmt.Println(o)
	}
	return nil
}

// Deps installs every missing host package with apt-get and says what it installed.
func Deps(ctx context.Context) error {
	return hostdeps.Ensure(ctx, os.Stdout)
}

// Test runs go vet and every test (builds and boots images: needs root and the network).
func Test(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	if err := goCmd(ctx, "vet", "./..."); err != nil {
		return err
	}
	return goCmd(ctx, "test", "-timeout", "45m", "./...")
}

// Install installs the commands into $PREFIX/bin (default /usr/local).
func Install(ctx context.Context) error {
	prefix := os.Getenv("PREFIX")
	if prefix == "" {
		prefix = "/usr/local"
	}
	bin, err := filepath.Abs(filepath.Join(prefix, "bin"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	for _, c := range commands {
		if err := goCmd(ctx, "build", "-trimpath", "-o", filepath.Join(bin, c), "./cmd/"+c); err != nil {
			return err
		}
		fmt.Println(filepath.Join(bin, c))
	}
	return nil
}

// commands are the documented commands, each under cmd/.
var commands = []string{"disk-image-create", "ramdisk-image-create", "disk-image-get-kernel"}

// goCmd runs the go command with its output on the terminal.
func goCmd(ctx context.Context, args ...string) error {
	_, err := run.Run(ctx, run.Cmd{Argv: append([]string{mg.GoCmd()}, args...), Stdout: os.Stdout, Stream: os.Stderr, Label: "go " + args[0]})
	return err
}
