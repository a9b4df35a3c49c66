# ---- base of the ramdisk /init ----

# mount_filesystems: the kernel's filesystems and the runtime tmpfs.
mount_filesystems() {
	mkdir -p /proc /sys /dev /run /tmp
	mount -t proc -o nosuid,nodev,noexec proc /proc
	mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
	mount -t devtmpfs -o mode=0755,nosuid devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
}

# load_modules: drivers for the hardware present, by udev when the ramdisk
# has it, else by busybox mdev and the modaliases in sysfs; then the
# modules listed in /etc/modules.
load_modules() {
	_udevd=
	for _c in udevd /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do
		if command -v "$_c" >/dev/null 2>&1; then
			_udevd=$_c
			break
		fi
	done
	if [ -n "$_udevd" ] && command -v udevadm >/dev/null 2>&1; then
		log "loading drivers with udev"
		"$_udevd" --daemon --resolve-names=never
		udevadm trigger --type=subsystems --action=add
		udevadm trigger --type=devices --action=add
		udevadm settle --timeout=60 || log "udevadm settle timed out"
	else
		log "loading drivers with mdev and modprobe"
		if [ -w /proc/sys/kernel/hotplug ] && command -v mdev >/dev/null 2>&1; then
			echo "$(command -v mdev)" >/proc/sys/kernel/hotplug 2>/dev/null || true
		fi
		for _round in 1 2 3; do
			find "$INIT_SYSFS/devices" -name modalias -type f -exec cat {} + 2>/dev/null |
				sort -u | xargs -r modprobe -ab 2>/dev/null || true
			mdev -s 2>/dev/null || true
		done
	fi
	if [ -f /etc/modules ]; then
		sed -e 's/#.*//' /etc/modules | while read -r _mod _args; do
			[ -z "$_mod" ] || modprobe "$_mod" $_args || log "modprobe $_mod failed"
		done
	fi
}

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount_filesystems
log "diskimage-builder ramdisk, kernel $(uname -r)"
parse_cmdline
load_modules
net_up
