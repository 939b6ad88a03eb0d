// Package demo is an embedded Bitcoin node for `soloist --demo`: a private
// network ("soloistdemo") validated by btcd v0.24.2's consensus code
// (blockchain, database/ffldb) and served over the part of Bitcoin Core's
// JSON-RPC that the miner uses, so the miner talks to it through exactly the
// client it uses for a real node.
//
// # What it owns
//
//   - A fresh chain in Config.Dir (ffldb under Dir/chain) with a genesis
//     block made at start. Nothing is written outside Dir.
//   - A cookie file Dir/.cookie holding "__cookie__:<64 hex>"; every HTTP
//     request needs it as basic auth. Close removes it.
//   - A JSON-RPC 1.0 server on a random 127.0.0.1 port answering like
//     Bitcoin Core 29: getblocktemplate (with long polling and proposals),
//     submitblock (BIP22 reject strings mapped from btcd's rule errors),
//     getmininginfo, getblockchaininfo, getbestblockhash, getblockcount,
//     getblockhash, getblockheader, getblock, getnetworkinfo,
//     getconnectioncount, getdifficulty, getrawmempool, uptime, ping.
//     JSON-RPC 2.0 requests get 2.0 replies; batches are answered.
//   - A wallet key that receives the premine (Config.Premine blocks mined
//     at start) and spends it in a trickle of synthetic transactions
//     (P2WPKH and P2PKH, some spending unconfirmed parents) that pay random
//     fees and enter the mempool, so templates carry transactions and fees.
//     Blocks mined by a miner pay only the miner's coinbase.
//
// # Network parameters
//
// Params() is a copy of btcd's regtest parameters with: Name "soloistdemo",
// magic 0xd3a0f1c5, bech32 HRP "sdemo" (registered with chaincfg once per
// process, so btcutil.DecodeAddress works), BIP34/65/66 from height 1,
// segwit, CSV and taproot active from height 3 (BIP9 window 1, threshold 0),
// coinbase maturity 10, halving every 210000 blocks, powlimit 0x207fffff.
//
// # Difficulty
//
// btcd retargets every BlocksPerRetarget (10) blocks, clamped to ×4 either
// way. It measures 9 intervals against a timespan of 10, and a short window
// is noisy, so with TargetTimePerBlock = T the mean interval comes out about
// 1.25 T; the node therefore sets TargetTimePerBlock to 4/5 of
// Config.TargetSpacing (24 s for the default 30 s, timespan 240 s). From the
// 2-hash starting difficulty a 1–50 MH/s miner reaches ~30 s blocks after
// about 130 blocks, in one to two minutes.
//
// ReduceMinDifficulty is on as a safety valve, with MinDiffReductionTime =
// 6 spacings (180 s): a block timestamped more than that after its parent
// must use the easiest bits, so a miner that got much slower never waits
// more than a few minutes per block, and the next retarget after such a
// block restarts the ramp. (At a retarget height the rule does not apply.)
// Because bits then depend on the header time, every template states the
// range of times its bits are valid for: mintime..maxtime (maxtime is the
// BIP23 field; Bitcoin Core does not send it). A miner must keep its header
// time in that range; the long poll returns as soon as the easiest bits
// become valid.
//
// # Concurrency
//
// All methods of Node are safe for concurrent use. One mutex serialises
// block processing, template building, the mempool and the wallet. Start
// launches the HTTP server goroutine (one goroutine per request, as
// net/http does), the trickle goroutine and a timer per tip; Close stops
// them all, releases waiting long polls with -9 "Shutting down", and closes
// the database. The only package-level state is a sync.Once around
// chaincfg.Register, which is process-wide by nature.
package demo
