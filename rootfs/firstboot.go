package rootfs

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/flavours"
)

//go:embed firstboot
var firstBootFiles embed.FS

// installFirstBoot copies the first-boot.d hooks into the image with the
// one-shot unit that runs them on the first boot, before rc-local.service.
func (r *Root) installFirstBoot(ctx context.Context) error {
	hooks := r.Plan.Flavours.Hooks(flavours.FirstBoot)
	if len(hooks) == 0 {
		return nil
	}
	dst := filepath.Join(r.Tree, "usr/local/lib/dib/first-boot.d")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, h := range hooks {
		data, err := os.ReadFile(filepath.Join(r.hooksDir, flavours.FirstBoot.Dir(), h.Name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, h.Name), data, 0o755); err != nil {
			return err
		}
	}
	files := []struct {
		src, dst string
		mode     os.FileMode
	}{
		{"firstboot/dib-first-boot", "usr/local/sbin/dib-first-boot", 0o755},
		{"firstboot/dib-first-boot.service", "etc/systemd/system/dib-first-boot.service", 0o644},
	}
	for _, f := range files {
		data, err := firstBootFiles.ReadFile(f.src)
		if err != nil {
			return fmt.Errorf("install first-boot: %w", err)
		}
		p := filepath.Join(r.Tree, f.dst)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, f.mode); err != nil {
			return fmt.Errorf("install first-boot: %w", err)
		}
	}
	wants := filepath.Join(r.Tree, "etc/systemd/system/multi-user.target.wants")
	if err := os.MkdirAll(wants, 0o755); err != nil {
		return err
	}
	link := filepath.Join(wants, "dib-first-boot.service")
	if err := os.Remove(link); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("install first-boot: %w", err)
	}
	r.logf("first-boot.d: %d hook(s) installed", len(hooks))
	return os.Symlink("/etc/systemd/system/dib-first-boot.service", link)
}
