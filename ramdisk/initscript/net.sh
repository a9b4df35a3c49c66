# ---- network functions of the ramdisk /init ----

# find_boot_interface: print the interface to boot from: the one with
# BOOT_MAC, else the one ip= names, else the first whose carrier comes up
# once all links are set up. Waits up to INIT_NET_WAIT seconds.
find_boot_interface() {
	_n=0
	while [ "$_n" -le "$INIT_NET_WAIT" ]; do
		for _dev in "$INIT_SYSFS"/class/net/*; do
			[ -e "$_dev" ] || continue
			_name=${_dev##*/}
			[ "$_name" != lo ] || continue
			if [ -n "$BOOT_MAC" ]; then
				if [ "$(tr 'A-F' 'a-f' <"$_dev/address")" = "$BOOT_MAC" ]; then
					echo "$_name"
					return 0
				fi
			elif [ -n "$BOOT_IP_DEVICE" ]; then
				if [ "$_name" = "$BOOT_IP_DEVICE" ]; then
					echo "$_name"
					return 0
				fi
			else
				if [ "$_n" -eq 0 ]; then
					ip link set dev "$_name" up >/dev/null 2>&1 || true
				fi
				if [ "$(cat "$_dev/carrier" 2>/dev/null)" = 1 ]; then
					echo "$_name"
					return 0
				fi
			fi
		done
		_n=$((_n + 1))
		if [ "$_n" -le "$INIT_NET_WAIT" ]; then
			sleep 1
		fi
	done
	return 1
}

# net_up: bring up the boot interface with ip= or DHCP, and set
# BOOT_INTERFACE, BOOT_IP_ADDRESS, BOOT_NETMASK and BOOT_GATEWAY.
net_up() {
	BOOT_INTERFACE=$(find_boot_interface) ||
		fail "no network interface found (BOOTIF=${BOOTIF:-none}, ip=${IP:-none})"
	log "boot interface $BOOT_INTERFACE"
	ip link set dev "$BOOT_INTERFACE" up
	if static_ip; then
		ifconfig "$BOOT_INTERFACE" "$BOOT_IP_ADDRESS" ${BOOT_NETMASK:+netmask "$BOOT_NETMASK"} up ||
			fail "configure $BOOT_IP_ADDRESS on $BOOT_INTERFACE"
		if [ -n "$BOOT_GATEWAY" ]; then
			route add default gw "$BOOT_GATEWAY" || fail "add default route via $BOOT_GATEWAY"
		fi
	else
		udhcpc -i "$BOOT_INTERFACE" -s /etc/udhcpc/default.script -n -t 10 -T 3 ||
			fail "DHCP on $BOOT_INTERFACE got no lease"
		if [ -f "$UDHCPC_ENV" ]; then
			. "$UDHCPC_ENV"
		fi
	fi
	if [ -n "$BOOT_HOSTNAME" ]; then
		hostname "$BOOT_HOSTNAME" || true
	fi
	log "address ${BOOT_IP_ADDRESS:-unknown} on $BOOT_INTERFACE"
}
