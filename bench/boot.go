package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tripleo/diskimage-builder/integration/cloudmeta"
	"github.com/tripleo/diskimage-builder/integration/guest"
	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Boot settings: the machine a cloud would give a small instance (one
// vCPU: under TCG a second one only shares the same host thread), and how
// long a first boot may take under TCG on a busy host before it counts as
// failed.
const (
	bootDiskSize = "4G"
	bootMemory   = 1024
	bootCPUs     = 1
	bootTimeout  = 10 * time.Minute
)

// bootSSH boots image:vm's qcow2, each run a fresh instance (an overlay
// grown to bootDiskSize, a config drive with an ssh key, a host name and
// user-data), on a restricted user network with the ssh port forwarded,
// and times QEMU's start to the first ssh login of the default user (the
// total). The phases are that and what follows until cloud-init says it is
// done. The CPU column is of the whole run, QEMU's included (it is waited
// for when the run ends): unlike the wall clock, it hardly grows when other
// work shares the machine.
func (r *runner) bootSSH(ctx context.Context) *Series {
	s := &Series{Name: "first boot of image:vm to ssh (TCG unless KVM works)"}
	if err := r.ensureVM(ctx, "the boot"); err != nil {
		s.Err = err
		return s
	}
	return r.measureOwn(ctx, s, r.c.Counts.Warm, func(i int) (time.Duration, []Timing, error) {
		dir, err := r.mkdir("boot-")
		if err != nil {
			return 0, nil, err
		}
		defer os.RemoveAll(dir)
		phases, err := r.bootOnce(ctx, dir, i)
		if err != nil {
			return 0, nil, err
		}
		return phases[0].Duration, phases, nil
	})
}

// bootOnce boots one fresh instance in dir and returns its timings.
func (r *runner) bootOnce(ctx context.Context, dir string, i int) ([]Timing, error) {
	key, err := guest.NewKey(ctx, dir, "bench")
	if err != nil {
		return nil, err
	}
	disk := filepath.Join(dir, "disk.qcow2")
	if _, err := run.Run(ctx, run.Cmd{Argv: []string{"qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", r.qcow2, disk, bootDiskSize}}); err != nil {
		return nil, fmt.Errorf("boot overlay: %w", err)
	}
	inst := cloudmeta.Instance{UUID: fmt.Sprintf("0be0c0de-0000-4000-8000-%012d", i), Name: "bench", Hostname: "bench.example.org",
		Keys: []string{key.Public}, UserData: "#cloud-config\nruncmd:\n  - [touch, /var/lib/bench-user-data]\n"}
	iso, err := cloudmeta.ConfigDrive(ctx, dir, inst)
	if err != nil {
		return nil, err
	}
	port, err := qemu.FreePort()
	if err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(r.c.Log, format+"\n", args...) }
	start := time.Now()
	vm, err := qemu.Launch(logf, qemu.WithDisk(disk, "qcow2"), qemu.WithCDROM(iso), qemu.WithMemory(bootMemory),
		qemu.WithSMP(bootCPUs), qemu.WithUserNet(qemu.TCPFwd(port, 22)))
	if err != nil {
		return nil, err
	}
	defer vm.Close()
	ssh := &guest.SSH{Port: port, User: "debian", Key: key, KnownHosts: filepath.Join(dir, "known_hosts")}
	if _, err := ssh.Wait(ctx, bootTimeout); err != nil {
		return nil, err
	}
	up := time.Since(start)
	if _, err := ssh.Run(ctx, "sudo cloud-init status --wait >/dev/null"); err != nil {
		return nil, fmt.Errorf("wait for cloud-init: %w", err)
	}
	done := time.Since(start)
	return []Timing{{"boot to ssh login", up}, {"then cloud-init done", done - up}}, nil
}
