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
// way. It measures 9 intervals against a timespan of 10, the window is
// short and noisy, and the safety valve below cuts off long waits; with
// TargetTimePerBlock = 9/10 of Config.TargetSpacing (27 s and a 270 s
// timespan for the default 30 s) the simulated mean interval is 28.5–30 s
// for 1–50 MH/s. From the 2-hash starting difficulty such a miner reaches
// ~30 s blocks after about 140 blocks, in 1.5–3.5 minutes.
//
// Safety valve: ReduceMinDifficulty is on, with MinDiffReductionTime = 6
// spacings (180 s). A block timestamped more than that after its parent must
// use the easiest bits, so a miner that got much slower waits at most about
// 3 minutes per block, and the first retarget after such a block restarts
// the ramp from the easiest difficulty. Because bits then depend on the
// header time, every template states the range of header times its bits
// are valid for, mintime..maxtime (maxtime is the BIP23 field; Bitcoin Core
// does not send it). A miner must keep its header time in that range; the
// long poll returns as soon as the easiest bits become valid.
//
// Rescue: the valve does not apply at retarget heights. If a retarget block
// above the easiest difficulty has not come 3 × MinDiffReductionTime (9
// minutes) after its parent's time, the node invalidates that parent (a
// one-block reorg, logged); the replacement may use the easiest bits at
// once. At a steady hash rate this practically never happens; a miner that
// pauses that long just before a retarget block sees the same reorg.
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
