package flavours

// Phase is one hook directory of a flavour and where its hooks run.
type Phase struct {
	Name     string // directory name without ".d", e.g. "install"
	InChroot bool   // hooks run inside the image root
}

// Dir is the phase's directory name inside a flavour, e.g. "install.d".
func (p Phase) Dir() string { return p.Name + ".d" }

// The hook phases, in the order a disk image build runs them (the order of
// the original diskimage-builder).
var (
	// Root hooks run outside the image on the freshly unpacked base
	// ($TARGET_ROOT, $TMP_MOUNT_PATH), before anything else.
	Root        = Phase{"root", false}
	ExtraData   = Phase{"extra-data", false}
	PreInstall  = Phase{"pre-install", true}
	Install     = Phase{"install", true}
	PostInstall = Phase{"post-install", true}
	// PostRoot hooks run outside the image once the in-image phases that
	// install software are done.
	PostRoot = Phase{"post-root", false}
	// BlockDevice hooks of flavours run on the raw disk once it is written;
	// those of elements run where the original ran them, after post-root.d
	// (see Set.ElementHooks).
	BlockDevice = Phase{"block-device", false}
	// PreFinalise hooks run outside the image before finalise.d.
	PreFinalise = Phase{"pre-finalise", false}
	Finalise    = Phase{"finalise", true}
	Cleanup     = Phase{"cleanup", false}
	// FirstBoot hooks are not run by the build: they are installed into the
	// image and run once on its first boot.
	FirstBoot = Phase{"first-boot", true}
)

// Phases lists every hook phase a flavour may have, in the order they run.
var Phases = []Phase{Root, ExtraData, PreInstall, Install, PostInstall, PostRoot, BlockDevice, PreFinalise, Finalise, Cleanup, FirstBoot}

// PhaseByName returns the phase called name ("install"), or false.
func PhaseByName(name string) (Phase, bool) {
	for _, p := range Phases {
		if p.Name == name {
			return p, true
		}
	}
	return Phase{}, false
}
