package btcdtest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// record builds one ffldb flat-file record.
func record(network uint32, blk []byte) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, network)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(blk)))
	b = append(b, blk...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
}

func TestReadFlatFiles(t *testing.T) {
	const net = 0xdab5bffa
	a, b, c := bytes.Repeat([]byte{1}, 81), bytes.Repeat([]byte{2}, 90), bytes.Repeat([]byte{3}, 85)
	corrupt := record(net, c)
	corrupt[20] ^= 1
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  [][]byte
		err   bool
	}{
		{"in file order", map[string][]byte{
			"000000001.fdb": record(net, c),
			"000000000.fdb": append(record(net, a), record(net, b)...),
		}, [][]byte{a, b, c}, false},
		{"stops at a cut record", map[string][]byte{"000000000.fdb": append(record(net, a), record(net, b)[:50]...)}, [][]byte{a}, false},
		{"stops at a bad checksum", map[string][]byte{"000000000.fdb": append(record(net, a), corrupt...)}, [][]byte{a}, false},
		{"ignores other files", map[string][]byte{"000000000.fdb": record(net, a), "peers.json": []byte("{}")}, [][]byte{a}, false},
		{"other network", map[string][]byte{"000000000.fdb": record(0xd9b4bef9, a)}, nil, true},
		{"empty", nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readFlatFiles(dir, net)
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d blocks, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !bytes.Equal(got[i], tc.want[i]) {
					t.Errorf("block %d differs", i)
				}
			}
		})
	}
}
