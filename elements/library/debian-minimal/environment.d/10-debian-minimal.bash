# Written for diskimage-builder in Go: the variables debian-minimal gives
# every hook. DIB_RELEASE and DIB_DISTRIBUTION_MIRROR come from the build.
export DISTRO_NAME=debian
export DIB_INIT_SYSTEM=systemd
export EFI_BOOT_DIR="EFI/debian"
export DIB_DEBIAN_COMPONENTS=${DIB_DEBIAN_COMPONENTS:-main}
export DIB_DEBIAN_COMPONENTS_WS=${DIB_DEBIAN_COMPONENTS//,/ }
