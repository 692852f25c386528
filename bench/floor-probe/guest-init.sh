#!/bin/sh
# /init of the floor probe's guest (run-guests.sh): mounts what BPF needs,
# says whether the kernel's BTF has the dispatchers, runs corners (CORNER
# lines: what each hook saw), then alternates the FP_MODES of floor-probe.c
# for the write loop and sysbench seqrd (64 MiB on tmpfs), one line per run:
#   FP kernel|btf|write|seqrd ...
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
ROUNDS=${FP_ROUNDS:-3}
N=${FP_WRITES:-200000}
T=${FP_TIME:-4}
echo "FP kernel $(uname -r) cpus $(nproc)"
echo "FP btf $(/fp/floor-probe /fp/floor-probe.bpf.o btf x64_sys_call ia32_sys_call x32_sys_call do_syscall_64)"
/fp/corners
cd /tmp || exit 1
sysbench fileio --file-total-size=64M --file-num=4 prepare >/dev/null 2>&1
# A first run warms what the first run would otherwise pay for alone.
/fp/writeloop "$N" >/dev/null
modes="$(echo "${FP_MODES:-none,tp,fentry}" | tr , " ")"
for r in $(seq "$ROUNDS"); do
	for m in $modes; do
		w=$(/fp/floor-probe /fp/floor-probe.bpf.o "$m" taskset -c 0 /fp/writeloop "$N" 2>&1 | sed -n 's/.*ns_per_call=//p')
		echo "FP write $m r$r ${w:-failed}"
		s=$(/fp/floor-probe /fp/floor-probe.bpf.o "$m" taskset -c 0 sysbench fileio --file-total-size=64M --file-num=4 \
			--file-test-mode=seqrd --file-io-mode=sync --threads=1 --time="$T" run 2>&1 | awk '/read, MiB\/s:/ { print $3 }')
		echo "FP seqrd $m r$r ${s:-failed}"
	done
	modes="$(echo "$modes" | awk '{ for (i = 2; i <= NF; i++) printf "%s ", $i; print $1 }')"
done
echo FPDONE
poweroff -f
