#!/bin/sh
# /init of the kernel matrix's guest (scripts/kernels/initramfs.sh packs it,
# scripts/kernels/run.sh boots it): sets up what traceloop needs, runs the
# tests and reports on the console, one line per result:
#   TLRESULT {"test":"kernel"|"load"|"load-exit"|"smoke"|"smoke-4096", ...}
#   TLDONE          (everything ran; its absence means the guest died or hung)
# then powers off. Runs under busybox sh: no bash, no set -e (one failing step
# must not keep the others, TLDONE and the poweroff from running).
#
# TL_CORNERS=A:P,A:P... on the kernel command line (the kernel passes unknown
# name=value words to /init as environment) narrows the load test to those
# --max-arg-bytes:--ring-pages corners; all corners by default.

export PATH=/bin:/usr/bin
export HOME=/root
# The console is a tty: node would colour its stack traces, escapes in the log.
export NODE_DISABLE_COLORS=1
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
# BPF objects, the cgroup2 hierarchy traceloop run creates its cgroup in, and
# tracefs (libbpf looks tracepoints up there; tp_btf needs only BTF).
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
ip link set lo up

# Seconds since the kernel started, with centiseconds (busybox date has none).
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# TEXT as a JSON string's contents: backslash and quote escaped, newlines and
# tabs as spaces, other control characters dropped.
json_str() {
	printf '%s' "$1" | tr '\n\t' '  ' | tr -d '\000-\037' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'
}

result() { echo "TLRESULT $1"; }

# Seconds between two uptime_s readings.
since() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }'; }

result "{\"test\":\"kernel\",\"release\":\"$(json_str "$(uname -r)")\",\"version\":\"$(json_str "$(uname -v)")\",\"bootSeconds\":$(uptime_s),\"cpus\":$(nproc)}"

cd /tl || echo "init: no /tl"

# --- load: every corner of the verifier budget -------------------------------
# verifier-budget.mjs prints one JSON object per corner on stdout; each
# becomes a TLRESULT line as it comes (so a hang later still leaves these).
# Its stderr goes to the console for the log. Exit status through a file:
# busybox sh has no pipefail. The timeouts inside (540 + 120 + 120 s) end
# before run.sh's for the whole guest (900 s), so a hang is still reported
# test by test.
t0=$(uptime_s)
set -- --json
[ -n "${TL_CORNERS:-}" ] && set -- "$@" --corners "$TL_CORNERS"
{
	timeout 540 node scripts/verifier-budget.mjs "$@"
	echo $? >/tmp/budget.rc
} | while IFS= read -r line; do
	case "$line" in
	'{'*) echo "TLRESULT {\"test\":\"load\",${line#\{}" ;;
	*) echo "verifier-budget: $line" ;;
	esac
done
result "{\"test\":\"load-exit\",\"code\":$(cat /tmp/budget.rc 2>/dev/null || echo 255),\"seconds\":$(since "$t0")}"

# --- smoke: a real recording of a command, decoded ---------------------------

why=""
fail() { why="${why:+$why; }$1"; }

# Checks the accounting line (the dump's last line): "# cpuN: A recorded, B
# shown, C lost[, F unreadable arguments]; ..." with A = B + C on every CPU.
# Prints nothing if it holds, else why not.
check_accounting() {
	awk '
		{ last = $0 }
		END {
			if (last !~ /^# / || last !~ /recorded/ || last !~ /shown/ || last !~ /lost/) {
				print "the last line is not the accounting line: " last; exit
			}
			n = split(substr(last, 3), part, /; /)
			for (i = 1; i <= n; i++) {
				if (!match(part[i], /^cpu[0-9]+: [0-9]+ recorded, [0-9]+ shown, [0-9]+ lost/)) {
					print "unexpected accounting: " part[i]; exit
				}
				split(part[i], w, /[ :,]+/)
				if (w[2] + 0 != w[4] + w[6]) {
					print w[1] ": " w[2] " recorded != " w[4] " shown + " w[6] " lost"; exit
				}
				if (w[2] + 0 == 0) { print w[1] ": nothing recorded"; exit }
			}
		}' "$1"
}

t0=$(uptime_s)
rm -f /tmp/dump.txt /tmp/smoke.out
timeout 120 node /tl/dist/cli.js run -o /tmp/dump.txt -- \
	/bin/sh -c 'echo traceloop-smoke > /tmp/smoke.out' >/tmp/smoke.log 2>&1
rc=$?
secs=$(since "$t0")
sed 's/^/smoke| /' /tmp/smoke.log
[ -f /tmp/dump.txt ] && sed 's/^/dump| /' /tmp/dump.txt
[ $rc -eq 0 ] || fail "traceloop run exited $rc: $(tail -n1 /tmp/smoke.log)"
if [ -s /tmp/dump.txt ]; then
	# (grep -F: the dump escapes the newline as backslash n, as strace does)
	grep -qF 'execve("/bin/sh", ' /tmp/dump.txt || fail 'no execve("/bin/sh", ...) line'
	# (fd 1 bare, or named as strace -y names it: run decodes fds by default)
	grep -qE 'write\(1(<[^>]*>)?, "traceloop-smoke\\n", 16\) = 16' /tmp/dump.txt ||
		fail 'no write(1, "traceloop-smoke\n", 16) = 16 line'
	grep -qF '+++ exited with 0 +++' /tmp/dump.txt || fail 'no "+++ exited with 0 +++" line'
	bad=$(check_accounting /tmp/dump.txt)
	[ -z "$bad" ] || fail "$bad"
	accounting=$(tail -n1 /tmp/dump.txt)
else
	fail "no dump in /tmp/dump.txt"
	accounting=""
fi
grep -qx traceloop-smoke /tmp/smoke.out 2>/dev/null || fail "the command did not write /tmp/smoke.out"
ok=true
[ -z "$why" ] || ok=false
result "{\"test\":\"smoke\",\"ok\":$ok,\"why\":\"$(json_str "$why")\",\"seconds\":$secs,\"lines\":$(wc -l </tmp/dump.txt 2>/dev/null || echo 0),\"accounting\":\"$(json_str "$accounting")\"}"

# The largest capture setting, recording a command that does little (the
# dump goes to stderr without -o).
why=""
t0=$(uptime_s)
timeout 120 node /tl/dist/cli.js run --max-arg-bytes 4096 -- /bin/true 2>/tmp/true.dump
rc=$?
secs=$(since "$t0")
sed 's/^/smoke-4096| /' /tmp/true.dump
[ $rc -eq 0 ] || fail "traceloop run --max-arg-bytes 4096 exited $rc: $(tail -n1 /tmp/true.dump)"
grep -qF 'execve("/bin/true", ' /tmp/true.dump || fail 'no execve("/bin/true", ...) line'
bad=$(check_accounting /tmp/true.dump)
[ -z "$bad" ] || fail "$bad"
ok=true
[ -z "$why" ] || ok=false
result "{\"test\":\"smoke-4096\",\"ok\":$ok,\"why\":\"$(json_str "$why")\",\"seconds\":$secs}"

# ia32 calls (int 0x80 from a 64-bit process): recorded with their i386
# numbers and registers, decoded as such (test/integration/ia32.test.ts checks
# the records on a host that can make them; some cannot, these kernels can).
why=""
t0=$(uptime_s)
timeout 120 node /tl/dist/cli.js run -o /tmp/ia32.txt -- /tl/int80 >/tmp/ia32.log 2>&1
rc=$?
secs=$(since "$t0")
sed 's/^/ia32| /' /tmp/ia32.log
[ -f /tmp/ia32.txt ] && sed 's/^/ia32-dump| /' /tmp/ia32.txt
[ $rc -eq 0 ] || fail "traceloop run -- int80 exited $rc: $(tail -n1 /tmp/ia32.log)"
# int80 prints what its calls returned: i386 getpid, time, x86_64 getpid.
pid=$(grep -E '^[0-9]+ -?[0-9]+ [0-9]+$' /tmp/ia32.log | awk '{ print $1 }')
if [ -s /tmp/ia32.txt ] && [ -n "$pid" ]; then
	grep -qE "\[ia32\] syscall_20\(0x11, 0x22, 0x33, [^)]*\) = $pid\$" /tmp/ia32.txt ||
		fail "no [ia32] syscall_20(0x11, 0x22, 0x33, ...) = $pid line"
	grep -qE "getpid\(\) = $pid\$" /tmp/ia32.txt || fail "no getpid() = $pid line"
	! grep -qE '(writev|rt_sigaction)\(0x11' /tmp/ia32.txt || fail "an ia32 call decoded as x86_64's"
	bad=$(check_accounting /tmp/ia32.txt)
	[ -z "$bad" ] || fail "$bad"
else
	fail "no dump in /tmp/ia32.txt, or int80 printed nothing"
fi
ok=true
[ -z "$why" ] || ok=false
result "{\"test\":\"ia32\",\"ok\":$ok,\"why\":\"$(json_str "$why")\",\"seconds\":$secs}"

# The kernel's own messages, for the log (quiet kept them off the console).
echo "--- dmesg ---"
dmesg
echo "--- end of dmesg ---"
echo TLDONE
# Let the UART drain the last lines before the machine goes.
sleep 1
poweroff -f
