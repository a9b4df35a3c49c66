package images

import (
	"path/filepath"

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
			img.SecureBootRequired = w.plan.Spec.SecureBootRequired
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
		fp := imageprops.ForFormat(props, job.typ)
		if err := imageprops.Write(job.props, fp); err != nil {
			return err
		}
		w.uploads = append(w.uploads, imageprops.UploadCommand(filepath.Base(w.plan.Spec.Name), job.final, job.typ, fp))
	}
	return nil
}
