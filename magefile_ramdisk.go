//go:build mage

package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/magefile/mage/mg"
	"github.com/tripleo/diskimage-builder/internal/hostdeps"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

// Ramdisk builds kernel and ramdisk pairs for bare metal.
type Ramdisk mg.Namespace

// ramdiskRecipes are the ramdisk recipes' specs, by target.
var ramdiskRecipes = map[string]ramdisk.Spec{
	"ramdisk:deploy":      {Name: "out/deploy", Flavours: []string{"deploy"}},
	"ramdisk:hwdiscovery": {Name: "out/hwdiscovery", Flavours: []string{"hwdiscovery"}},
	"ramdisk:hwburnin":    {Name: "out/hwburnin", Flavours: []string{"hwburnin"}},
}

// Deploy builds out/deploy.kernel and out/deploy.initramfs: exports the node's disk over iSCSI for the boot server.
func (Ramdisk) Deploy(ctx context.Context) error {
	return buildRamdisk(ctx, ramdiskRecipes["ramdisk:deploy"])
}

// Hwdiscovery builds out/hwdiscovery.kernel and .initramfs: reports CPUs, memory, NICs and disks as JSON.
func (Ramdisk) Hwdiscovery(ctx context.Context) error {
	return buildRamdisk(ctx, ramdiskRecipes["ramdisk:hwdiscovery"])
}

// Hwburnin builds out/hwburnin.kernel and .initramfs: memory and disk burn-in (burnin_duration=SECONDS).
func (Ramdisk) Hwburnin(ctx context.Context) error {
	return buildRamdisk(ctx, ramdiskRecipes["ramdisk:hwburnin"])
}

// buildRamdisk installs missing host packages, then builds spec.
func buildRamdisk(ctx context.Context, spec ramdisk.Spec) error {
	if err := hostdeps.Ensure(ctx, os.Stdout); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(spec.Name), 0o755); err != nil {
		return err
	}
	plan, err := spec.Plan()
	if err != nil {
		return err
	}
	_, err = plan.Build(ctx)
	return err
}
