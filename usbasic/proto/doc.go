// Package proto encodes and decodes the wire protocols of the USB-stick
// ASICs soloist drives: the Bitmain BM1397, BM1387 and BM1384 frame formats
// (CRC5 command frames, CRC16 job packets, register and nonce replies), their
// PLL and baud encodings, ticket masks, and the Icarus 64-byte work / 4-byte
// reply protocol of the Block Erupter. It also holds the SHA-256 pieces the
// chips share: midstates, the 12-byte header tail, and hashing a nonce from a
// midstate.
//
// The package is pure: no I/O, no goroutines, no state beyond the values a
// caller holds. Scanners (stream reassemblers for chip replies) are not safe
// for concurrent use; everything else is.
//
// Byte order follows usb-asic-protocols.md §0.2: H[0..79] is the header as
// hashed, nonce bytes on the wire are H[76..79] in order.
package proto
