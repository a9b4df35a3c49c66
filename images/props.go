package images

import (
	"github.com/tripleo/diskimage-builder/images/imageprops"
)

// writeProperties writes the image properties of the disk outputs among
// jobs into their temporary files, placed with the outputs (see
// imageprops).
func (w *writer) writeProperties(jobs []outputJob) error {
	img := imageprops.Image{Arch: w.plan.Spec.Arch, Boot: imageprops.Partition, Tree: w.root.Tree}
	if w.root.Plan.Flavours.Has(bootFlavour) {
		img.Boot = imageprops.Hybrid
		if w.plan.Disk.SecureBoot {
			img.Boot = imageprops.SecureBoot
		}
	}
	props, err := imageprops.Of(img)
	if err != nil {
		return err
	}
	for _, job := range jobs {
		if job.props == "" {
			continue
		}
		if err := imageprops.Write(job.props, props); err != nil {
			return err
		}
	}
	return nil
}
