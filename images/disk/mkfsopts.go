package disk

import (
	"fmt"
	"strings"
)

// The caller's mkfs.ext4 options (--mkfs-options) are read the way mke2fs
// reads them (getopt: grouped short options, values attached or in the
// next word) and taken only from an allow-list: options that tune the
// filesystem the builder lays out. The builder's own settings (block size,
// type, inode size and ratio and count, label, UUID, tree, offset, root
// owner, hash seed, quiet, force) cannot be given, nor anything that names
// a file mke2fs would read or write (-l, -z, -J device=), nor what would
// make it write no filesystem (-n, -S, -V) or scan the file (-c); and the
// caller's options come before the builder's, which win.

// mkfsArg says which of mke2fs's short options take a value
// (misc/mke2fs.c's getopt string).
const mkfsArg = "bdegiElmMNoOrsCGIJLRTUtz"

// mkfsAllowed are the options a caller may give, with why each is there.
var mkfsAllowed = map[byte]string{
	'e': "errors behaviour", 'g': "blocks per group", 'G': "flex group size", 'j': "a journal",
	'J': "journal size or location", 'm': "reserved blocks percentage", 'M': "last mounted directory",
	'o': "creator OS", 'O': "features", 'r': "revision", 'C': "cluster size (bigalloc)", 'E': "extended options",
	'R': "extended options (old form)", 'K': "no discard", 'v': "verbose",
}

// mkfsOwned are the builder's own, named in the refusal.
var mkfsOwned = map[byte]bool{'b': true, 'd': true, 'F': true, 'i': true, 'I': true, 'L': true, 'N': true, 'q': true, 't': true, 'T': true, 'U': true}

// extendedAllowed are the -E sub-options a caller may give.
var extendedAllowed = map[string]bool{
	"stride": true, "stripe_width": true, "stripe-width": true, "resize": true, "lazy_itable_init": true,
	"lazy_journal_init": true, "num_backup_sb": true, "packed_meta_blocks": true, "discard": true, "nodiscard": true,
	"quotatype": true, "encoding": true, "encoding_flags": true, "orphan_file_size": true, "assume_storage_prezeroed": true,
}

// CheckMkfsOptions refuses extra mkfs.ext4 options that are not on the
// allow-list, naming the option and why.
func CheckMkfsOptions(opts []string) error {
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		if len(o) < 2 || o[0] != '-' || o[1] == '-' {
			return fmt.Errorf("mkfs option %q: only mke2fs's short options are taken (a word that is no option would be read as the device or size)", o)
		}
		for j := 1; j < len(o); j++ {
			c := o[j]
			if mkfsOwned[c] {
				return fmt.Errorf("mkfs option -%c is set by the builder and cannot be given", c)
			}
			if _, ok := mkfsAllowed[c]; !ok {
				return fmt.Errorf("mkfs option -%c is not taken here (it names a file, writes no filesystem or means nothing for an image)", c)
			}
			if !strings.ContainsRune(mkfsArg, rune(c)) {
				continue
			}
			val := o[j+1:]
			if val == "" {
				if i+1 == len(opts) {
					return fmt.Errorf("mkfs option -%c needs a value", c)
				}
				i++
				val = opts[i]
			}
			if err := checkMkfsValue(c, val); err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// checkMkfsValue checks the value of option c.
func checkMkfsValue(c byte, val string) error {
	switch c {
	case 'E', 'R':
		for _, kv := range strings.Split(val, ",") {
			k, _, _ := strings.Cut(kv, "=")
			if !extendedAllowed[k] {
				return fmt.Errorf("mkfs option -E %s is not taken here (the builder sets offset, root_owner and hash_seed)", k)
			}
		}
	case 'J':
		for _, kv := range strings.Split(val, ",") {
			if k, _, _ := strings.Cut(kv, "="); k != "size" && k != "location" {
				return fmt.Errorf("mkfs option -J %s is not taken here (an external journal device is a file of the host)", k)
			}
		}
	}
	return nil
}
