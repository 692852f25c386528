#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The overhead benchmark of traceloop, in one run (`npm run bench`, as root).
#
#   1. sysbench fileio --file-test-mode=seqrd --file-io-mode=sync on tmpfs, one
#      thread pinned to one CPU: the benchmark of the original traceloop talk.
#   2. A write(fd, 64 bytes) loop (bench/writeloop.c), ns per syscall.
#   3. For both, what the BPF programs cost per syscall, part by part
#      (bench/prog-cost.mjs, bench/cost-parts.mjs: the kernel's own accounting).
#
# Variants, interleaved in rounds so that drift on a shared machine hits all of
# them alike (the start of each round rotates):
#   none     the workload alone, in cgroup traceloop-bench/work
#   floor    traceloop's programs attached but returning at once
#            (TRACELOOP_BENCH_FLOOR=1): the cost of being on the tracepoints
#   passive  traceloop running, recording traceloop-bench/other (empty)
#   active   traceloop running, recording traceloop-bench/work (the workload)
#   strace   strace -f -qq -o /dev/null        (seqrd only)
#   perf     perf trace -o /dev/null           (seqrd only)
#
# Writes bench/results.md (and bench/results.png when gnuplot is there); the raw
# figures and logs go to bench/out/ (git-ignored).
#
# Environment:
#   BENCH_ROUNDS=5            rounds (each round runs every variant once)
#   BENCH_TIME=5              seconds per sysbench run
#   BENCH_ONLY=seqrd|write    run one benchmark only (default: both)
#   BENCH_VARIANTS="none floor passive active strace perf"
#   BENCH_WRITE_N=5000000     write() calls per writeloop run
#   BENCH_FILE_SIZE=1G        sysbench --file-total-size (files live on tmpfs)
#   BENCH_CPU=0               the CPU the workload is pinned to
#   BENCH_NO_INSTALL=1        never apt-get install gnuplot-nox
#   BENCH_QUIET_WAIT=30       before each run, wait up to this many seconds while
#                             someone else's BPF tracing programs are loaded (they
#                             slow every syscall); runs that still see some are
#                             flagged in results.md
#   TL_PROGS="tl_sys_enter tl_sys_exit"   BPF program names that mean "attached"
#   TL_ATTACH_TIMEOUT=20      seconds to wait for them
#   TL_SETTLE=0.5             seconds to wait after they appear
#   TL_CMD="node dist/cli.js cgroups --dump-on-exit"   the recorder command;
#                             the cgroup path is appended
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
OUT=$BENCH/out

ROUNDS=${BENCH_ROUNDS:-5}
TIME=${BENCH_TIME:-5}
ONLY=${BENCH_ONLY:-}
VARIANTS=${BENCH_VARIANTS:-none floor passive active strace perf}
WRITE_N=${BENCH_WRITE_N:-5000000}
FILE_SIZE=${BENCH_FILE_SIZE:-1G}
CPU=${BENCH_CPU:-0}
TL_PROGS=${TL_PROGS-tl_sys_enter tl_sys_exit}
TL_ATTACH_TIMEOUT=${TL_ATTACH_TIMEOUT:-20}
TL_SETTLE=${TL_SETTLE:-0.5}
TL_CMD_SET=${TL_CMD:+1}
TL_CMD=${TL_CMD:-node dist/cli.js cgroups --dump-on-exit}
WRITELOOP_MARK=traceloop-bench-writeloop

# The sysbench run is bounded by --time; the timeouts below only catch hangs.
RUN_LIMIT=$((TIME + 60))
WRITE_LIMIT=120
STOP_LIMIT=60
QUIET_WAIT=${BENCH_QUIET_WAIT:-30}

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

case "$ONLY" in
'' | all) DO_SEQRD=1 DO_WRITE=1 ;;
seqrd) DO_SEQRD=1 DO_WRITE=0 ;;
write) DO_SEQRD=0 DO_WRITE=1 ;;
*) die "BENCH_ONLY must be seqrd or write, not '$ONLY'" ;;
esac
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
[[ $TIME =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIME must be a positive integer (seconds)"
[[ $WRITE_N =~ ^[1-9][0-9]*$ ]] || die "BENCH_WRITE_N must be a positive integer"
[[ $QUIET_WAIT =~ ^[0-9]+$ ]] || die "BENCH_QUIET_WAIT must be a number of seconds"
for v in $VARIANTS; do
	case $v in none | floor | passive | active | strace | perf) ;; *) die "unknown variant '$v'" ;; esac
done
[[ $(id -u) == 0 ]] || die "run as root (cgroups, tmpfs, BPF)"
for tool in sysbench taskset cc bpftool node timeout flock; do
	command -v "$tool" >/dev/null || die "missing tool: $tool"
done

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock -n 9 || die "another bench/run.sh is running (lock $OUT/.lock)"

# ---------------------------------------------------------------- cleanup --

CG_BASE=''
FS_DIR=''
FS_MOUNTED=0
TL_PID=''
OUR_IDS=, # ids of the BPF programs of the traceloop we started, as ",1,2,"

stop_traceloop() { # stop_traceloop → sets TL_RC
	TL_RC=''
	[[ -n $TL_PID ]] || return 0
	kill -INT "$TL_PID" 2>/dev/null
	local waited=0
	while kill -0 "$TL_PID" 2>/dev/null && ((waited < STOP_LIMIT * 10)); do
		sleep 0.1
		waited=$((waited + 1))
	done
	if kill -0 "$TL_PID" 2>/dev/null; then
		log "traceloop (pid $TL_PID) ignored SIGINT for ${STOP_LIMIT}s: SIGTERM, then SIGKILL"
		kill -TERM "$TL_PID" 2>/dev/null
		sleep 2
		kill -KILL "$TL_PID" 2>/dev/null
	fi
	wait "$TL_PID" 2>/dev/null
	TL_RC=$?
	TL_PID=''
	[[ $OUR_IDS == , ]] || wait_ours_gone
}

cleanup() {
	trap - EXIT INT TERM HUP
	set +e
	stop_traceloop
	if [[ -n $CG_BASE && -d $CG_BASE ]]; then
		local cg pid tries
		# Whatever is still in our cgroups was started by this script.
		for cg in "$CG_BASE"/work "$CG_BASE"/other; do
			[[ -d $cg ]] || continue
			for tries in $(seq 50); do
				[[ -s $cg/cgroup.procs ]] || break
				while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$cg/cgroup.procs"
				sleep 0.1
			done
			rmdir "$cg" 2>/dev/null || log "warning: could not remove $cg"
		done
		rmdir "$CG_BASE" 2>/dev/null || log "warning: could not remove $CG_BASE"
	fi
	if [[ -n $FS_DIR && -d $FS_DIR ]]; then
		rm -rf "${FS_DIR:?}"/test_file.* 2>/dev/null
		if ((FS_MOUNTED)); then
			umount "$FS_DIR" 2>/dev/null || umount -l "$FS_DIR" 2>/dev/null || log "warning: could not unmount $FS_DIR"
		fi
		rmdir "$FS_DIR" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM HUP

# ------------------------------------------------------------------ setup --

CG_ROOT=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break; if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
[[ -n $CG_ROOT && -d $CG_ROOT ]] || die "no cgroup2 mount in /proc/self/mountinfo"
if [[ -d $CG_ROOT/traceloop-bench ]]; then
	# A leftover of an earlier run: remove it if it is empty, never kill anything in it.
	rmdir "$CG_ROOT"/traceloop-bench/* "$CG_ROOT"/traceloop-bench 2>/dev/null ||
		die "$CG_ROOT/traceloop-bench exists and is not empty; remove it first"
fi
CG_BASE=$CG_ROOT/traceloop-bench
mkdir "$CG_BASE" "$CG_BASE/work" "$CG_BASE/other" || die "cannot create cgroups under $CG_BASE"
CG_WORK=$CG_BASE/work
CG_OTHER=$CG_BASE/other
log "cgroups: $CG_WORK (workload), $CG_OTHER (empty)"

# tmpfs for the sysbench files: our own mount, or a directory in /dev/shm.
if ((DO_SEQRD)); then
	FS_DIR=/tmp/traceloop-bench
	if mountpoint -q "$FS_DIR" 2>/dev/null; then
		FS_DIR=''
		die "/tmp/traceloop-bench is already a mount point (left over?); umount it first"
	fi
	mkdir -p "$FS_DIR"
	if mount -t tmpfs -o size=4G,mode=0700 traceloop-bench "$FS_DIR"; then
		FS_MOUNTED=1
	else
		rmdir "$FS_DIR"
		FS_DIR=/dev/shm/traceloop-bench.$$
		mkdir "$FS_DIR" || die "cannot create $FS_DIR"
		log "could not mount a tmpfs, using $FS_DIR"
	fi
fi

# writeloop
if ((DO_WRITE)); then
	cc -O2 -Wall -o "$OUT/writeloop" "$BENCH/writeloop.c" || die "cannot compile bench/writeloop.c"
fi

# Is traceloop built?
TL_AVAILABLE=1
TL_MISSING_WHY=''
if [[ -z ${TL_CMD_SET:-} && ! -f $ROOT/dist/cli.js ]]; then
	TL_AVAILABLE=0
	TL_MISSING_WHY='traceloop not built (dist/cli.js missing)'
fi

# perf trace needs tracefs; if it is not mounted, mount it in a private mount
# namespace for perf only, so nothing is left behind.
PERF_WRAP=()
if ! grep -q ' - tracefs ' /proc/self/mountinfo; then
	PERF_WRAP=(unshare -m --propagation private sh -c 'mount -t tracefs tracefs /sys/kernel/tracing && exec "$@"' sh)
fi

# gnuplot for the chart (Debian: gnuplot-nox), installed only when missing.
if ! command -v gnuplot >/dev/null && [[ -z ${BENCH_NO_INSTALL:-} ]] && command -v apt-get >/dev/null; then
	log "installing gnuplot-nox for the chart"
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q gnuplot-nox >"$OUT/apt.log" 2>&1 ||
		log "could not install gnuplot-nox (see bench/out/apt.log): no chart"
fi

# Logs of an earlier run would mislead: start afresh.
rm -f "$OUT"/seqrd-*.log "$OUT"/write-*.log "$OUT"/traceloop-*.out "$OUT"/traceloop-*.err "$OUT"/chart*
RAW=$OUT/raw.tsv
META=$OUT/meta.tsv
: >"$RAW"
: >"$META"
meta() { printf '%s\t%s\n' "$1" "$2" >>"$META"; }
note() { meta note "$1"; }
record() { # record BENCH VARIANT ROUND VALUE [WHY]
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$RAW"
}

if [[ ${npm_lifecycle_event:-} == bench ]]; then
	COMMAND='npm run bench'
else
	COMMAND='bash bench/run.sh'
fi
for var in BENCH_ROUNDS BENCH_TIME BENCH_ONLY BENCH_VARIANTS BENCH_WRITE_N BENCH_FILE_SIZE BENCH_CPU; do
	[[ -n ${!var:-} ]] && COMMAND="$var=${!var} $COMMAND"
done
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta kernel "$(uname -r)"
meta command "$COMMAND"
meta cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo) × $(nproc)"
meta memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
meta rounds "$ROUNDS"
meta time "$TIME"
meta write_n "$WRITE_N"
meta file_size "$FILE_SIZE"
meta cpu_pin "$CPU"
meta do_seqrd "$DO_SEQRD"
meta do_write "$DO_WRITE"
meta variants "$VARIANTS"
meta tl_cmd "$TL_CMD <cgroup>"
meta tmpfs "$([[ $FS_MOUNTED == 1 ]] && echo "own tmpfs mount" || echo "${FS_DIR:-}")"
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
meta versions "$(sysbench --version 2>/dev/null | head -1); $(strace -V 2>/dev/null | head -1); $(perf --version 2>/dev/null | head -1); node $(node --version)"
((TL_AVAILABLE)) || note "passive and active not measured: $TL_MISSING_WHY."

# BPF tracing programs that someone else has attached slow every variant down alike,
# "none" included; say so in the results.
# Checked before each variant run (before traceloop starts) and after it (after traceloop stopped).
# Our own traceloop's programs (ids in OUR_IDS) are not someone else's.
foreign_bpf() {
	bpftool prog show 2>/dev/null | awk -v ours="$OUR_IDS" '
		$2 == "tracing" || $2 == "raw_tracepoint" || $2 == "tracepoint" || $2 == "kprobe" {
			id = $1; sub(":", "", id)
			if (index(ours, "," id ",")) next
			for (i = 1; i < NF; i++) if ($i == "name") printf "%s ", $(i + 1)
		}'
}
# After traceloop exited, the kernel frees its programs a moment later: wait for that.
wait_ours_gone() {
	local deadline=$((SECONDS + 10)) id left
	while ((SECONDS < deadline)); do
		left=0
		for id in ${OUR_IDS//,/ }; do bpftool prog show id "$id" >/dev/null 2>&1 && left=1; done
		((left)) || break
		sleep 0.1
	done
	((left)) && log "warning: programs $OUR_IDS of our traceloop still loaded 10 s after it exited"
	OUR_IDS=,
}
check_foreign() { # check_foreign VARIANT ROUND WHEN: flags the run when there are some
	local progs
	progs=$(foreign_bpf)
	[[ -z $progs ]] && return 0
	meta foreign "$1	$2	${progs% }"
	log "warning: BPF programs of someone else loaded $3 $1 in round $2: $progs"
}
# wait_quiet: give someone else's BPF tracing programs up to BENCH_QUIET_WAIT s to go away.
wait_quiet() {
	local deadline=$((SECONDS + QUIET_WAIT))
	[[ -z $(foreign_bpf) ]] && return 0
	log "waiting up to ${QUIET_WAIT}s for BPF programs of someone else to go away: $(foreign_bpf)"
	while ((SECONDS < deadline)); do
		[[ -z $(foreign_bpf) ]] && return 0
		sleep 0.5
	done
}
START_FOREIGN=$(foreign_bpf)
[[ -n $START_FOREIGN ]] && log "BPF programs of someone else are loaded: $START_FOREIGN"

# ------------------------------------------------------------- workloads --

# "${IN_CG[@]}" CGROUP CMD...: exec CMD inside CGROUP (the shell moves itself there, then execs).
# shellcheck disable=SC2016 # expanded by that sh
IN_CG=(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh)

SYSBENCH=(sysbench fileio "--file-total-size=$FILE_SIZE" --file-test-mode=seqrd --file-io-mode=sync)

# run_seqrd VARIANT ROUND: one sysbench run, records MiB/s.
run_seqrd() {
	local variant=$1 round=$2 logf=$OUT/seqrd-$1-r$2.log
	local run=("${SYSBENCH[@]}" --threads=1 "--time=$TIME" run)
	local cmd=(taskset -c "$CPU" "${run[@]}")
	case $variant in
	strace) cmd=(strace -f -qq -o /dev/null "${cmd[@]}") ;;
	perf) cmd=("${PERF_WRAP[@]}" perf trace -o /dev/null -- "${cmd[@]}") ;;
	esac
	(cd "$FS_DIR" && timeout --foreground -k 10 "$RUN_LIMIT" "${IN_CG[@]}" "$CG_WORK" "${cmd[@]}") >"$logf" 2>&1
	local rc=$? mib
	mib=$(awk '/read, MiB\/s:/ { print $3; exit }' "$logf")
	if [[ -n $mib ]]; then
		record seqrd "$variant" "$round" "$mib"
		log "seqrd  $variant r$round: $mib MiB/s"
	else
		local why
		why=$(grep -v '^\s*$' "$logf" | tail -1 | cut -c1-160)
		record seqrd "$variant" "$round" NA "exit $rc: ${why:-no output} (bench/out/seqrd-$variant-r*.log)"
		log "seqrd  $variant r$round: failed (exit $rc), see $logf"
	fi
}

# run_write VARIANT ROUND: one writeloop run, records ns per call.
run_write() {
	local variant=$1 round=$2 logf=$OUT/write-$1-r$2.log
	timeout --foreground -k 10 "$WRITE_LIMIT" "${IN_CG[@]}" "$CG_WORK" \
		taskset -c "$CPU" "$OUT/writeloop" "$WRITE_N" >"$logf" 2>&1
	local rc=$? ns
	ns=$(sed -n 's/.*ns_per_call=\([0-9.]*\).*/\1/p' "$logf")
	if [[ -n $ns ]]; then
		record write "$variant" "$round" "$ns"
		log "write  $variant r$round: $ns ns/call"
	else
		record write "$variant" "$round" NA "exit $rc (bench/out/write-$variant-r*.log)"
		log "write  $variant r$round: failed (exit $rc), see $logf"
	fi
}

# Program ids whose name is NAME.
prog_ids() {
	bpftool prog show 2>/dev/null | awk -v n="$1" '/^[0-9]+:/ { for (i = 1; i < NF; i++) if ($i == "name" && $(i + 1) == n) { sub(":", "", $1); print $1 } }'
}

# start_traceloop CGROUP TAG: returns 0 once its programs are loaded.
start_traceloop() {
	local cg=$1 tag=$2 floor=${3:-0} name before=() deadline=$((SECONDS + TL_ATTACH_TIMEOUT))
	for name in $TL_PROGS; do before+=("$name:$(prog_ids "$name" | tr '\n' ,)"); done
	# shellcheck disable=SC2086 # TL_CMD is a command line
	(cd "$ROOT" && TRACELOOP_BENCH_FLOOR=$floor exec $TL_CMD "$cg") >"$OUT/traceloop-$tag.out" 2>"$OUT/traceloop-$tag.err" &
	TL_PID=$!
	if [[ -z $TL_PROGS ]]; then
		sleep 2
		kill -0 "$TL_PID" 2>/dev/null
		return
	fi
	while ((SECONDS < deadline)); do
		kill -0 "$TL_PID" 2>/dev/null || return 1
		local all=1 entry id old new=,
		for entry in "${before[@]}"; do
			name=${entry%%:*} old=${entry#*:} id=''
			for id in $(prog_ids "$name"); do [[ ,$old == *,$id,* ]] || break; id=''; done
			[[ -n $id ]] && new+=$id, || all=0
		done
		if ((all)); then
			OUR_IDS=$new
			sleep "$TL_SETTLE"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# run_variant VARIANT ROUND
run_variant() {
	local variant=$1 round=$2 benches=()
	((DO_SEQRD)) && benches+=(seqrd)
	((DO_WRITE)) && case $variant in none | floor | passive | active) benches+=(write) ;; esac
	((${#benches[@]})) || return 0
	wait_quiet
	check_foreign "$variant" "$round" before
	case $variant in
	floor | passive | active)
		if ! ((TL_AVAILABLE)); then
			local b
			for b in "${benches[@]}"; do record "$b" "$variant" "$round" NA "$TL_MISSING_WHY"; done
			return 0
		fi
		local cg=$CG_OTHER tag=$variant-r$round floor=0
		[[ $variant == active ]] && cg=$CG_WORK
		[[ $variant == floor ]] && floor=1
		if ! start_traceloop "$cg" "$tag" "$floor"; then
			local why="traceloop did not attach within ${TL_ATTACH_TIMEOUT}s (bench/out/traceloop-$variant-r*.err)"
			kill -0 "$TL_PID" 2>/dev/null || why="traceloop exited before attaching (bench/out/traceloop-$variant-r*.err)"
			stop_traceloop
			log "$variant r$round: $why"
			for b in "${benches[@]}"; do record "$b" "$variant" "$round" NA "$why"; done
			return 0
		fi
		log "traceloop attached (pid $TL_PID, recording $cg)"
		;;
	esac
	local b
	for b in "${benches[@]}"; do "run_$b" "$variant" "$round"; done
	[[ -n $TL_PID ]] || check_foreign "$variant" "$round" after
	if [[ -n $TL_PID ]]; then
		stop_traceloop
		local dump=$OUT/traceloop-$variant-r$round.out
		log "traceloop stopped (exit $TL_RC), dump: $(wc -l <"$dump") lines"
		[[ $TL_RC == 0 || $TL_RC == 130 ]] || note "$variant round $round: traceloop exited with $TL_RC (bench/out/traceloop-$variant-r$round.err)."
		if [[ $variant == active ]] && ((DO_WRITE)); then
			if grep -q "$WRITELOOP_MARK" "$dump"; then
				meta capture_ok "$round"
			else
				meta capture_missing "$round"
			fi
		fi
		check_foreign "$variant" "$round" after
	fi
}

# ----------------------------------------------------------------- rounds --

if ((DO_SEQRD)); then
	log "sysbench prepare ($FILE_SIZE in $FS_DIR)"
	(cd "$FS_DIR" && timeout 300 "${SYSBENCH[@]}" prepare) >"$OUT/seqrd-prepare.log" 2>&1 ||
		die "sysbench prepare failed (bench/out/seqrd-prepare.log)"
fi

read -ra VLIST <<<"$VARIANTS"
NV=${#VLIST[@]}
for ((r = 1; r <= ROUNDS; r++)); do
	log "round $r/$ROUNDS"
	for ((k = 0; k < NV; k++)); do
		run_variant "${VLIST[$(((r - 1 + k) % NV))]}" "$r"
	done
done

# What the clock, the lock and the copy cost of a recorded pread, and what is left (issue #11):
# measured while sysbench's files are still there.
COST_PARTS_SEQRD=(--threads=1 --time=2 run)
if ((DO_SEQRD)); then
	log "cost parts: seqrd"
	(cd "$FS_DIR" && node "$ROOT/bench/cost-parts.mjs" "$CG_BASE" "$ROUNDS" "seqrd: pread(16 KiB) on tmpfs, 256 bytes captured at exit" -- \
		"${SYSBENCH[@]}" "${COST_PARTS_SEQRD[@]}") >"$OUT/cost-parts-seqrd.md" 2>"$OUT/cost-parts-seqrd.err" ||
		log "cost parts (seqrd) failed (bench/out/cost-parts-seqrd.err)"
fi
if ((DO_SEQRD)); then
	(cd "$FS_DIR" && timeout 120 "${SYSBENCH[@]}" cleanup) >>"$OUT/seqrd-prepare.log" 2>&1
fi
meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- results --

# The sections measured by hand (each with its command), after the verifier table, are kept:
# this run rewrites only what it measures.
HAND_WRITTEN="$OUT/hand-written.md"
if [[ -f $BENCH/results.md ]]; then
	awk 'kept { print } /<!-- verifier-budget: end -->/ { kept = 1 }' "$BENCH/results.md" >"$HAND_WRITTEN"
else
	: >"$HAND_WRITTEN"
fi
summarize() { BENCH_CHART=$1 node "$BENCH/summarize.mjs" "$RAW" "$META" "$BENCH/results.md" "$OUT" || die "summarize failed"; }
rm -f "$BENCH/results.png"
if command -v gnuplot >/dev/null; then
	summarize 1
	if [[ -s $OUT/chart.gp ]] && gnuplot "$OUT/chart.gp" 2>"$OUT/gnuplot.err" && [[ -s $BENCH/results.png ]]; then
		log "wrote bench/results.png"
	else
		log "gnuplot failed (bench/out/gnuplot.err): no chart"
		rm -f "$BENCH/results.png"
		summarize 0
	fi
else
	summarize 0
fi
if ((DO_WRITE)) && [[ -x $OUT/writeloop ]]; then
	if node "$BENCH/prog-cost.mjs" "$OUT/writeloop" "$CG_BASE" "$ROUNDS" >"$OUT/prog-cost.md" 2>"$OUT/prog-cost.err"; then
		cat "$OUT/prog-cost.md" >>"$BENCH/results.md"
	else
		log "prog-cost failed (bench/out/prog-cost.err)"
	fi
	log "cost parts: write"
	node "$BENCH/cost-parts.mjs" "$CG_BASE" "$ROUNDS" "write(64 B) to /dev/null, 64 bytes captured at enter" -- \
		"$OUT/writeloop" 500000 >"$OUT/cost-parts-write.md" 2>"$OUT/cost-parts-write.err" ||
		log "cost parts (write) failed (bench/out/cost-parts-write.err)"
	if node "$BENCH/drain.mjs" "$OUT/writeloop" "$CG_BASE" >"$OUT/drain.md" 2>"$OUT/drain.err"; then
		cat "$OUT/drain.md" >>"$BENCH/results.md"
	else
		log "drain bench failed (bench/out/drain.err)"
	fi
	if node "$BENCH/retention.mjs" "$CG_BASE" >"$OUT/retention.md" 2>"$OUT/retention.err"; then
		cat "$OUT/retention.md" >>"$BENCH/results.md"
	else
		log "retention bench failed (bench/out/retention.err)"
	fi
fi
if [[ -s $OUT/cost-parts-seqrd.md || -s $OUT/cost-parts-write.md ]]; then
	{
		cat <<EOF

## What each part of a recorded syscall costs (issue #11)

The same programs loaded with one part left out at a time (\`TRACELOOP_BENCH_SKIP\`, benchmarks only):
the clock (\`bpf_ktime_get_ns\`, once per program run), the lock (the ring's locked exchange, once per
run) and the copy (\`bpf_probe_read_user\` of the captured buffer). A recorder that keeps times,
durations and the bytes cannot drop any of them; what is left when all three are gone is the only
part there is to optimise. Kernel accounting per program run, median of $ROUNDS rounds, the variants
rotated in each; the counts include the rest of the machine's syscalls meanwhile (each on the
passive path), which dilute every figure a little.
EOF
		cat "$OUT"/cost-parts-seqrd.md "$OUT"/cost-parts-write.md 2>/dev/null
	} >>"$BENCH/results.md"
fi
if node "$BENCH/daemon.mjs" "$CG_BASE" 10 >"$OUT/daemon.md" 2>"$OUT/daemon.err"; then
	cat "$OUT/daemon.md" >>"$BENCH/results.md"
else
	log "daemon bench failed (bench/out/daemon.err)"
fi
if node "$BENCH/decode.mjs" >"$OUT/decode.md" 2>"$OUT/decode.err"; then
	cat "$OUT/decode.md" >>"$BENCH/results.md"
else
	log "decode bench failed (bench/out/decode.err)"
fi
if command -v tmux >/dev/null && node "$BENCH/tui.mjs" >"$OUT/tui.md" 2>"$OUT/tui.err"; then
	cat "$OUT/tui.md" >>"$BENCH/results.md"
else
	log "tui bench failed or tmux missing (bench/out/tui.err)"
fi
# The verifier's statistics at the corners of the settings (issue #10).
if node scripts/verifier-budget.mjs --write-results >"$OUT/verifier-budget.txt" 2>&1; then
	:
else
	log "verifier budget exceeded or a load failed (bench/out/verifier-budget.txt)"
fi
cat "$HAND_WRITTEN" >>"$BENCH/results.md"
log "wrote bench/results.md"
