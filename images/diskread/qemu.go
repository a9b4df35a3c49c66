package diskread

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// imageFile is how qemu-img is told of the image: the file descriptor
// the command inherits as its standard input, under the "file" protocol
// driver. qemu-img reopens that very file, whatever its name says.
const imageFile = "/proc/self/fd/0"

// node is a qemu block node in the JSON form of a filename.
type node map[string]any

// imageNode is the image as format with its backing, if any, cut off.
func imageNode(format string) node {
	return node{"driver": format, "backing": nil, "file": node{"driver": "file", "filename": imageFile}}
}

// jsonName renders a node as a qemu-img filename, every value quoted by
// the JSON encoder.
func jsonName(n node) string {
	b, err := json.Marshal(n)
	if err != nil {
		panic(err) // maps of strings and numbers always marshal
	}
	return "json:" + string(b)
}

// imageInfo is the part of `qemu-img info --output=json` that is checked.
type imageInfo struct {
	Format         string `json:"format"`
	VirtualSize    int64  `json:"virtual-size"`
	BackingFile    string `json:"backing-filename"`
	FormatSpecific struct {
		Data struct {
			DataFile string `json:"data-file"`
			Extents  []struct {
				Filename string `json:"filename"`
			} `json:"extents"`
		} `json:"data"`
	} `json:"format-specific"`
}

// info asks qemu-img for the virtual size of image f in format, and
// checks again that qemu-img sees no other file behind it.
func info(ctx context.Context, f *os.File, format string) (int64, error) {
	argv := []string{"qemu-img", "info", "--output=json", jsonName(imageNode(format))}
	out, err := run.Run(ctx, run.Cmd{Argv: argv, Stdin: f})
	if err != nil {
		return 0, fmt.Errorf("read %s header: %w", format, err)
	}
	return checkInfo(out, format)
}

// checkInfo reads qemu-img's account of an image in format: its virtual
// size, unless it names another file.
func checkInfo(out, format string) (int64, error) {
	var in imageInfo
	if err := json.Unmarshal([]byte(out), &in); err != nil || in.Format != format || in.VirtualSize < 0 {
		return 0, fmt.Errorf("read %s header: unexpected qemu-img output: %q", format, strings.TrimSpace(out))
	}
	data := in.FormatSpecific.Data
	switch {
	case in.BackingFile != "":
		return 0, refused("image names a backing file (%s)", printable(in.BackingFile))
	case data.DataFile != "":
		return 0, refused("image names an external data file (%s)", printable(data.DataFile))
	}
	for _, e := range data.Extents {
		if e.Filename != imageFile {
			return 0, refused("image is a vmdk that names other files (%s)", printable(e.Filename))
		}
	}
	return in.VirtualSize, nil
}
