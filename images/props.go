package images

import (
	"github.com/tripleo/diskimage-builder/images/imageprops"
)

// writeProperties writes the image properties of the disk outputs among
// jobs into their temporary files, placed with the outputs (see
// imageprops).
func (b *builder) writeProperties(jobs []outputJob) error {
	img := imageprops.Image{Arch: b.spec.Arch, Boot: imageprops.Partition, Tree: b.rootDir}
	if b.set.Has(bootFlavour) {
		img.Boot = imageprops.Hybrid
		if sb, _ := secureBoot(b.spec.Env); sb { // checked by Spec.Validate
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
