package images

import (
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/flavours"
)

//go:embed firstboot
var firstBootFiles embed.FS

// installFirstBoot copies the first-boot.d hooks into the image with the
// one-shot unit that runs them on the first boot, before rc-local.service.
func (b *builder) installFirstBoot(ctx context.Context) error {
	hooks := b.set.Hooks(flavours.FirstBoot)
	if len(hooks) == 0 {
		return nil
	}
	dst := filepath.Join(b.rootDir, "usr/local/lib/dib/first-boot.d")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, h := range hooks {
		data, err := os.ReadFile(filepath.Join(b.hooksDir, flavours.FirstBoot.Dir(), h.Name))
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
		data, _ := firstBootFiles.ReadFile(f.src)
		p := filepath.Join(b.rootDir, f.dst)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, f.mode); err != nil {
			return fmt.Errorf("install first-boot: %w", err)
		}
	}
	wants := filepath.Join(b.rootDir, "etc/systemd/system/multi-user.target.wants")
	if err := os.MkdirAll(wants, 0o755); err != nil {
		return err
	}
	link := filepath.Join(wants, "dib-first-boot.service")
	os.Remove(link)
	b.logf("first-boot.d: %d hook(s) installed", len(hooks))
	return os.Symlink("/etc/systemd/system/dib-first-boot.service", link)
}
