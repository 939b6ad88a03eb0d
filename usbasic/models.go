package usbasic

import (
	"strings"
	"time"
)

// Bridge is the USB-UART bridge chip of a stick.
type Bridge int

// Bridges.
const (
	BridgeUnknown Bridge = iota
	BridgeFT230X         // FTDI FT230X, 0403:6015: 2 status bytes per IN packet, CBUS1 = chip reset
	BridgeCP2102         // Silicon Labs CP2102, 10c4:ea60: raw IN data, no reset line
)

var bridgeNames = [...]string{"unknown", "FT230X", "CP2102"}

// String returns the bridge's name.
func (b Bridge) String() string {
	if b < 0 || int(b) >= len(bridgeNames) {
		return "unknown"
	}
	return bridgeNames[b]
}

// USB IDs of the bridges.
const (
	VIDFTDI   uint16 = 0x0403
	PIDFT230X uint16 = 0x6015
	VIDSiLabs uint16 = 0x10c4
	PIDCP2102 uint16 = 0xea60
)

// Model describes one kind of stick: how to recognise it on the bus, how to
// set up its bridge, and what its chips are. Values are read-only.
type Model struct {
	// Name is the short lower-case name used in hasher names and flags
	// ("compacf", "newpac", "erupter").
	Name string
	// Title is the product name shown to users.
	Title  string
	Family Family
	Bridge Bridge
	VID    uint16
	PID    uint16
	// Manufacturers are the accepted iManufacturer strings, compared
	// exactly (case-sensitive, as cgminer does); empty means any.
	Manufacturers []string
	// Product is the iProduct string, compared case-insensitively; empty
	// means any (see ProductWords and Probe).
	Product string
	// ProductWords, when set, match a product string that contains every
	// word, case-insensitively (bfgminer's rule for the Block Erupter).
	ProductWords []string
	// Probe is true for sticks whose strings are generic (a plain CP2102):
	// they are claimed only when no string match applies and Selftest
	// answers as this model.
	Probe bool
	// MarkParity: the CP2102 line is 8 data bits, mark parity, 1 stop
	// (SET_LINE_CTL 0x0830) instead of the power-on 8N1. BM1384 sticks only.
	MarkParity bool
	// InitialBaud is the UART rate after set-up, before the driver raises it.
	InitialBaud int
	// ResetHold is how long the chips' reset line is held low (FT230X
	// sticks); 0 for sticks without a reset line.
	ResetHold time.Duration
	// DefaultMHz is the hash clock used when the user gives none; MinMHz
	// and MaxMHz bound what the user may set. All 0 for fixed-clock sticks.
	DefaultMHz float64
	MinMHz     float64
	MaxMHz     float64
	// StartMHz is the clock the driver starts at before ramping to the
	// target (0 = start at the target).
	StartMHz float64
	// Chips is the number of chips on the stick. When ChipsExact is false
	// the count read at start-up is used and Chips is only nominal.
	Chips      int
	ChipsExact bool
	// CoresPerChip × RateFactor × frequency is one chip's nominal rate.
	CoresPerChip int
	RateFactor   float64
	// FixedRate is the nominal rate in H/s of sticks without a settable
	// clock (Block Erupter); 0 otherwise.
	FixedRate float64
	// Antminer is the AntMiner U generation (1 for U1/U2/U2+, 3 for U3):
	// Icarus framing with 5-byte replies carrying a work id, and the BM138x
	// clock command. 0 for every other model.
	Antminer int
	// VoltageMV is the core voltage set at start-up (AntMiner U3), 0 = none.
	VoltageMV int
}

// ExpectedRate is the nominal hash rate in H/s at f MHz with chips chips.
func (m *Model) ExpectedRate(f float64, chips int) float64 {
	if m.FixedRate > 0 {
		return m.FixedRate
	}
	if chips <= 0 {
		chips = m.Chips
	}
	return f * 1e6 * float64(m.CoresPerChip) * float64(chips) * m.RateFactor
}

// ClampMHz returns the frequency to run at when the user asks for f MHz
// (0 = the default), kept within the model's bounds.
func (m *Model) ClampMHz(f float64) float64 {
	if m.FixedRate > 0 && m.DefaultMHz == 0 {
		return 0
	}
	if f <= 0 {
		return m.DefaultMHz
	}
	if f < m.MinMHz {
		return m.MinMHz
	}
	if f > m.MaxMHz {
		return m.MaxMHz
	}
	return f
}

var (
	gekko   = []string{"GekkoScience"}
	gekkoBS = []string{"GekkoScience", "bitshopperde"}
)

// modelTable is never modified; Models returns copies.
var modelTable = [...]Model{
	{
		Name: "compacf", Title: "GekkoScience Compac F", Family: FamilyBM1397, Bridge: BridgeFT230X,
		VID: VIDFTDI, PID: PIDFT230X, Manufacturers: gekko, Product: "CompacF Bitcoin Miner",
		InitialBaud: 115384, ResetHold: time.Second,
		DefaultMHz: 200, MinMHz: 100, MaxMHz: 800,
		Chips: 1, CoresPerChip: 672, RateFactor: 52.5 / 67.2,
	},
	{
		Name: "r909", Title: "GekkoScience R909", Family: FamilyBM1397, Bridge: BridgeFT230X,
		VID: VIDFTDI, PID: PIDFT230X, Manufacturers: gekko, Product: "R909 Bitcoin Miner",
		InitialBaud: 115384, ResetHold: time.Second,
		DefaultMHz: 450, StartMHz: 400, MinMHz: 100, MaxMHz: 800,
		Chips: 6, CoresPerChip: 672, RateFactor: 1, // chip count unverified
	},
	{
		Name: "newpac", Title: "GekkoScience NewPac", Family: FamilyBM1387, Bridge: BridgeFT230X,
		VID: VIDFTDI, PID: PIDFT230X, Manufacturers: gekko, Product: "NewPac Bitcoin Miner",
		InitialBaud: 115384, ResetHold: 30 * time.Millisecond,
		DefaultMHz: 100, MinMHz: 50, MaxMHz: 1200,
		Chips: 2, ChipsExact: true, CoresPerChip: 114, RateFactor: 1,
	},
	{
		Name: "r606", Title: "GekkoScience Terminus R606", Family: FamilyBM1387, Bridge: BridgeFT230X,
		VID: VIDFTDI, PID: PIDFT230X, Manufacturers: gekko, Product: "R606 Bitcoin Miner",
		InitialBaud: 115384, ResetHold: 30 * time.Millisecond,
		DefaultMHz: 550, MinMHz: 50, MaxMHz: 1200,
		Chips: 12, ChipsExact: true, CoresPerChip: 114, RateFactor: 1,
	},
	{
		Name: "compac", Title: "GekkoScience Compac", Family: FamilyBM1384, Bridge: BridgeCP2102,
		VID: VIDSiLabs, PID: PIDCP2102, Manufacturers: gekkoBS, Product: "Compac BM1384 Bitcoin Miner",
		MarkParity: true, InitialBaud: 115200,
		DefaultMHz: 150, StartMHz: 100, MinMHz: 100, MaxMHz: 500,
		Chips: 1, CoresPerChip: 55, RateFactor: 1,
	},
	{
		Name: "2pac", Title: "GekkoScience 2Pac", Family: FamilyBM1384, Bridge: BridgeCP2102,
		VID: VIDSiLabs, PID: PIDCP2102, Manufacturers: gekkoBS, Product: "2Pac BM1384 Bitcoin Miner",
		MarkParity: true, InitialBaud: 115200,
		DefaultMHz: 100, MinMHz: 100, MaxMHz: 500,
		Chips: 2, CoresPerChip: 55, RateFactor: 1,
	},
	{
		Name: "terminus", Title: "GekkoScience Terminus (BM1384)", Family: FamilyBM1384, Bridge: BridgeCP2102,
		VID: VIDSiLabs, PID: PIDCP2102, Manufacturers: gekkoBS, Product: "Terminus BM1384 Bitcoin Miner",
		MarkParity: true, InitialBaud: 115200,
		DefaultMHz: 150, StartMHz: 100, MinMHz: 100, MaxMHz: 500,
		Chips: 0, CoresPerChip: 55, RateFactor: 1,
	},
	{
		Name: "erupter", Title: "ASICMiner Block Erupter USB", Family: FamilyIcarus, Bridge: BridgeCP2102,
		VID: VIDSiLabs, PID: PIDCP2102, ProductWords: []string{"block", "erupter"}, Probe: true,
		InitialBaud: 115200,
		Chips:       1, CoresPerChip: 1, RateFactor: 1, FixedRate: 1 / 2.9761e-9,
	},
	{
		// 0.125 µs / f_MHz per nonce: 8 hashes per clock.
		Name: "antminer-u1", Title: "Bitmain AntMiner U1/U2", Family: FamilyIcarus, Bridge: BridgeCP2102,
		VID: VIDSiLabs, PID: PIDCP2102, ProductWords: []string{"antminer"}, Probe: true,
		InitialBaud: 115200, Antminer: 1,
		DefaultMHz: 250, MinMHz: 125, MaxMHz: 500,
		Chips: 1, CoresPerChip: 8, RateFactor: 1,
	},
	{
		// 3.2 ns / f_MHz per nonce: 312.5 hashes per clock.
		Name: "antminer-u3", Title: "Bitmain AntMiner U3", Family: FamilyIcarus, Bridge: BridgeCP2102,
		VID: VIDSiLabs, PID: PIDCP2102, ProductWords: []string{"antminer", "u3"}, Probe: true,
		InitialBaud: 115200, Antminer: 3, VoltageMV: 775,
		DefaultMHz: 225, MinMHz: 100, MaxMHz: 250,
		Chips: 1, CoresPerChip: 1, RateFactor: 312.5,
	},
}

// Models returns the table of supported sticks, in match order.
func Models() []Model {
	out := make([]Model, len(modelTable))
	copy(out, modelTable[:])
	return out
}

// LookupModel returns the model with the given Name.
func LookupModel(name string) (Model, bool) {
	for _, m := range modelTable {
		if m.Name == name {
			return m, true
		}
	}
	return Model{}, false
}

// MatchModels returns the models a USB device may be, best first. A model
// whose strings match wins outright (one result). Otherwise the result is
// the Probe models of that VID:PID (to be confirmed by Selftest), and nil
// when the device is not a stick soloist knows.
func MatchModels(vid, pid uint16, manufacturer, product string) []Model {
	var (
		probes []Model
		best   *Model
	)
	for i := range modelTable {
		m := &modelTable[i]
		if m.VID != vid || m.PID != pid {
			continue
		}
		// The most specific string match wins ("Antminer U3" over "Antminer").
		if m.stringsMatch(manufacturer, product) && (best == nil || m.specificity() > best.specificity()) {
			best = m
		}
		if m.Probe {
			probes = append(probes, *m)
		}
	}
	if best != nil {
		return []Model{*best}
	}
	// A GekkoScience product string on the FT230X/CP2102 that no entry
	// names is not probed as a Block Erupter: it is some other miner.
	if strings.Contains(strings.ToLower(product), "bitcoin miner") {
		return nil
	}
	return probes
}

func (m *Model) specificity() int {
	if m.Product != "" {
		return 100
	}
	return len(m.ProductWords)
}

func (m *Model) stringsMatch(manufacturer, product string) bool {
	if len(m.Manufacturers) > 0 {
		ok := false
		for _, s := range m.Manufacturers {
			if s == manufacturer {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if m.Product != "" {
		return strings.EqualFold(m.Product, product)
	}
	if len(m.ProductWords) > 0 {
		p := strings.ToLower(product)
		for _, w := range m.ProductWords {
			if !strings.Contains(p, w) {
				return false
			}
		}
		return true
	}
	return false
}
