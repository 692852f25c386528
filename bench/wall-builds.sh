#!/usr/bin/env bash
# Builds of traceloop against each other by the wall clock: the workload's own figure (writeloop's
# ns per call, or sysbench seqrd's MiB/s), with each variant's `traceloop cgroups` running, the
# variants' order rotated in every round. Where bench/ab-builds.mjs reads the kernel's accounting,
# this reads what the workload sees: on a host where cold memory dominates, the two can disagree
# (bench/results.md, "The kernel's accounting against the wall clock").
#
# A variant is NAME=BUILD:MODE, BUILD a directory with a built checkout's dist/ (see
# bench/ab-builds.mjs), MODE one of
#   none      no traceloop running (BUILD is ignored: write none=-:none)
#   floor     BUILD's programs in floor mode (TRACELOOP_BENCH_FLOOR=1), recording the workload
#   passive   BUILD recording another, empty cgroup
#   active    BUILD recording the workload's cgroup
# BENCH_STATS=1 keeps kernel.bpf_stats_enabled on meanwhile (the accounting's own cost included).
#
# Usage: bench/wall-builds.sh write|seqrd ROUNDS VARIANT VARIANT...      (as root)
#   write: bench/out/writeloop 2000000 (npm run bench builds it); seqrd: sysbench fileio
#   seqrd, 256 MiB on a tmpfs this script mounts at /tmp/traceloop-wall-seqrd (and removes).
# Prints each round, then each variant's median and its per-round difference from the first
# variant (ns per call for write; points of the first variant for seqrd).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(($# >= 4)) || {
	echo "usage: $0 write|seqrd ROUNDS NAME=BUILD:MODE NAME=BUILD:MODE..." >&2
	exit 2
}
workload=$1 rounds=$2
shift 2
variants=("$@")
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[[ -n $cg2 ]] || {
	echo "wall-builds: no cgroup2 mount" >&2
	exit 1
}
base=$cg2/traceloop-wall
work=$base/work other=$base/other
mkdir -p "$work" "$other"
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled)
files=/tmp/traceloop-wall-seqrd mounted=0
cleanup() {
	echo "$stats_was" >/proc/sys/kernel/bpf_stats_enabled
	rmdir "$work" "$other" "$base" 2>/dev/null || true
	if ((mounted)); then umount "$files" && rmdir "$files"; fi
}
trap cleanup EXIT
[[ ${BENCH_STATS:-0} == 1 ]] && echo 1 >/proc/sys/kernel/bpf_stats_enabled

case $workload in
write)
	loop=$ROOT/bench/out/writeloop
	[[ -x $loop ]] || cc -O2 -o "$loop" "$ROOT/bench/writeloop.c"
	measure() {
		sh -c 'echo $$ > "$0/cgroup.procs" && exec taskset -c 0 "$1" 2000000' "$work" "$loop" |
			sed -n 's/.*ns_per_call=//p'
	}
	;;
seqrd)
	mkdir -p "$files"
	if ! mountpoint -q "$files"; then mount -t tmpfs -o size=600M tmpfs "$files" && mounted=1; fi
	(cd "$files" && [[ -f test_file.0 ]] || sysbench fileio --file-total-size=256M --file-test-mode=seqrd prepare >/dev/null)
	measure() {
		(cd "$files" && sh -c 'echo $$ > "$0/cgroup.procs" && exec taskset -c 0 sysbench fileio --file-total-size=256M --file-test-mode=seqrd --file-io-mode=sync --threads=1 --time=3 run' "$work") |
			awk '/read, MiB\/s/ { print $3 }'
	}
	;;
*)
	echo "wall-builds: workload '$workload' is neither write nor seqrd" >&2
	exit 2
	;;
esac

results=$(mktemp)
n=${#variants[@]}
for ((r = 1; r <= rounds; r++)); do
	line="r$r"
	for ((k = 0; k < n; k++)); do
		v=${variants[$(((k + r) % n))]}
		name=${v%%=*} spec=${v#*=}
		build=${spec%:*} mode=${spec##*:}
		pid=
		case $mode in
		none) ;;
		floor) TRACELOOP_BENCH_FLOOR=1 node "$build/dist/cli.js" cgroups --dump-on-exit "$work" >/dev/null 2>&1 & pid=$! ;;
		passive) node "$build/dist/cli.js" cgroups --dump-on-exit "$other" >/dev/null 2>&1 & pid=$! ;;
		active) node "$build/dist/cli.js" cgroups --dump-on-exit "$work" >/dev/null 2>&1 & pid=$! ;;
		*)
			echo "wall-builds: mode '$mode' of $name is not none, floor, passive or active" >&2
			exit 2
			;;
		esac
		sleep 1.5 # loaded and attached
		line="$line $name=$(measure)"
		if [[ -n $pid ]]; then kill -INT "$pid" && wait "$pid" || true; fi
	done
	echo "$line" | tee -a "$results"
done
node - "$workload" "$results" "${variants[@]}" <<'SUMMARY'
const fs = require('node:fs');
const [workload, file, ...variants] = process.argv.slice(2);
const names = variants.map((v) => v.split('=')[0]);
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) =>
  Object.fromEntries([...l.matchAll(/(\S+)=([\d.]+)/g)].map((m) => [m[1], Number(m[2])])));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
const [first] = names;
for (const name of names) {
  const own = median(rows.map((r) => r[name]));
  let line = `${name}: median ${own.toFixed(1)} ${workload === 'write' ? 'ns per call' : 'MiB/s'}`;
  if (name !== first) {
    const d = rows.map((r) => workload === 'write' ? r[name] - r[first] : ((r[name] - r[first]) / r[first]) * 100);
    line += `; against ${first}, paired median ${median(d).toFixed(1)} ${workload === 'write' ? 'ns' : 'points'} (${d.map((x) => x.toFixed(1)).join(' ')})`;
  }
  console.log(line);
}
SUMMARY
rm -f "$results"
