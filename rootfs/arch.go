package rootfs

// SupportedArchs are the architectures a root can be built for here.
var SupportedArchs = []string{"amd64"}

// NormalizeArch maps the names the original accepted (x86_64, aarch64) to
// Debian architecture names.
func NormalizeArch(a string) string {
	switch a {
	case "x86_64", "amd64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	}
	return a
}
