#!/usr/bin/env bash
# Builds of traceloop against each other by instructions, not time: boots a
# kernel of the matrix in qemu with `-icount shift=0` (guest time counts
# executed instructions, 1 ns each) and runs bench/ab-builds.mjs inside, so
# the kernel's own accounting (kernel.bpf_stats_enabled) reports each
# program's instructions per run, helpers included: deterministic, where the
# host's figures move 10% between half hours. Blind to caches, pipelines and
# latency (an lfence or a locked exchange counts 1), so it tells which build
# does less, not how much faster it is: the host's figures decide (issue #11).
#
# A build is a directory with a built checkout's dist/, build/ and
# package.json (see bench/ab-builds.mjs). The guest is the kernel matrix's
# (scripts/kernels/initramfs.sh: node, its libraries, the production
# node_modules) with a second archive on top: the builds, bench/ab-builds.mjs,
# bpftool and writeloop, and an /init that runs them.
#
# Usage: bench/icount/run.sh [--passive] KERNEL ROUNDS BUILD_A BUILD_B [BUILD...] [-- COMMAND...]
#   KERNEL: debian12 or debian13 (after npm run test:kernels fetched them)
#   COMMAND: run in the guest, default: /ab/writeloop 20000 (bench/writeloop.c)
#   IC_ENV="NAME=VALUE ...": environment of the guest's /init (the kernel passes
#   such words of its command line on), e.g. TRACELOOP_BENCH_FLOOR=1
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${IC_WORK:-/tmp/icount}
passive=()
[[ ${1:-} == --passive ]] && passive=(--passive) && shift
(($# >= 4)) || { echo "usage: $0 [--passive] KERNEL ROUNDS BUILD_A BUILD_B [BUILD...] [-- COMMAND...]" >&2; exit 2; }
kernel=$1 rounds=$2
shift 2
builds=()
while (($#)) && [[ $1 != -- ]]; do builds+=("$1") && shift; done
[[ ${1:-} == -- ]] && shift
if (($#)); then command=("$@"); else command=(/ab/writeloop 20000); fi
vmlinuz=$(ls "$ROOT"/vendor/kernels/"$kernel"/vmlinuz-* 2>/dev/null | head -n1)
[[ -n $vmlinuz ]] || { echo "icount: no kernel $kernel in vendor/kernels (npm run test:kernels fetches them)" >&2; exit 1; }
bash "$ROOT/scripts/kernels/initramfs.sh" >/dev/null

rm -rf "$WORK" && mkdir -p "$WORK/root/ab/bench" "$WORK/root/usr/sbin"
args=()
for i in "${!builds[@]}"; do
	b=$WORK/root/ab/b$i
	mkdir -p "$b/build/Release"
	cp -a "${builds[$i]}/dist" "${builds[$i]}/package.json" "$b/"
	cp "${builds[$i]}/build/Release/traceloop.node" "$b/build/Release/"
	ln -s /tl/node_modules "$b/node_modules"
	args+=("/ab/b$i")
	echo "icount: /ab/b$i = ${builds[$i]}"
done
cp "$ROOT/bench/ab-builds.mjs" "$ROOT/bench/bpf-stats.mjs" "$WORK/root/ab/bench/"
cc -O2 -o "$WORK/root/ab/writeloop" "$ROOT/bench/writeloop.c"
bpftool=$(command -v bpftool)
cp "$bpftool" "$WORK/root/usr/sbin/bpftool"
for lib in $(ldd "$bpftool" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
	mkdir -p "$WORK/root$(dirname "$lib")" && cp -L "$lib" "$WORK/root$lib"
done
cat >"$WORK/root/init" <<INIT
#!/bin/sh
export PATH=/bin:/usr/bin:/usr/sbin HOME=/root NODE_DISABLE_COLORS=1
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp; mount -t bpf bpf /sys/fs/bpf; mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /sys/fs/cgroup/ab
echo "IC kernel \$(uname -r), bpf_jit_enable \$(cat /proc/sys/net/core/bpf_jit_enable), clocksource \$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
cd /ab && node bench/ab-builds.mjs ${passive[*]} /sys/fs/cgroup/ab $rounds ${args[*]} -- ${command[*]} 2>&1 | sed 's/^/IC /'
poweroff -f
INIT
chmod +x "$WORK/root/init"
(cd "$WORK/root" && find . -mindepth 1 | cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$WORK/ab.cpio.gz")
cat "$ROOT/vendor/kernels/initramfs.cpio.gz" "$WORK/ab.cpio.gz" >"$WORK/initramfs.gz"
timeout 1800 qemu-system-x86_64 -nographic -no-reboot -nic none -m 2G -smp 1 -accel tcg -icount shift=0 \
	-kernel "$vmlinuz" -initrd "$WORK/initramfs.gz" -append "console=ttyS0 panic=-1 quiet ${IC_ENV:-}" </dev/null 2>&1 |
	tee "$WORK/guest.log" | grep -a --line-buffered -o 'IC .*' | sed 's/^IC //'
