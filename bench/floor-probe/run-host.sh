#!/usr/bin/env bash
# Issue #11's floor probe on this machine: alternates MODES (floor-probe.c)
# for the write(64 B) loop and sysbench seqrd (sync, tmpfs, pinned to one
# CPU, as bench/run.sh runs it), ROUNDS times, rotating the order; prints
# one line per run and the medians. A mode the kernel refuses prints why.
# Usage: bench/floor-probe/run-host.sh [ROUNDS] [MODES...]   (as root)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/floor-probe
WORK=${FP_WORK:-/tmp/floor-probe-host}
V=$ROOT/vendor/libbpf
ROUNDS=${1:-5}
shift || true
MODES=("${@:-none}")
(($# > 0)) || MODES=(none tp fentry)
N=${FP_WRITES:-2000000}
T=${FP_TIME:-5}
mkdir -p "$WORK/fs"
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$ROOT/bpf/.output" -I"$V/include" \
	-c "$HERE/floor-probe.bpf.c" -o "$WORK/floor-probe.bpf.o"
cc -O2 -Wall -I"$V/include" "$HERE/floor-probe.c" "$V/lib/libbpf.a" -lelf -lz -o "$WORK/floor-probe"
cc -O2 -Wall -o "$WORK/writeloop" "$ROOT/bench/writeloop.c"
mount -t tmpfs -o size=2G floor-probe "$WORK/fs"
trap 'cd /; umount "$WORK/fs"' EXIT
cd "$WORK/fs"
SB=(sysbench fileio --file-total-size=1G --file-test-mode=seqrd --file-io-mode=sync)
"${SB[@]}" prepare >/dev/null
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
probe() { "$WORK/floor-probe" "$WORK/floor-probe.bpf.o" "$@"; }
for r in $(seq "$ROUNDS"); do
	for m in "${MODES[@]}"; do
		if w=$(probe "$m" taskset -c 0 "$WORK/writeloop" "$N" 2>&1); then
			echo "write $m r$r $(sed -n 's/.*ns_per_call=//p' <<<"$w")"
			s=$(probe "$m" taskset -c 0 "${SB[@]}" --threads=1 --time="$T" run 2>&1 | awk '/read, MiB\/s:/ { print $3 }')
			echo "seqrd $m r$r $s"
		else
			echo "refused $m: $(tail -1 <<<"$w") ($(grep -m1 'load failed\|Operation' <<<"$w" || true))"
		fi
	done
	MODES=("${MODES[@]:1}" "${MODES[0]}")
done | tee "$WORK/runs.txt"
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
# Medians per benchmark and mode (mawk has no asort: sort, then pick).
grep -E '^(write|seqrd) ' "$WORK/runs.txt" | sort -k1,1 -k2,2 -k4,4g | awk '
	function flush() { if (n) printf "median %s %s %s of %d\n", b, m, (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2), n }
	$1 != b || $2 != m { flush(); b = $1; m = $2; n = 0 }
	{ v[++n] = $4 }
	END { flush() }'
