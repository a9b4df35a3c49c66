package archive

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/debversion"
)

// maxIndexLine bounds one line of a package index.
const maxIndexLine = 1 << 20

// Newest reads a Packages index (uncompressed, as apt keeps it in
// /var/lib/apt/lists) and records in newest the highest version of each
// "NAME:ARCH" it lists, keeping what is already there when higher.
func Newest(r io.Reader, newest map[string]string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxIndexLine)
	var name, version, arch string
	flush := func() {
		if name != "" && version != "" {
			k := name + ":" + arch
			if old, ok := newest[k]; !ok || debversion.Compare(version, old) > 0 {
				newest[k] = version
			}
		}
		name, version, arch = "", "", ""
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case strings.HasPrefix(line, "Package:"):
			name = strings.TrimSpace(line[len("Package:"):])
		case strings.HasPrefix(line, "Version:"):
			version = strings.TrimSpace(line[len("Version:"):])
		case strings.HasPrefix(line, "Architecture:"):
			arch = strings.TrimSpace(line[len("Architecture:"):])
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("package index: %w", err)
	}
	flush()
	return nil
}
