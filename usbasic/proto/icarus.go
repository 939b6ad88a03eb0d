package proto

import "encoding/hex"

// IcarusReplyLen is the length of a Block Erupter reply: the nonce bytes.
const IcarusReplyLen = 4

// IcarusGoldenWork is the 64-byte detection work (block 171874) every
// Icarus-protocol device must answer with IcarusGoldenNonce.
var IcarusGoldenWork = mustHex("4679ba4ec99876bf4bfe086082b400254df6c356451471139a3afa71e48f544a" +
	"0000000000000000000000000000000000000000" + "87320b1a1426674f2fa722ce")

// IcarusGoldenNonce is the only diff-1 nonce of IcarusGoldenWork.
var IcarusGoldenNonce = [4]byte{0x00, 0x01, 0x87, 0xA2}

// BusyWorkTail is the TAIL_FIELD of cgminer's BM1387/BM1397 busy work
// (midstates all zero); BusyWorkNonces are its only diff-1 nonces.
var (
	BusyWorkTail   = [12]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	BusyWorkNonces = [][4]byte{{0x72, 0x03, 0xEA, 0x83}, {0xE1, 0x6B, 0xF8, 0x09}}
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
