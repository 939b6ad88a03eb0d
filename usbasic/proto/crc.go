package proto

// CRC5 returns the Bitmain CRC5 (poly 0x05, init 0x1F, MSB first, no
// reflection, no final xor) of the first bits bits of data. Frames put the
// CRC in the low 5 bits of their last byte, so bits is often not a multiple
// of 8. bits is capped at 8·len(data).
func CRC5(data []byte, bits int) uint8 {
	if bits > 8*len(data) {
		bits = 8 * len(data)
	}
	crc := uint8(0x1f)
	for i := 0; i < bits; i++ {
		b := (data[i/8] >> (7 - uint(i%8))) & 1
		fb := (crc>>4)&1 ^ b
		crc = (crc << 1) & 0x1f
		if fb != 0 {
			crc ^= 0x05
		}
	}
	return crc
}

// CRC16 returns CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of data, the
// checksum of BM1397 and BM1387 job packets.
func CRC16(data []byte) uint16 {
	crc := uint16(0xffff)
	for _, c := range data {
		crc ^= uint16(c) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
