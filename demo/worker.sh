#!/usr/bin/env bash
# A worker that sometimes fails: it looks for a job file that is only
# there every third round, so the record shows ENOENT next to successes.
set -u
# System paths only: the record should be about the work, not PATH lookups.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
dir=$(mktemp -d /tmp/traceloop-demo-worker.XXXXXX)
trap 'rm -rf "$dir"' EXIT
round=0
while true; do
	round=$((round + 1))
	if ((round % 3 == 0)); then echo "job $round" > "$dir/job"; fi
	if cat "$dir/job" > /dev/null 2>&1; then
		rm -f "$dir/job"
	else
		echo "worker: no job in round $round" >&2
	fi
	sleep 0.7
done
