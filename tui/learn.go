package tui

import (
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"github.com/soloist-miner/soloist/miner"
)

// learnView is tab 3: the work being hashed, explained. The header field
// by field, the coinbase decoded, the target and the best hash as leading
// zero bits, and a glossary.
func (m Model) learnView(w int) []string {
	cw := min(w, 100)
	f := frame{g: m.g, st: m.st}
	iw := f.inner(cw)
	var out []string
	add := func(title string, lines []string) { out = append(out, f.render(title, lines, cw)...) }
	wv := m.snap.Work
	field := func(name, value, meaning string) []string {
		lines := []string{fit(m.st.label.Render(pad(name, 13, ""))+m.st.value.Render(value), iw, m.g.ellipsis)}
		for _, l := range wrapWords(meaning, iw-4) {
			lines = append(lines, "    "+m.st.dim.Render(l))
		}
		return lines
	}
	if wv.Bits == 0 {
		add("Block header", []string{m.st.dim.Render("no work yet: the header appears once the node gives a template")})
	} else {
		var h []string
		h = append(h, wrapWords("The 80 bytes the hashers hash, twice with SHA-256. A block is found when the result, read as a number, is at or below the target.", iw)...)
		h = append(h, field("version", fmt.Sprintf("0x%08x", uint32(wv.Version)),
			"Which rule upgrades the block signals (BIP9 bits). Devices may also roll bits 13-28 as extra search space (BIP320).")...)
		h = append(h, field("prev hash", wv.PrevHash.String(),
			"The block this one builds on. Changing any older block would change this hash, which is what chains blocks together.")...)
		h = append(h, field("merkle root", wv.MerkleRoot.String(),
			"One hash committing to every transaction, the coinbase first. A new extranonce changes the coinbase and so this root.")...)
		h = append(h, field("time", fmt.Sprintf("%d = %s", wv.Time, time.Unix(int64(wv.Time), 0).UTC().Format("2006-01-02 15:04:05 UTC")),
			"Seconds since 1970 by the miner's clock, kept within the node's limits (above the median of the last 11 blocks).")...)
		h = append(h, field("bits", fmt.Sprintf("0x%08x = difficulty %s", wv.Bits, formatSI(miner.BitsDifficulty(wv.Bits))),
			"The target in compact form: one byte of exponent, three of mantissa. Mainnet adjusts it every 2016 blocks; test and demo chains may differ.")...)
		h = append(h, field("nonce", fmt.Sprintf("0x%08x", wv.Nonce),
			"The 32-bit counter the hashers step through: 4.3 billion tries per header. Shown: the nonce of the best share on this work.")...)
		add("Block header", h)

		var c []string
		c = append(c, wrapWords("The first transaction of the block, written by soloist: it creates the new coins and pays them, with the fees, to you.", iw)...)
		c = append(c, field("height", formatCount(wv.Height)+" (script "+hex.EncodeToString(wv.HeightScript)+")",
			"The block height, first in the coinbase script (BIP34), so that no two coinbases are alike.")...)
		c = append(c, field("extranonce", hex.EncodeToString(wv.Extranonce),
			"Bytes soloist varies so that every device searches its own headers, and to go on once the nonces run out.")...)
		tag := wv.Tag
		if tag == "" {
			tag = "(none)"
		}
		c = append(c, field("tag", fmt.Sprintf("%q", tag), "Free text in the coinbase script; the world sees it if you find a block.")...)
		payout := wv.PayoutAddress
		if payout == "" {
			payout = hex.EncodeToString(wv.PayoutScript)
		}
		c = append(c, field("payout", payout+" gets "+formatBTC(wv.PayoutValue),
			"Output 0: the subsidy plus all the template's fees, to your address. Spendable after 100 more blocks.")...)
		commit := "none (no segwit transactions)"
		if len(wv.Commitment) > 0 {
			commit = hex.EncodeToString(wv.Commitment)
		}
		c = append(c, field("witness", commit,
			"The witness commitment (BIP141): a hash of all the segwit signatures, in an extra output.")...)
		c = append(c, m.st.dim.Render(fmt.Sprintf("the whole coinbase is %d bytes", len(wv.Coinbase))))
		add("Coinbase", c)
	}
	add("Target and your best hash", m.zeroBitLines(iw))
	add("Glossary", m.glossary(iw))
	return out
}

// zeroBitLines compares the target and the session's best hash by their
// leading zero bits.
func (m Model) zeroBitLines(w int) []string {
	t := m.snap.Template.Target
	if t == ([32]byte{}) && m.snap.Template.Bits != 0 {
		t = miner.BitsToTarget(m.snap.Template.Bits)
	}
	if t == ([32]byte{}) {
		return []string{m.st.dim.Render("no target yet")}
	}
	display := func(b [32]byte) string {
		r := make([]byte, 32)
		for i := range b {
			r[31-i] = b[i]
		}
		return hex.EncodeToString(r)
	}
	tz := leadingZeroBits(t)
	lines := wrapWords("Both read as 256-bit numbers; a hash wins when it is at or below the target. Each leading zero bit halves the chance of a random hash.", w)
	hexLine := func(name string, b [32]byte, zeros int) []string {
		v := display(b)
		n := fmt.Sprintf(" %d zero bits", zeros)
		if zeros == 1 {
			n = " 1 zero bit"
		}
		if 8+len(v)+len(n) <= w {
			return []string{m.st.label.Render(pad(name, 8, "")) + v + m.st.value.Render(n)}
		}
		return []string{m.st.label.Render(name) + m.st.value.Render(n), fit("  "+v, w, m.g.ellipsis)}
	}
	lines = append(lines, hexLine("target", t, tz)...)
	best := m.snap.Best.Session
	if best.Difficulty <= 0 {
		return append(lines, m.st.dim.Render("no share yet this session"))
	}
	bz := leadingZeroBits(best.Hash)
	lines = append(lines, hexLine("best", best.Hash, bz)...)
	var verdict string
	if miner.MeetsTarget(&best.Hash, &t) {
		verdict = "Your best hash meets the target: that was a block."
	} else {
		short := math.Log2(m.figures().difficulty / best.Difficulty)
		verdict = fmt.Sprintf("Your best share is %.1f bits (%s times) short of a block. A share this good takes about %s hashes on average; a block takes %s times as many.",
			short, formatSI(math.Exp2(short)), formatSmall(best.Difficulty*hashesPerDifficulty), formatSI(math.Exp2(short)))
		if short <= 0 {
			verdict = "Your best share is close to the network difficulty."
		}
	}
	return append(lines, wrapWords(verdict, w)...)
}

// glossary explains the words the screen uses.
func (m Model) glossary(w int) []string {
	terms := []struct{ term, meaning string }{
		{"share", "A hash that beats an easy target. Solo, shares earn nothing: they prove the hardware works and show how close you came."},
		{"difficulty", "How many times harder a target is than difficulty 1 (about 4.3 billion hashes). A share of difficulty d is as rare as 1 in d" + m.g.times + "4.3 billion hashes."},
		{"best share", "The highest difficulty reached: this session, since the current tip (this block), and all-time (kept across restarts until you reset it)."},
		{"extranonce", "Bytes in the coinbase that the miner changes to get a fresh header when the 4.3 billion nonces are used up."},
		{"witness commitment", "A coinbase output holding the hash of the segwit data (BIP141); blocks with segwit transactions need it."},
		{"effort", "Hashes done as a share of the hashes a block takes on average. 100% is average luck; luck has no memory."},
	}
	var lines []string
	for _, t := range terms {
		lines = append(lines, m.st.label.Render(t.term))
		for _, l := range wrapWords(t.meaning, w-4) {
			lines = append(lines, "    "+l)
		}
	}
	return lines
}
