package flavours

// Phase is one hook directory of a flavour and where its hooks run.
type Phase struct {
	Name     string // directory name without ".d", e.g. "install"
	InChroot bool   // hooks run inside the image root
}

// Dir is the phase's directory name inside a flavour, e.g. "install.d".
func (p Phase) Dir() string { return p.Name + ".d" }

// The hook phases, in the order a disk image build runs them.
var (
	ExtraData   = Phase{"extra-data", false}
	PreInstall  = Phase{"pre-install", true}
	Install     = Phase{"install", true}
	PostInstall = Phase{"post-install", true}
	Finalise    = Phase{"finalise", true}
	Cleanup     = Phase{"cleanup", false}
	BlockDevice = Phase{"block-device", false}
	// FirstBoot hooks are not run by the build: they are installed into the
	// image and run once on its first boot.
	FirstBoot = Phase{"first-boot", true}
)

// Phases lists every hook phase a flavour may have.
var Phases = []Phase{ExtraData, PreInstall, Install, PostInstall, Finalise, Cleanup, BlockDevice, FirstBoot}

// PhaseByName returns the phase called name ("install"), or false.
func PhaseByName(name string) (Phase, bool) {
	for _, p := range Phases {
		if p.Name == name {
			return p, true
		}
	}
	return Phase{}, false
}
