#!/usr/bin/env bash
# Issue #11's floor probe on the kernel matrix's Debian kernels (qemu TCG):
# builds a small initramfs (busybox, the probe, writeloop, sysbench and their
# libraries) and boots each kernel with it; prints the guests' FP lines.
# FP_QEMU="-smp 1 -accel tcg -icount shift=0" makes guest time count instructions
# (1 ns each): deterministic, blind to caches and pipelines.
# FP_KERNELS=debian13 boots one kernel only.
# Usage: bench/floor-probe/run-guests.sh [ROUNDS]   (as root, after npm run test:kernels fetched the kernels)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/floor-probe
WORK=${FP_WORK:-/tmp/floor-probe}
V=$ROOT/vendor/libbpf
rm -rf "$WORK" && mkdir -p "$WORK/root"/{bin,dev,proc,sys,tmp,fp,usr/bin}
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$ROOT/bpf/.output" -I"$V/include" \
	-c "$HERE/floor-probe.bpf.c" -o "$WORK/root/fp/floor-probe.bpf.o"
cc -O2 -Wall -I"$V/include" "$HERE/floor-probe.c" "$V/lib/libbpf.a" -lelf -lz -o "$WORK/root/fp/floor-probe"
clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I"$ROOT/bpf/.output" -I"$V/include" \
	-c "$HERE/corners.bpf.c" -o "$WORK/corners.bpf.o"
bpftool gen skeleton "$WORK/corners.bpf.o" name corners_bpf >"$WORK/corners.skel.h"
cc -O2 -Wall -I"$WORK" -I"$HERE" -I"$V/include" "$HERE/corners.c" "$V/lib/libbpf.a" -lelf -lz -o "$WORK/root/fp/corners"
cc -O2 -Wall -o "$WORK/root/fp/writeloop" "$ROOT/bench/writeloop.c"
cp /bin/busybox "$WORK/root/bin/"
for a in $(/bin/busybox --list); do [[ $a == busybox ]] || ln -sf busybox "$WORK/root/bin/$a"; done
cp "$(command -v sysbench)" "$WORK/root/usr/bin/"
for lib in $(ldd "$WORK/root/fp/floor-probe" "$(command -v sysbench)" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }' | sort -u); do
	mkdir -p "$WORK/root$(dirname "$lib")" && cp -L "$lib" "$WORK/root$lib"
done
cp "$HERE/guest-init.sh" "$WORK/root/init"
mknod -m 600 "$WORK/root/dev/console" c 5 1
mknod -m 666 "$WORK/root/dev/null" c 1 3
(cd "$WORK/root" && find . -mindepth 1 | cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$WORK/initramfs.gz")
# shellcheck disable=SC2231 # FP_KERNELS is a glob on purpose
for k in "$ROOT"/vendor/kernels/${FP_KERNELS:-debian1[23]}/vmlinuz-*; do
	# shellcheck disable=SC2086 # FP_QEMU is words on purpose
	timeout 1500 qemu-system-x86_64 -nographic -no-reboot -nic none -m 1G ${FP_QEMU:--smp 2 -accel tcg} \
		-kernel "$k" -initrd "$WORK/initramfs.gz" \
		-append "console=ttyS0 panic=-1 quiet FP_ROUNDS=${1:-3} FP_MODES=${FP_MODES:-none,tp,fentry}" </dev/null 2>&1 | tee "$WORK/$(basename "$k").log" | grep -a --line-buffered '^FP\|^CORNER'
done
