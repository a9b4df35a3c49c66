package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// badRows collects the bad-input table.
var badRows = struct {
	sync.Mutex
	rows [][]string
}{}

// badCase is one bad invocation. In args, OUT is the output directory,
// FL the test flavours, ELS the test elements, CACHE a fresh cache, IMG an existing file.
type badCase struct {
	command string
	name    string
	args    []string
	exit    int    // wanted exit status
	message string // in the last line of stderr
	// readOnly runs the command with OUT mounted read-only (in a private
	// mount namespace of its own).
	readOnly bool
}

var badCases = []badCase{
	{"disk-image-create", "unknown option", []string{"--frobnicate", "vm"}, 2, "unknown flag: --frobnicate", false},
	{"disk-image-create", "option without value", []string{"vm", "-o"}, 2, "flag needs an argument: 'o'", false},
	{"disk-image-create", "no flavour", []string{"-o", "OUT/img"}, 2, "no flavour given", false},
	{"disk-image-create", "unknown flavour", []string{"-o", "OUT/img", "no-such-flavour"}, 2, `flavour "no-such-flavour" not found`, false},
	{"disk-image-create", "dependency cycle", []string{"-o", "OUT/img", "--flavours-path", "FL", "dib-test-cycle-a"}, 2, "cycle: dib-test-cycle-a -> dib-test-cycle-b -> dib-test-cycle-a", false},
	{"disk-image-create", "duplicate hook", []string{"-o", "OUT/img", "--flavours-path", "FL", "dib-test-dup-a"}, 2, "hook install.d/50-same is in both", false},
	{"disk-image-create", "hook not executable", []string{"-o", "OUT/img", "--flavours-path", "FL", "dib-test-noexec"}, 2, "hook is not executable", false},
	{"disk-image-create", "size abc", []string{"-o", "OUT/img", "--image-size", "abc", "vm"}, 2, `bad image size "abc"`, false},
	{"disk-image-create", "size -5", []string{"-o", "OUT/img", "--image-size", "-5", "vm"}, 2, `bad image size "-5"`, false},
	{"disk-image-create", "size 0", []string{"-o", "OUT/img", "--image-size", "0", "vm"}, 2, `bad image size "0"`, false},
	{"disk-image-create", "size beyond free space", []string{"-o", "OUT/img", "--image-size", "100000", "vm"}, 2, "larger than the free space", false},
	{"disk-image-create", "unknown type", []string{"-o", "OUT/img", "-t", "qcow3", "vm"}, 2, `unknown output type "qcow3"`, false},
	{"disk-image-create", "unknown arch", []string{"-o", "OUT/img", "-a", "mips", "vm"}, 2, `unsupported architecture "mips"`, false},
	{"disk-image-create", "output dir missing", []string{"-o", "OUT/nowhere/img", "vm"}, 2, "does not exist", false},
	{"disk-image-create", "output dir read-only", []string{"-o", "OUT/img", "vm"}, 2, "is not writable", true},
	{"disk-image-create", "bad break point", []string{"-o", "OUT/img", "vm"}, 2, `bad break point "before-lunch"`, false},
	{"disk-image-create", "bad DIB_SECURE_BOOT", []string{"-o", "OUT/img", "vm"}, 2, `DIB_SECURE_BOOT="maybe": give 1`, false},
	{"disk-image-create", "release is an option", []string{"-o", "OUT/img", "--release", "--setup-hook=touch OUT/pwned", "vm"}, 2, `bad release "--setup-hook=touch`, false},
	{"disk-image-create", "release escapes the cache", []string{"-o", "OUT/img", "--release", "../../x", "vm"}, 2, `bad release "../../x"`, false},
	{"disk-image-create", "mirror not a URL", []string{"-o", "OUT/img", "--mirror", "--aptopt=x", "vm"}, 2, `bad mirror "--aptopt=x"`, false},
	{"ramdisk-image-create", "mirror not http", []string{"-o", "OUT/rd", "--mirror", "ftp://x/debian", "deploy"}, 2, `bad mirror "ftp://x/debian"`, false},
	{"disk-image-create", "kernel argument for GRUB", []string{"-o", "OUT/img", "vm"}, 2, `kernel argument ";reboot"`, false},
	{"disk-image-create", "kernel argument with $var", []string{"-o", "OUT/img", "vm"}, 2, `kernel argument "init=${root}"`, false},
	{"disk-image-create", "mirror unreachable", []string{"-o", "OUT/img", "--image-cache", "CACHE", "--mirror", "http://127.0.0.1:9/debian", "vm"}, 1, "127.0.0.1:9", false},
	{"disk-image-create", "element needing device-mapper", []string{"-o", "OUT/img", "--elements-path", "ELS", "debian-minimal", "lvm"}, 2, "element lvm is not supported: it makes LVM volumes", false},
	{"disk-image-create", "element of another OS", []string{"-o", "OUT/img", "--elements-path", "ELS", "dib-test-el-ubuntu"}, 2, "only Debian roots are built here", false},
	{"disk-image-create", "elements without an OS", []string{"-o", "OUT/img", "--elements-path", "ELS", "dib-test-el-plain"}, 2, "no element provides operating-system", false},
	{"disk-image-create", "file of two elements", []string{"-o", "OUT/img", "--elements-path", "ELS", "debian-minimal", "dib-test-el-dup-a"}, 2, "bin/tool is in both", false},
	{"disk-image-create", "bad package-installs.yaml", []string{"-o", "OUT/img", "--elements-path", "ELS", "debian-minimal", "dib-test-el-badpkgs"}, 2, "package-installs.yaml: package tree: phase finalise.d", false},
	{"disk-image-create", "ELEMENTS_PATH not a directory", []string{"-o", "OUT/img", "--elements-path", "OUT/nothere", "debian-minimal"}, 2, "is not a directory", false},
	{"disk-image-create", "option of the original not supported", []string{"-o", "OUT/img", "--docker-target", "x", "vm"}, 2, "option --docker-target of diskimage-builder is not supported", false},
	{"disk-image-create", "qemu-img option naming a file", []string{"-o", "OUT/img", "--qemu-img-options", "backing_file=/etc/shadow", "vm"}, 2, "backing_file would make the output depend on another file", false},
	{"disk-image-create", "mkfs option the builder sets", []string{"-o", "OUT/img", "--mkfs-options", "-d /etc", "vm"}, 2, "mkfs option -d is set by the builder", false},
	{"ramdisk-image-create", "disk option of the original", []string{"-o", "OUT/rd", "--image-size", "2", "deploy"}, 2, "option --image-size of diskimage-builder is not supported", false},
	{"ramdisk-image-create", "unknown option", []string{"--frobnicate", "deploy"}, 2, "unknown flag: --frobnicate", false},
	{"ramdisk-image-create", "no flavour", []string{"-o", "OUT/rd"}, 2, "no flavour given", false},
	{"ramdisk-image-create", "unknown flavour", []string{"-o", "OUT/rd", "no-such-flavour"}, 2, `flavour "no-such-flavour" not found`, false},
	{"ramdisk-image-create", "module root missing", []string{"-o", "OUT/rd", "--host", "-m", "OUT/no-modules", "-k", "6.1.0-1-amd64", "deploy"}, 2, "OUT/no-modules", false},
	{"ramdisk-image-create", "kernel version missing", []string{"-o", "OUT/rd", "--host", "-m", "OUT", "-k", "9.9.9-nope", "deploy"}, 2, "9.9.9-nope", false},
	{"ramdisk-image-create", "output dir missing", []string{"-o", "OUT/nowhere/rd", "deploy"}, 2, "does not exist", false},
	{"ramdisk-image-create", "binary-dep missing", []string{"-o", "OUT/rd", "--flavours-path", "FL", "dib-test-missing-bin"}, 1, "binary-dep no-such-program-dib", false},
	{"disk-image-get-kernel", "unknown option", []string{"--frobnicate", "IMG"}, 2, "unknown flag: --frobnicate", false},
	{"disk-image-get-kernel", "no image", []string{"-d", "OUT"}, 2, "image", false},
	{"disk-image-get-kernel", "image missing", []string{"-d", "OUT", "OUT/missing.qcow2"}, 2, "missing.qcow2", false},
	{"disk-image-get-kernel", "not an image", []string{"-d", "OUT", "NOTIMG"}, 1, "not a disk image", false},
	{"disk-image-get-kernel", "corrupt qcow2", []string{"-d", "OUT", "CORRUPT"}, 1, "corrupt.qcow2", false},
	{"disk-image-get-kernel", "image names a backing file", []string{"-d", "OUT", "BACKED"}, 2, "image names a backing file (/etc/shadow): refused", false},
	{"disk-image-get-kernel", "output dir missing", []string{"-d", "OUT/nowhere", "IMG"}, 2, "nowhere", false},
	{"disk-image-get-kernel", "output dir read-only", []string{"-d", "OUT", "IMG"}, 1, "OUT", true},
}

// caseEnv are the variables a bad case sets, by case name.
var caseEnv = map[string][]string{
	"bad break point":           {"break=before-lunch"},
	"kernel argument for GRUB":  {"DIB_BOOTLOADER_DEFAULT_CMDLINE=quiet ;reboot"},
	"kernel argument with $var": {"DIB_BOOTLOADER_DEFAULT_CMDLINE=init=${root}"},
	"bad DIB_SECURE_BOOT":       {"DIB_SECURE_BOOT=maybe"},
}

func TestBadInputIsRefusedWithOneLineAndNothingWritten(t *testing.T) {
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "go", "unshare", "mount", "qemu-img")
	fl, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	els, err := filepath.Abs("testdata/elements")
	require.NoError(t, err)
	for _, c := range badCases {
		c := c
		t.Run(c.command+"/"+c.name, func(t *testing.T) {
			bin := command(t, c.command)
			out, inputs := t.TempDir(), t.TempDir()
			files := map[string]string{
				"IMG":     filepath.Join(inputs, "image.qcow2"),
				"NOTIMG":  filepath.Join(inputs, "notes.txt"),
				"CORRUPT": filepath.Join(inputs, "corrupt.qcow2"),
				"BACKED":  filepath.Join(inputs, "backed.qcow2"),
			}
			require.NoError(t, exec.Command("qemu-img", "create", "-q", "-f", "qcow2", files["IMG"], "64M").Run())
			require.NoError(t, exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "/etc/shadow", "-F", "raw", files["BACKED"], "64M").Run())
			require.NoError(t, os.WriteFile(files["NOTIMG"], []byte("just some text, not a disk\n"), 0o644))
			// A qcow2 header whose tables point far beyond the file.
			corrupt := append([]byte("QFI\xfb\x00\x00\x00\x03"), make([]byte, 504)...)
			for i := 8; i < 512; i++ {
				corrupt[i] = 0xff
			}
			require.NoError(t, os.WriteFile(files["CORRUPT"], corrupt, 0o644))
			subst := strings.NewReplacer("OUT", out, "FL", fl, "ELS", els, "CACHE", filepath.Join(inputs, "cache"),
				"NOTIMG", files["NOTIMG"], "CORRUPT", files["CORRUPT"], "BACKED", files["BACKED"], "IMG", files["IMG"])
			argv := []string{bin}
			for _, a := range c.args {
				argv = append(argv, subst.Replace(a))
			}
			if c.readOnly {
				script := `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"`
				argv = append([]string{"unshare", "-m", "sh", "-c", script, "sh", out}, argv...)
			}
			env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
				"DIB_IMAGE_CACHE=" + testenv.CacheDir(), "DIB_TMP=" + filepath.Join(inputs, "tmp")}
			env = append(env, caseEnv[c.name]...)
			p := start(t, env, argv...)
			code := p.wait()
			stderr := strings.TrimSpace(p.log())
			last := lastLine(stderr)
			assert.Equal(t, c.exit, code, stderr)
			assert.Contains(t, last, subst.Replace(c.message))
			assert.True(t, strings.HasPrefix(last, c.command+": "), "the line names the command: %q", last)
			if c.exit == 2 {
				assert.NotContains(t, stderr, "\n", "exactly one line")
			}
			written := entries(out)
			assert.Empty(t, written, "nothing written")
			if c.exit == 2 {
				assert.NoDirExists(t, filepath.Join(inputs, "tmp"), "bad arguments: no build directory made")
			} else {
				assert.Empty(t, entries(filepath.Join(inputs, "tmp")), "the build directory was removed")
			}
			badRows.Lock()
			badRows.rows = append(badRows.rows, []string{c.command, c.name, strconv.Itoa(code),
				strings.ReplaceAll(strings.TrimPrefix(last, c.command+": "), "|", "/"), strings.Join(append(written, ""), " ")})
			badRows.Unlock()
		})
	}
}
