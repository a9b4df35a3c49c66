package rootfs

import (
	"context"
	"embed"
	"fmt"
	"os"
	"path"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

//go:embed firstboot
var firstBootFiles embed.FS

// maxFirstBootHook bounds a first-boot hook read from the hooks tree.
const maxFirstBootHook = 16 << 20

// installFirstBoot copies the first-boot.d hooks into the image with the
// one-shot unit that runs them on the first boot, before rc-local.service.
// The files are written through inroot: never through a link out of the
// tree.
func (r *Root) installFirstBoot(ctx context.Context) error {
	hooks := r.Plan.Flavours.Hooks(flavours.FirstBoot)
	if len(hooks) == 0 {
		return nil
	}
	for _, h := range hooks {
		// Inside the hooks tree: a link copied from a flavour is resolved
		// there, never followed out of it.
		data, err := inroot.ReadFile(r.hooksDir, path.Join("/", flavours.FirstBoot.Dir(), h.Name), maxFirstBootHook)
		if err != nil {
			return fmt.Errorf("install first-boot: %w", err)
		}
		if err := inroot.WriteFile(r.Tree, path.Join("/usr/local/lib/dib/first-boot.d", h.Name), data, 0o755); err != nil {
			return fmt.Errorf("install first-boot: %w", err)
		}
	}
	files := []struct {
		src, dst string
		mode     os.FileMode
	}{
		{"firstboot/dib-first-boot", "/usr/local/sbin/dib-first-boot", 0o755},
		{"firstboot/dib-first-boot.service", "/etc/systemd/system/dib-first-boot.service", 0o644},
	}
	for _, f := range files {
		data, err := firstBootFiles.ReadFile(f.src)
		if err != nil {
			return fmt.Errorf("install first-boot: %w", err)
		}
		if err := inroot.WriteFile(r.Tree, f.dst, data, f.mode); err != nil {
			return fmt.Errorf("install first-boot: %w", err)
		}
	}
	link := "/etc/systemd/system/multi-user.target.wants/dib-first-boot.service"
	if err := inroot.Symlink(r.Tree, "/etc/systemd/system/dib-first-boot.service", link); err != nil {
		return fmt.Errorf("install first-boot: %w", err)
	}
	r.logf("first-boot.d: %d hook(s) installed", len(hooks))
	return nil
}
