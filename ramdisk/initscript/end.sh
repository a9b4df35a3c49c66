# ---- end of the ramdisk /init ----
if [ -n "$INIT_FAILED" ]; then
	log "failed: $INIT_FAILED"
fi
if [ -n "$TROUBLESHOOT" ]; then
	troubleshoot "troubleshoot is on the kernel command line"
fi
reboot_now
