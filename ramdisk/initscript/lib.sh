# ---- functions of the ramdisk /init (POSIX sh, run by busybox sh) ----
#
# Contract for the init fragments of flavours:
# - Each fragment runs in a subshell with "set -e": a failing command ends
#   it. A fragment that ends with a non-zero status, or calls
#   fail "MESSAGE", prints "ERROR: ..." and opens a shell on the console;
#   the fragments after it are skipped and the machine reboots.
# - "exit 0" ends a fragment early and successfully.
# - Variables set in a fragment vanish with its subshell; "keep NAME..."
#   hands them to the fragments after it (and to the end script).
# - "troubleshoot [REASON]" opens a shell on the console and continues when
#   it exits.
# - Set by the base script: BOOTIF, BOOT_MAC, IP, BOOT_IP_ADDRESS,
#   BOOT_NETMASK, BOOT_GATEWAY, BOOT_HOSTNAME, BOOT_IP_DEVICE,
#   BOOT_IP_AUTOCONF, BOOT_INTERFACE, BOOT_SERVER, DEPLOYMENT_ID,
#   DEPLOYMENT_KEY, ISCSI_TARGET_IQN, IRONIC_API_URL, TROUBLESHOOT, DISK.

: "${INIT_ENV:=/run/init.env}"
: "${INIT_SYSFS:=/sys}"
: "${INIT_NET_WAIT:=30}"
: "${UDHCPC_ENV:=/run/udhcpc.env}"
INIT_FAILED=
INIT_FRAGMENT=

log() {
	echo "init: $*" >&2
}

# troubleshoot [REASON]: a shell on the console; init goes on when it exits.
troubleshoot() {
	log "starting a troubleshooting shell${1:+ ($1)}; exit it to continue"
	if command -v setsid >/dev/null 2>&1 && command -v cttyhack >/dev/null 2>&1; then
		setsid cttyhack sh
	else
		sh
	fi
}

# reboot_now: the end of every path through init; it never returns.
reboot_now() {
	log "rebooting"
	sync
	reboot -f
	while :; do sleep 60; done
}

# fail MESSAGE: in a fragment, end it with an error; elsewhere, report the
# error, open a troubleshooting shell and reboot.
fail() {
	echo "ERROR: $*" >&2
	if [ -n "$INIT_FRAGMENT" ]; then
		exit 1
	fi
	INIT_FAILED=$*
	troubleshoot "$*"
	reboot_now
}

# keep NAME...: hand variables to later fragments and the end script.
keep() {
	for _name in "$@"; do
		case $_name in
		'' | [0-9]* | *[!A-Za-z0-9_]*) fail "keep: bad variable name '$_name'" ;;
		esac
		eval "_val=\${$_name-}"
		printf "%s='%s'\n" "$_name" "$(printf '%s' "$_val" | sed "s/'/'\\\\''/g")" >>"$INIT_ENV"
	done
}

# fragment_done FLAVOUR STATUS: after each fragment.
fragment_done() {
	if [ -f "$INIT_ENV" ]; then
		. "$INIT_ENV"
	fi
	if [ "$2" -ne 0 ]; then
		INIT_FAILED="init fragment from $1 failed with status $2"
		echo "ERROR: $INIT_FAILED" >&2
		troubleshoot "$INIT_FAILED"
	fi
}

# bootif_mac BOOTIF: the MAC address of pxelinux's 01-aa-bb-cc-dd-ee-ff.
bootif_mac() {
	_mac=$1
	case $_mac in
	??-??-??-??-??-??-??) _mac=${_mac#??-} ;;
	esac
	echo "$_mac" | tr 'A-F-' 'a-f:'
}

# parse_cmdline: the kernel command line (INIT_CMDLINE, default
# /proc/cmdline) into the variables of the contract.
parse_cmdline() {
	BOOTIF= IP= DEPLOYMENT_ID= DEPLOYMENT_KEY= ISCSI_TARGET_IQN= IRONIC_API_URL=
	BOOT_SERVER= TROUBLESHOOT= DISK=
	_cmdline=$(cat "${INIT_CMDLINE:-/proc/cmdline}")
	set -f
	for _arg in $_cmdline; do
		case $_arg in
		BOOTIF=*) BOOTIF=${_arg#*=} ;;
		ip=*) IP=${_arg#*=} ;;
		deployment_id=*) DEPLOYMENT_ID=${_arg#*=} ;;
		deployment_key=*) DEPLOYMENT_KEY=${_arg#*=} ;;
		iscsi_target_iqn=*) ISCSI_TARGET_IQN=${_arg#*=} ;;
		ironic_api_url=*) IRONIC_API_URL=${_arg#*=} ;;
		boot_server=*) BOOT_SERVER=${_arg#*=} ;;
		disk=*) DISK=${_arg#*=} ;;
		troubleshoot) TROUBLESHOOT=1 ;;
		troubleshoot=*)
			TROUBLESHOOT=${_arg#*=}
			case $TROUBLESHOOT in 0 | no | off | false) TROUBLESHOOT= ;; esac
			;;
		esac
	done
	set +f
	BOOT_MAC=
	if [ -n "$BOOTIF" ]; then
		BOOT_MAC=$(bootif_mac "$BOOTIF")
	fi
	parse_ip "$IP"
	if [ -z "$BOOT_SERVER" ]; then
		BOOT_SERVER=$_ip_server
	fi
}

# parse_ip VALUE: the kernel's ip=client:server:gateway:netmask:hostname:
# device:autoconf, or ip=dhcp (and the other autoconf words).
parse_ip() {
	BOOT_IP_ADDRESS= _ip_server= BOOT_GATEWAY= BOOT_NETMASK= BOOT_HOSTNAME=
	BOOT_IP_DEVICE= BOOT_IP_AUTOCONF=
	case $1 in
	'') return 0 ;;
	*:*) ;;
	*)
		BOOT_IP_AUTOCONF=$1
		return 0
		;;
	esac
	_ifs=$IFS
	IFS=:
	set -f
	# shellcheck disable=SC2086
	set -- $1
	set +f
	IFS=$_ifs
	BOOT_IP_ADDRESS=$1 _ip_server=${2-} BOOT_GATEWAY=${3-} BOOT_NETMASK=${4-}
	BOOT_HOSTNAME=${5-} BOOT_IP_DEVICE=${6-} BOOT_IP_AUTOCONF=${7-}
	if [ "$BOOT_IP_ADDRESS" = 0.0.0.0 ]; then
		BOOT_IP_ADDRESS=
	fi
}

# static_ip: whether ip= asks for a fixed address rather than DHCP.
static_ip() {
	[ -n "$BOOT_IP_ADDRESS" ] || return 1
	case $BOOT_IP_AUTOCONF in '' | off | none | static) return 0 ;; esac
	return 1
}
