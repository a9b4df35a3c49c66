package disk

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMkfsOptionsAreAnAllowListReadAsMke2fsReadsThem(t *testing.T) {
	t.Parallel()
	for _, ok := range [][]string{
		{"-O", "^metadata_csum"}, {"-m", "1", "-j"}, {"-J", "size=64"}, {"-Jsize=64"}, {"-jm1"}, {"-E", "stride=16,stripe_width=32"},
		{"-e", "remount-ro", "-G", "16"}, {"-Oquota", "-v"}, {"-E", "resize=1000000"},
	} {
		assert.NoError(t, CheckMkfsOptions(ok), "%q", ok)
	}
	for _, bad := range [][]string{
		{"-jb", "1024"}, {"-jt"}, {"-jT", "huge"}, {"-jI", "128"}, {"-b1024"}, {"-d", "/etc"}, {"-z", "/root/undo"},
		{"-l", "/etc/shadow"}, {"-J", "device=/dev/sda"}, {"-n"}, {"-S"}, {"-V"}, {"-c"}, {"-E", "offset=0"},
		{"-E", "stride=1,root_owner=5:5"}, {"-Ehash_seed=x"}, {"/dev/sda"}, {"--help"}, {"-O"}, {"-i", "1024"}, {"-N", "5"},
	} {
		assert.Error(t, CheckMkfsOptions(bad), "%q", bad)
	}
}

func TestTheBuildersMkfsSettingsComeAfterTheCallersAndWin(t *testing.T) {
	t.Parallel()
	argv := ext4Spec{Tree: "/t", Image: "/i", Part: Partition{Start: 1 << 20, Size: 1 << 30}, Label: "l", UUID: "u",
		Extra: []string{"-O", "^has_journal"}}.argv()
	extra, builder := index(argv, "-O"), index(argv, "-b")
	assert.Less(t, extra, builder, "%q", argv)
}

func index(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
