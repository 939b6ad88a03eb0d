package proto

import "math"

// BM1380FreqCode returns the AntMiner U1/U2 (BM1380) clock code for f MHz
// as cgminer searches it: code = BS<<14 | M<<7 | R<<2 | OD with
// f = 25·(M+1)/((R+1)·2^OD), the first exact match over OD 0..3, R 0..15,
// M 0..63, BS = 1 when 500 ≤ f·2^OD ≤ 1000. ok is false when no setting
// gives f exactly.
func BM1380FreqCode(f float64) (code uint16, ok bool) {
	for od := 0; od < 4; od++ {
		for r := 0; r < 16; r++ {
			for m := 0; m < 64; m++ {
				g := 25 * float64(m+1) / (float64(r+1) * float64(int(1)<<od))
				if math.Abs(g-f) > 1e-6 {
					continue
				}
				bs := 0
				if v := f * float64(int(1)<<od); v >= 500 && v <= 1000 {
					bs = 1
				}
				return uint16(bs<<14 | m<<7 | r<<2 | od), true
			}
		}
	}
	return 0, false
}

// BM1380FreqMHz decodes a BM1380 clock code.
func BM1380FreqMHz(code uint16) float64 {
	m, r, od := int(code>>7)&0x7f, int(code>>2)&0xf, int(code)&3
	return 25 * float64(m+1) / (float64(r+1) * float64(int(1)<<od))
}

// VoltageFrame is the AntMiner U3 core-voltage command for mv millivolts
// (BCD digits, flag bits 110): 775 mV → AA B7 75 DE.
func VoltageFrame(mv int) []byte {
	d := func(n int) byte { return byte(n % 10) }
	return BM1384Cmd(0xAA, 0xB0|d(mv/100), d(mv/10)<<4|d(mv), 6)
}
