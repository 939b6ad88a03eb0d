package miner

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

func readBlock(t *testing.T, name string) *wire.MsgBlock {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var blk wire.MsgBlock
	if err := blk.Deserialize(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	return &blk
}

func TestHeaderHashesOfRealBlocks(t *testing.T) {
	raw, err := os.ReadFile("testdata/mainnet_headers.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Headers []struct {
			Height    int64  `json:"height"`
			HeaderHex string `json:"header_hex"`
			Hash      string `json:"hash"`
			Bits      string `json:"bits"`
		} `json:"headers"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Headers) < 3 {
		t.Fatalf("only %d headers in the vector file", len(v.Headers))
	}
	for _, h := range v.Headers {
		hb, _ := hex.DecodeString(h.HeaderHex)
		got := chainhash.DoubleHashH(hb)
		if got.String() != h.Hash {
			t.Errorf("height %d: hash %s, want %s", h.Height, got, h.Hash)
		}
		var bits uint32
		for _, c := range h.Bits {
			bits = bits<<4 | uint32(strings.IndexRune("0123456789abcdef", c))
		}
		target := BitsToTarget(bits)
		if !MeetsTarget(&got, &target) {
			t.Errorf("height %d: real block hash does not meet its own target", h.Height)
		}
		if d := HashDifficulty(&got); d < BitsDifficulty(bits) {
			t.Errorf("height %d: share difficulty %g below network difficulty %g", h.Height, d, BitsDifficulty(bits))
		}
	}
}

func TestMerkleRootsOfRealBlocks(t *testing.T) {
	for _, tc := range []struct {
		file, root string
		txs        int
	}{
		{"mainnet_546.hex", "e10a7f8442ea6cc6803a2b83713765c0b1199924110205f601f90fef125e7dfe", 4},
		{"mainnet_586.hex", "197b3d968ce463aa5da7d8eeba8af35eba80ded4e4fe6808e6cc0dd1c069594d", 3},
	} {
		t.Run(tc.file, func(t *testing.T) {
			blk := readBlock(t, tc.file)
			if len(blk.Transactions) != tc.txs {
				t.Fatalf("%d txs, want %d", len(blk.Transactions), tc.txs)
			}
			var ids []chainhash.Hash
			for _, tx := range blk.Transactions {
				ids = append(ids, tx.TxHash())
			}
			if got := MerkleRoot(ids); got.String() != tc.root {
				t.Fatalf("merkle root %s, want %s", got, tc.root)
			}
			// The coinbase branch folds to the same root.
			if got := RootFromBranch(ids[0], MerkleBranch(ids[1:])); got.String() != tc.root {
				t.Fatalf("branch root %s, want %s", got, tc.root)
			}
			if got := blk.Header.MerkleRoot.String(); got != tc.root {
				t.Fatalf("header says %s", got)
			}
		})
	}
}

func TestMerkleBranchAllSizes(t *testing.T) {
	for n := 1; n <= 17; n++ {
		ids := make([]chainhash.Hash, n)
		for i := range ids {
			ids[i] = chainhash.DoubleHashH([]byte{byte(i), byte(n)})
		}
		if got, want := RootFromBranch(ids[0], MerkleBranch(ids[1:])), MerkleRoot(ids); got != want {
			t.Errorf("%d leaves: branch root %s, want %s", n, got, want)
		}
	}
}

func TestWitnessCommitmentOfBtcdSegwitBlock(t *testing.T) {
	blk := readBlock(t, "btcd_regtest_segwit_block.hex")
	if got := blk.BlockHash().String(); got != "7f0243354d619fbde477ab45f88088a7c04a62446652800ca29803444a8eddd6" {
		t.Fatalf("block hash %s", got)
	}
	var wtxids []chainhash.Hash
	for _, tx := range blk.Transactions[1:] {
		wtxids = append(wtxids, tx.WitnessHash())
	}
	var reserved [32]byte
	copy(reserved[:], blk.Transactions[0].TxIn[0].Witness[0])
	c := WitnessCommitment(wtxids, reserved)
	var found bool
	for _, out := range blk.Transactions[0].TxOut {
		if bytes.HasPrefix(out.PkScript, witnessMagic) && bytes.Equal(out.PkScript[6:38], c[:]) {
			found = true
		}
	}
	if !found {
		t.Fatalf("computed commitment %x not in the coinbase outputs", c[:])
	}
	// The empty-block commitment is a well-known constant.
	e := WitnessCommitment(nil, [32]byte{})
	if hex.EncodeToString(e[:]) != "e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9" {
		t.Fatalf("empty commitment %x", e[:])
	}
}

func TestHeightScript(t *testing.T) {
	for _, tc := range []struct {
		h    int64
		want string
	}{
		{1, "51"}, {16, "60"}, {17, "0111"}, {127, "017f"}, {128, "028000"}, {255, "02ff00"},
		{256, "020001"}, {65535, "03ffff00"}, {800000, "0300350c"}, {227931, "035b7a03"},
	} {
		got, err := HeightScript(tc.h)
		if err != nil || hex.EncodeToString(got) != tc.want {
			t.Errorf("height %d: %x %v, want %s", tc.h, got, err, tc.want)
		}
	}
}

func TestCoinbaseLayout(t *testing.T) {
	payout, _ := hex.DecodeString("0014751e76e8199196d454941c45d1b3a323f1433bd6")
	for _, h := range []int64{1, 16, 17, 127, 128, 255, 256, 65535, 800000} {
		for _, commit := range [][]byte{nil, bytes.Repeat([]byte{7}, 32)} {
			cb, err := buildCoinbase(h, payout, 5000000000, []byte("/soloist/"), commit)
			if err != nil {
				t.Fatal(err)
			}
			en := []byte{1, 2, 3, 4, 5, 6, 7, 8}
			var tx wire.MsgTx
			if err := tx.Deserialize(bytes.NewReader(cb.full(en))); err != nil {
				t.Fatalf("height %d: coinbase does not decode: %v", h, err)
			}
			sig := tx.TxIn[0].SignatureScript
			hs, _ := HeightScript(h)
			if !bytes.HasPrefix(sig, hs) || len(sig) < 2 || len(sig) > 100 {
				t.Errorf("height %d: scriptSig %x", h, sig)
			}
			if !bytes.Contains(sig, en) {
				t.Errorf("height %d: extranonce missing", h)
			}
			if tx.TxOut[0].Value != 5000000000 || !bytes.Equal(tx.TxOut[0].PkScript, payout) {
				t.Errorf("height %d: output 0 %d %x", h, tx.TxOut[0].Value, tx.TxOut[0].PkScript)
			}
			if commit != nil {
				if len(tx.TxOut) != 2 || !bytes.Equal(tx.TxOut[1].PkScript[6:], commit) || tx.TxOut[1].Value != 0 {
					t.Errorf("height %d: commitment output wrong", h)
				}
				if len(tx.TxIn[0].Witness) != 1 || !bytes.Equal(tx.TxIn[0].Witness[0], make([]byte, 32)) {
					t.Errorf("height %d: reserved value missing", h)
				}
			} else if len(tx.TxOut) != 1 || tx.HasWitness() {
				t.Errorf("height %d: unexpected commitment or witness", h)
			}
			// txid = hash of the legacy form.
			if tx.TxHash() != chainhash.DoubleHashH(cb.legacy(en)) {
				t.Errorf("height %d: txid differs from the legacy serialization", h)
			}
		}
	}
}
