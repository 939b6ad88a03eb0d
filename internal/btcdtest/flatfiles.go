package btcdtest

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
)

// readFlatFiles returns the raw blocks in btcd's ffldb block files in dir (NNNNNNNNN.fdb),
// in the order the database stored them. Each record is
// <network uint32 LE><length uint32 LE><block><CRC-32C of the preceding bytes, big-endian>.
// Reading stops at the first record that is cut short or fails its checksum (space the
// database reserved but did not commit). The database must not be open.
func readFlatFiles(dir string, network uint32) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].fdb"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	table := crc32.MakeTable(crc32.Castagnoli)
	var blocks [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read block file: %w", err)
		}
		for len(data) >= 12 {
			if binary.LittleEndian.Uint32(data) != network {
				return nil, fmt.Errorf("%s: record of network %#x, want %#x", f, binary.LittleEndian.Uint32(data), network)
			}
			n := int(binary.LittleEndian.Uint32(data[4:]))
			if n > len(data)-12 {
				break
			}
			if crc32.Checksum(data[:8+n], table) != binary.BigEndian.Uint32(data[8+n:]) {
				break
			}
			blocks = append(blocks, data[8:8+n])
			data = data[12+n:]
		}
	}
	return blocks, nil
}
