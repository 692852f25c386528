#!/usr/bin/env bash
# npm run demo: two demo workloads in cgroups of their own, recorded by
# traceloop. Ctrl-C stops; everything started here is cleaned up.
set -euo pipefail
exec 3>&2 # stderr for cleanup, which silences the shell's job reports
cd "$(dirname "$0")/.."

mount=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$mount" ] || { echo "demo: no cgroup2 hierarchy is mounted" >&2; exit 1; }
base="$mount/traceloop/demo-$$"
pids=()

cleanup() {
	exec 2>/dev/null # the shell reports the workloads it kills: expected, not news
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for cg in "$base"/*/; do
		[ -d "$cg" ] || continue
		# The workloads' children (sleep, python) too: every process in it.
		echo 1 > "$cg/cgroup.kill" 2>/dev/null || true
		for _ in $(seq 50); do grep -q . "$cg/cgroup.procs" || break; sleep 0.05; done
		rmdir "$cg" || echo "demo: could not remove $cg" >&3
	done
	rmdir "$base" 2>/dev/null || true
	rmdir "$mount/traceloop" 2>/dev/null || true
}
trap cleanup EXIT

# Starts a workload inside a fresh cgroup: the shell joins, then execs it.
start() {
	local name=$1 script=$2
	mkdir -p "$base/$name"
	bash -c 'echo $$ > "$0/cgroup.procs" && exec bash "$1" 2>/dev/null' "$base/$name" "$script" &
	pids+=($!)
}

start service demo/service.sh
start worker demo/worker.sh

if [ -t 0 ] && [ -t 1 ]; then
	# A terminal: the UI, in the foreground (it reads the keys); q quits.
	node dist/cli.js tui --standalone -s 48 --cgroup "$base/service" --cgroup "$base/worker" || true
else
	# No terminal (CI, a pipe): print the live stream until Ctrl-C or SIGTERM.
	echo "demo: recording $base/service and $base/worker; Ctrl-C to stop" >&2
	node dist/cli.js cgroups --interval 200 -s 48 "$base/service" "$base/worker" &
	recorder=$!
	pids+=("$recorder")
	wait "$recorder" || true
fi
