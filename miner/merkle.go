package miner

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// MerkleRoot computes the merkle root of leaves (txids in internal order),
// duplicating the last element of an odd level as Bitcoin does.
func MerkleRoot(leaves []chainhash.Hash) chainhash.Hash {
	if len(leaves) == 0 {
		return chainhash.Hash{}
	}
	level := append([]chainhash.Hash(nil), leaves...)
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := level[:0:0]
		for i := 0; i < len(level); i += 2 {
			next = append(next, hashPair(&level[i], &level[i+1]))
		}
		level = next
	}
	return level[0]
}

// MerkleBranch returns the sibling hashes on the path of leaf 0 (the
// coinbase) for a block whose other transactions have txids rest.
func MerkleBranch(rest []chainhash.Hash) []chainhash.Hash {
	var branch []chainhash.Hash
	// level holds the hashes to the right of the path's node; index 0 of the
	// real level is the path itself and is not known here.
	level := append([]chainhash.Hash(nil), rest...)
	for len(level) > 0 {
		branch = append(branch, level[0])
		// Pair up the remaining nodes of the level (after the path node and its
		// sibling) to form the next level's nodes to the right of the path.
		tail := level[1:]
		if len(tail)%2 == 1 {
			tail = append(tail, tail[len(tail)-1])
		}
		next := make([]chainhash.Hash, 0, len(tail)/2)
		for i := 0; i < len(tail); i += 2 {
			next = append(next, hashPair(&tail[i], &tail[i+1]))
		}
		level = next
	}
	return branch
}

// RootFromBranch folds the coinbase txid up a merkle branch.
func RootFromBranch(coinbase chainhash.Hash, branch []chainhash.Hash) chainhash.Hash {
	h := coinbase
	for i := range branch {
		h = hashPair(&h, &branch[i])
	}
	return h
}

// WitnessCommitment returns SHA256d(witness root ‖ reserved) where the
// witness root is the merkle root of the wtxids with the coinbase's replaced
// by zeros (BIP141). wtxids are those of the non-coinbase transactions.
func WitnessCommitment(wtxids []chainhash.Hash, reserved [32]byte) chainhash.Hash {
	leaves := make([]chainhash.Hash, 0, len(wtxids)+1)
	leaves = append(leaves, chainhash.Hash{})
	leaves = append(leaves, wtxids...)
	root := MerkleRoot(leaves)
	var buf [64]byte
	copy(buf[:32], root[:])
	copy(buf[32:], reserved[:])
	return chainhash.DoubleHashH(buf[:])
}

func hashPair(a, b *chainhash.Hash) chainhash.Hash {
	var buf [64]byte
	copy(buf[:32], a[:])
	copy(buf[32:], b[:])
	return chainhash.DoubleHashH(buf[:])
}
