package cloudmeta

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// ConfigDrive writes the instance's config drive into dir, as Nova makes
// it (ISO9660 with Rock Ridge and Joliet, labelled config-2), and returns
// its path. Attach it as a CD-ROM.
func ConfigDrive(ctx context.Context, dir string, i Instance) (string, error) {
	tree := filepath.Join(dir, "config-drive")
	files := map[string][]byte{}
	for name, data := range i.openStackFiles() {
		files[filepath.Join("openstack", "latest", name)] = data
	}
	return iso(ctx, tree, filepath.Join(dir, "config-drive.iso"), "config-2", files)
}

// NoCloudSeed writes a NoCloud seed for the instance into dir (ISO9660
// labelled cidata holding meta-data, user-data and, when networkConfig is
// not empty, network-config) and returns its path.
func NoCloudSeed(ctx context.Context, dir string, i Instance, networkConfig string) (string, error) {
	files := map[string][]byte{"meta-data": i.NoCloudMetaData(), "user-data": []byte(i.UserData)}
	if networkConfig != "" {
		files["network-config"] = []byte(networkConfig)
	}
	return iso(ctx, filepath.Join(dir, "nocloud"), filepath.Join(dir, "nocloud.iso"), "cidata", files)
}

// iso writes files (by path relative to tree) under tree and makes an
// ISO9660 image of tree labelled label at out.
func iso(ctx context.Context, tree, out, label string, files map[string][]byte) (string, error) {
	for _, name := range names(files) {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", fmt.Errorf("write %s: %w", p, err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return "", fmt.Errorf("write %s: %w", p, err)
		}
	}
	argv := []string{"genisoimage", "-quiet", "-o", out, "-V", label, "-r", "-J", tree}
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return "", fmt.Errorf("make %s image: %w", label, err)
	}
	return out, nil
}
