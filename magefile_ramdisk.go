//go:build mage

package main

import (
	"context"
	"os"

	"github.com/magefile/mage/mg"
	"github.com/tripleo/diskimage-builder/internal/hostdeps"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

// Ramdisk builds kernel and ramdisk pairs for bare metal.
type Ramdisk mg.Namespace

// Deploy builds out/deploy.kernel and out/deploy.initramfs: exports the node's disk over iSCSI for the boot server.
func (Ramdisk) Deploy(ctx context.Context) error {
	return buildRamdisk(ctx, "out/deploy", "deploy")
}

// Hwdiscovery builds out/hwdiscovery.kernel and .initramfs: reports CPUs, memory, NICs and disks as JSON.
func (Ramdisk) Hwdiscovery(ctx context.Context) error {
	return buildRamdisk(ctx, "out/hwdiscovery", "hwdiscovery")
}

// Hwburnin builds out/hwburnin.kernel and .initramfs: memory and disk burn-in (burnin_duration=SECONDS).
func (Ramdisk) Hwburnin(ctx context.Context) error {
	return buildRamdisk(ctx, "out/hwburnin", "hwburnin")
}

// buildRamdisk installs missing host packages, then builds name from flavours.
func buildRamdisk(ctx context.Context, name string, flavours ...string) error {
	if err := hostdeps.Ensure(ctx, os.Stdout); err != nil {
		return err
	}
	if err := os.MkdirAll("out", 0o755); err != nil {
		return err
	}
	plan, err := ramdisk.Spec{Name: name, Flavours: flavours}.Plan()
	if err != nil {
		return err
	}
	_, err = plan.Build(ctx)
	return err
}
