#!/usr/bin/env bash
# The kernel matrix (npm run test:kernels): boots each kernel fetch.sh keeps
# (Debian 12's 6.1, Debian 13's 6.12) in qemu with the initramfs.sh guest,
# which loads the BPF programs at every corner of the settings
# (scripts/verifier-budget.mjs --json) and records a real command with the
# CLI (guest-init.sh). Prints a table per kernel, writes the results to
# docs/kernels.md (with a row for this host's kernel) and fails, naming the
# kernel, the test and the log, if a guest did not finish, a corner did not
# load or was over budget, or a recording was wrong.
#
# Plain TCG emulation (no /dev/kvm here, and CI has none either): the guest
# runs about 10x slower than the host, so the times in the table are the
# emulator's; instruction counts and stack are the kernel's own.
#
# Usage: scripts/kernels/run.sh [NAME...]     (default: every kernel; debian12, debian13)
# Environment:
#   TL_CORNERS=A:P,...     only these --max-arg-bytes:--ring-pages corners (default: all)
#   TL_KERNEL_TIMEOUT=S    seconds a guest may take (default 900)
#   TL_KERNELS_PARALLEL=0  boot the kernels one after another (default: together
#                          when there is the memory; see below)
# docs/kernels.md is written only by a run of every kernel and every corner.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KDIR="$ROOT/vendor/kernels"
LOGS="$KDIR/logs"
HERE="$ROOT/scripts/kernels"
cd "$ROOT"

TIMEOUT="${TL_KERNEL_TIMEOUT:-900}"
GUEST_MEM_MB=2048

log() { printf 'kernels: %s\n' "$*"; }
die() {
	printf 'kernels: error: %s\n' "$*" >&2
	exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

started=$(now_ms)

command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 is missing (apt-get install qemu-system-x86; npm run setup installs it)"
command -v timeout >/dev/null || die "timeout (coreutils) is missing"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "TL_KERNEL_TIMEOUT must be a number of seconds, not '$TIMEOUT'"
if [[ -n "${TL_CORNERS:-}" && ! "$TL_CORNERS" =~ ^[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*$ ]]; then
	die "TL_CORNERS must look like 16:1,4096:64, not '$TL_CORNERS'"
fi

mkdir -p "$LOGS"
# One run at a time: they share the initramfs and the logs.
exec 9>"$KDIR/.lock"
flock -n 9 || die "another scripts/kernels/run.sh is running (lock: $KDIR/.lock)"

# --- 1. kernels and the guest ------------------------------------------------

bash "$HERE/fetch.sh"
bash "$HERE/initramfs.sh"

# vendor/kernels/matrix: NAME<TAB>VMLINUZ<TAB>PACKAGE=VERSION (fetch.sh).
names=() vmlinuz=() packages=()
while IFS=$'\t' read -r name kernel package; do
	if (($# > 0)); then
		wanted=0
		for w in "$@"; do [[ "$w" == "$name" ]] && wanted=1; done
		((wanted)) || continue
	fi
	[[ -f "$kernel" ]] || die "$name: $kernel is missing (rerun scripts/kernels/fetch.sh)"
	names+=("$name")
	vmlinuz+=("$kernel")
	packages+=("$package")
done <"$KDIR/matrix"
((${#names[@]} > 0)) || die "no kernel named ${*:-at all} in $KDIR/matrix (there: $(cut -f1 "$KDIR/matrix" | tr '\n' ' '))"

# --- 2. this host's kernel: the same budget script, run directly -------------

corners=()
[[ -n "${TL_CORNERS:-}" ]] && corners=(--corners "$TL_CORNERS")
log "host $(uname -r): node scripts/verifier-budget.mjs --json ${corners[*]}"
host_rc=0
node scripts/verifier-budget.mjs --json "${corners[@]}" >"$LOGS/host.jsonl" 2>"$LOGS/host.err" ||
	host_rc=$?

# --- 3. boot them ----------------------------------------------------------------

# Together by default: on 2 vCPUs, booting both guests at once took 23-25 s
# against 33-34 s one after another (a guest keeps its 2 vCPUs busy only part
# of the time: node is mostly one thread, and boot waits). Only if they all
# fit in memory with room to spare, though.
parallel="${TL_KERNELS_PARALLEL:-1}"
avail_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
if ((parallel)) && ((avail_mb < (${#names[@]} * (GUEST_MEM_MB + 512)) + 1024)); then
	log "${avail_mb} MiB available: booting the kernels one after another"
	parallel=0
fi

append="console=ttyS0 panic=-1 quiet${TL_CORNERS:+ TL_CORNERS=$TL_CORNERS}"

# Boots kernel I; its console goes to logs/NAME.log, "EXIT MS" to logs/NAME.status.
boot() {
	local i="$1" name="${names[$1]}" t0 rc=0
	t0=$(now_ms)
	# -nic none: no network card (and no iPXE ROM to load); -no-reboot with
	# panic=-1: a panicking guest exits instead of rebooting.
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -nographic -no-reboot -nic none \
		-m "$GUEST_MEM_MB" -smp 2 -accel tcg \
		-kernel "${vmlinuz[$i]}" -initrd "$KDIR/initramfs.cpio.gz" \
		-append "$append" </dev/null >"$LOGS/$name.log" 2>&1 || rc=$?
	echo "$rc $(($(now_ms) - t0))" >"$LOGS/$name.status"
}

# Prints how kernel I went, from its status file.
said() {
	local name="${names[$1]}" rc ms
	read -r rc ms <"$LOGS/$name.status"
	log "$name: $(basename "${vmlinuz[$1]}") ran $(secs "$ms") s$( ((rc == 0)) || echo " (qemu exit $rc$( ((rc == 124)) && echo ": timed out after $TIMEOUT s"))")"
}

boots_at=$(now_ms)
log "booting ${names[*]} ($( ((parallel)) && echo together || echo 'one after another'), qemu TCG, timeout ${TIMEOUT} s each)"
rm -f "$LOGS"/*.status
if ((parallel)); then
	pids=()
	for i in "${!names[@]}"; do
		boot "$i" &
		pids+=($!)
	done
	for i in "${!names[@]}"; do
		wait "${pids[$i]}" || true
		said "$i"
	done
else
	for i in "${!names[@]}"; do
		boot "$i"
		said "$i"
	done
fi
boots_ms=$(($(now_ms) - boots_at))

# --- 4. the results --------------------------------------------------------------

runs="$LOGS/runs.tsv"
: >"$runs"
for i in "${!names[@]}"; do
	read -r rc ms <"$LOGS/${names[$i]}.status"
	printf '%s\t%s\t%s\t%s\t%s\n' "${names[$i]}" "${packages[$i]}" "$LOGS/${names[$i]}.log" "$rc" "$ms" >>"$runs"
done

write_docs=()
if (($# == 0)) && [[ -z "${TL_CORNERS:-}" ]]; then
	write_docs=(--docs docs/kernels.md)
fi
report_rc=0
node "$HERE/report.mjs" --runs "$runs" --host "$LOGS/host.jsonl" --host-rc "$host_rc" \
	--host-release "$(uname -r)" --revision "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
	--boots-ms "$boots_ms" --parallel "$parallel" "${write_docs[@]}" || report_rc=$?
if [[ -n "${write_docs[*]}" ]] && npx --no-install prettier --version >/dev/null 2>&1; then
	# The tables as prettier lays them out, so npm run lint stays clean.
	npx --no-install prettier --write --log-level warn docs/kernels.md
fi

log "all done in $(secs $(($(now_ms) - started))) s (the boots $(secs "$boots_ms") s)"
exit "$report_rc"
