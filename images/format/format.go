// Package format writes a build's outputs: a tar of the root tree, and disk
// images converted from a raw disk with qemu-img.
package format

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Tar writes the tree at root into the tar file dst: numeric owners,
// extended attributes, "./" paths, sorted names, modification times
// clamped to at and no other times (see epoch.TarOptions), so the
// same tree gives the same bytes.
func Tar(ctx context.Context, root, dst string, at time.Time) error {
	dst, err := local(dst)
	if err != nil {
		return err
	}
	argv := []string{"tar", "--create", "--force-local", "--file", dst, "--directory", root, "--numeric-owner",
		"--xattrs", "--xattrs-include=*", "--acls"}
	argv = append(append(argv, epoch.TarOptions(at)...), ".")
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return fmt.Errorf("tar %s: %w", root, err)
	}
	return nil
}

// Stamps are what a build writes where a disk format records a time or an
// identifier of its own, in place of qemu-img's clock and random values.
type Stamps struct {
	Time    time.Time // the build's SOURCE_DATE_EPOCH
	VHDUUID uuid.UUID // the vhd footer's unique id
	VMDKCID uint32    // the vmdk descriptor's content id
	Name    string    // the output's final file name, which a vmdk names
}

// Stamp writes st into the disk image of type t at p (vhd and vmdk; the
// other types record neither).
func Stamp(p, t string, st Stamps) error {
	switch t {
	case "vhd":
		return StampVHD(p, VHDFooter{Time: st.Time, UUID: st.VHDUUID})
	case "vmdk":
		return StampVMDK(p, st.VMDKCID, st.Name)
	}
	return nil
}

// qemuFormat maps an output type to qemu-img's format name.
var qemuFormat = map[string]string{"qcow2": "qcow2", "raw": "raw", "vhd": "vpc", "vmdk": "vmdk"}

// Convert writes the raw disk src as type t ("qcow2", "raw", "vhd",
// "vmdk") into dst. A qcow2 has its clusters compressed with c (None
// leaves it uncompressed); c means nothing for the other types.
func Convert(ctx context.Context, src, dst, t string, c Compression) error {
	return ConvertWith(ctx, src, dst, t, c, "")
}

// ConvertWith is Convert with extra qemu-img -o options (KEY=VALUE,...),
// as the original's --qemu-img-options gives them.
//
// A zlib qcow2 without extra options is written in parts at once (see
// qcow2par.go): qemu-img compresses one cluster at a time.
func ConvertWith(ctx context.Context, src, dst, t string, c Compression, options string) error {
	if t == "qcow2" && c == Zlib && options == "" {
		src, err := local(src)
		if err != nil {
			return err
		}
		if dst, err = local(dst); err != nil {
			return err
		}
		if err := convertZlibParallel(ctx, src, dst); err != nil {
			return fmt.Errorf("convert %s to %s %s: %w", src, t, dst, err)
		}
		return nil
	}
	argv, err := convertArgv(src, dst, t, c)
	if err != nil {
		return err
	}
	if options != "" {
		n := len(argv)
		argv = append(argv[:n-2:n-2], "-o", options, argv[n-2], argv[n-1])
	}
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return fmt.Errorf("convert %s to %s %s: %w", src, t, dst, err)
	}
	return nil
}

// convertArgv is the qemu-img command line of Convert. Eight coroutines
// (-m) keep reads and qcow2's compression threads busy on every core;
// writes stay in order, so the clusters of the output follow the disk.
func convertArgv(src, dst, t string, c Compression) ([]string, error) {
	f, ok := qemuFormat[t]
	if !ok {
		return nil, fmt.Errorf("unknown disk format %q", t)
	}
	src, err := local(src)
	if err != nil {
		return nil, err
	}
	if dst, err = local(dst); err != nil {
		return nil, err
	}
	argv := []string{"qemu-img", "convert", "-f", "raw", "-O", f, "-m", "8"}
	switch {
	case t == "qcow2" && c != None:
		argv = append(argv, "-c", "-o", "compression_type="+string(c))
	case t == "vhd":
		argv = append(argv, "-o", "subformat=dynamic")
	case t == "vmdk":
		argv = append(argv, "-o", "subformat=streamOptimized")
	}
	return append(argv, src, dst), nil
}

// local makes p absolute, so that a name like "u@host:x" or "nbd:x" is a
// local file to tar and qemu-img, never a remote path or a protocol.
func local(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("path %s: %w", p, err)
	}
	return abs, nil
}
