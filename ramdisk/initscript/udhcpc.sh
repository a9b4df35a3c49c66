#!/bin/sh
# udhcpc event script of the ramdisk: sets the address, the default route
# and /etc/resolv.conf, and writes what it got to UDHCPC_ENV for /init.
RESOLV_CONF=${RESOLV_CONF:-/etc/resolv.conf}
UDHCPC_ENV=${UDHCPC_ENV:-/run/udhcpc.env}

case $1 in
deconfig)
	ip -4 addr flush dev "$interface"
	ip link set dev "$interface" up
	;;
bound | renew)
	ip -4 addr flush dev "$interface"
	if [ -n "$mask" ]; then
		ip addr add "$ip/$mask" ${broadcast:+broadcast "$broadcast"} dev "$interface"
	else
		ifconfig "$interface" "$ip" ${subnet:+netmask "$subnet"} up
	fi
	if [ -n "$router" ]; then
		while ip route del default dev "$interface" 2>/dev/null; do :; done
		for _r in $router; do
			ip route add default via "$_r" dev "$interface" && break
		done
	fi
	: >"$RESOLV_CONF"
	if [ -n "$domain" ]; then
		echo "search $domain" >>"$RESOLV_CONF"
	fi
	for _d in $dns; do
		echo "nameserver $_d" >>"$RESOLV_CONF"
	done
	{
		echo "BOOT_IP_ADDRESS='$ip'"
		echo "BOOT_NETMASK='${subnet:-}'"
		echo "BOOT_GATEWAY='${router%% *}'"
	} >"$UDHCPC_ENV"
	;;
esac
exit 0
