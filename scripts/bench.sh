#!/bin/sh
# make bench: the best CPU kernel's MH/s per core beside the single-stream SHA-256 rate that
# `openssl speed` implies on the same machine in the same run, and how the rate scales to every
# core.
#
# openssl hashes one long message, a single dependent chain of 64-byte compressions, so its
# 16 KB bytes/s ÷ 64 is the compressions per second one SHA stream gets (on SHA-NI CPUs it is
# bound by the SHA256RNDS2 latency). A header nonce costs two compressions with a midstate, so
# ÷ 2 gives the MH/s of a straightforward one-stream kernel. The interleaved kernels run two or
# three nonces side by side and skip constant work, which is how they get past that rate;
# the goal is >= 24 MH/s per core, >= 2.2x the openssl-implied rate, and linear in cores.
#
# Rates are per thread and per CPU-second (the thread CPU time the kernel got, as openssl speed
# divides by CPU time too), so other load on the machine does not skew the comparison; two
# threads are linear when each keeps the 1-thread rate (SMT siblings sharing one SHA unit would
# halve it). The three measurements are interleaved BENCH_RUNS times and the best of each is
# reported.
#
# Environment: BENCH_SECONDS (default 3) per measurement, BENCH_RUNS (default 3),
# SOLOIST (default ./soloist), BENCH_KERNEL (default auto).
set -eu

secs=${BENCH_SECONDS:-3}
runs=${BENCH_RUNS:-3}
bin=${SOLOIST:-./soloist}
kernel=${BENCH_KERNEL:-auto}
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)

if ! "$bin" bench --help >/dev/null 2>&1; then
	echo "bench.sh: $bin has no working 'bench' subcommand (build it with make build)" >&2
	exit 1
fi
if ! command -v openssl >/dev/null 2>&1; then
	echo "bench.sh: openssl not found (apt-get install openssl)" >&2
	exit 1
fi

# json FIELD: read a numeric or string field from the one-object JSON on stdin.
json() {
	sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n 1
}

# rate JSON: hashes per second per thread, per cpu-second where the platform measures thread cpu
# time (as openssl speed divides by cpu time), else per wall-clock second.
rate() {
	r=$(printf '%s\n' "$1" | json hashes_per_cpu_second_per_thread)
	if [ -z "$r" ]; then
		r=$(printf '%s\n' "$1" | json hashes_per_second_per_thread)
	fi
	printf '%s\n' "$r"
}

best() { awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 > a + 0) ? b : a }'; }

ossl=0 rate1=0 rateN=0 name=
i=1
while [ "$i" -le "$runs" ]; do
	echo "run $i/$runs: openssl speed -evp sha256 (16 KB, ${secs}s), then $kernel on 1 and $cores threads (${secs}s each)" >&2
	o=$(openssl speed -evp sha256 -seconds "$secs" -bytes 16384 2>/dev/null | awk '$1 == "sha256" { sub(/k$/, "", $2); printf "%.0f\n", $2 * 1000 }')
	if [ -z "$o" ]; then
		echo "bench.sh: could not read the openssl speed result" >&2
		exit 1
	fi
	one=$("$bin" bench --cpu 1 --seconds "$secs" --kernel "$kernel" --json)
	all=$("$bin" bench --cpu "$cores" --seconds "$secs" --kernel "$kernel" --json)
	name=$(printf '%s\n' "$one" | json kernel)
	ossl=$(best "$ossl" "$o")
	rate1=$(best "$rate1" "$(rate "$one")")
	rateN=$(best "$rateN" "$(rate "$all")")
	i=$((i + 1))
done

awk -v runs="$runs" -v ossl="$ossl" -v r1="$rate1" -v rn="$rateN" -v n="$cores" -v k="$name" 'BEGIN {
	comp = ossl / 64
	implied = comp / 2
	printf "kernel                       %s (best of %d runs)\n", k, runs
	printf "openssl sha256 (1 stream)    %.1f MB/s = %.2f M compressions/s\n", ossl / 1e6, comp / 1e6
	printf "openssl-implied sha256d      %.2f MH/s per core (2 compressions per nonce)\n", implied / 1e6
	printf "%-28s %.2f MH/s per core\n", k " (1 thread)", r1 / 1e6
	printf "ratio to openssl-implied     %.2fx\n", r1 / implied
	printf "%-28s %.2f MH/s per thread, %.2fx the 1-thread rate, so %.2f MH/s on %d cores\n", k " (" n " threads)", rn / 1e6, rn / r1, n * rn / 1e6, n
	printf "targets                      >= 24 MH/s per core: %s; >= 2.2x openssl: %s; linear (each thread >= 0.9x the 1-thread rate): %s\n",
		(r1 >= 24e6 ? "met" : "NOT met"), (r1 >= 2.2 * implied ? "met" : "NOT met"), (rn >= 0.9 * r1 ? "met" : "NOT met")
}'
