package qemu

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ovmfProbeTimeout bounds the UEFI probe: OVMF reaches its shell in a few
// seconds under a working KVM.
const ovmfProbeTimeout = 20 * time.Second

// ovmfMarker is what OVMF prints when it has booted to its shell.
const ovmfMarker = "UEFI Interactive Shell"

// probeOVMF boots OVMF with no disk under KVM and checks that it reaches
// its shell within ovmfProbeTimeout: a nested KVM can run SeaBIOS and
// still fail UEFI firmware ("KVM internal error ... emulation failure").
func probeOVMF(binary string) error {
	dir, err := os.MkdirTemp("", "qemu-probe-")
	if err != nil {
		return fmt.Errorf("make probe directory: %w", err)
	}
	defer os.RemoveAll(dir)
	c := NewConfig(WithBinary(binary), WithDir(dir), WithAccel("kvm"), WithMemory(256), WithUEFI())
	if c.Firmware, err = c.findFirmware(); err != nil {
		return err
	}
	argv, err := c.Args()
	if err != nil {
		return err
	}
	if err := c.prepare(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), ovmfProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = sysProcAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout // QEMU's own messages, in order with the console's
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", argv[0], err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		switch l := sc.Text(); {
		case strings.Contains(l, ovmfMarker):
			return nil
		case strings.Contains(l, "KVM internal error"), strings.Contains(l, "emulation failure"):
			return fmt.Errorf("OVMF failed under kvm: %s", strings.TrimSpace(l))
		}
	}
	return fmt.Errorf("OVMF did not reach its shell under kvm within %s", ovmfProbeTimeout)
}

// remembered is probe's answer, kept for the machine's boot in a file of
// the temporary directory, so that the test packages of one run (each its
// own process) probe once between them; the answer of a probe that ran
// into the file's write is taken as it is.
func remembered(name string, probe func() (bool, string)) (bool, string) {
	id, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return probe()
	}
	p := filepath.Join(os.TempDir(), fmt.Sprintf("dib-qemu-probe-%s-%d-%s", name, os.Geteuid(), strings.TrimSpace(string(id))))
	if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && owner(fi) == os.Geteuid() {
		data, _ := os.ReadFile(p)
		if ok, reason, found := strings.Cut(string(data), "\n"); found && (ok == "yes" || ok == "no") {
			return ok == "yes", reason + " (probed earlier since boot)"
		}
	}
	ok, reason := probe()
	word := map[bool]string{true: "yes", false: "no"}[ok]
	if fh, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp-"); err == nil {
		fh.WriteString(word + "\n" + reason)
		fh.Close()
		if os.Rename(fh.Name(), p) != nil {
			os.Remove(fh.Name())
		}
	}
	return ok, reason
}

// owner is the user id owning the file fi describes.
func owner(fi os.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
