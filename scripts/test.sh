#!/usr/bin/env bash
# Lint, then every test (unit and integration). Needs root: the integration
# tests load BPF programs and create cgroups. (`npm test` runs setup first.)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# CAP_BPF is capability 39, CAP_SYS_ADMIN (which implies it on older kernels) 21.
cap_eff="$(awk '/^CapEff:/ { print $2 }' /proc/self/status 2>/dev/null || true)"
if [[ $(id -u) -ne 0 ]] || { [[ -n "$cap_eff" ]] &&
	(((0x$cap_eff >> 39 & 1) == 0 && (0x$cap_eff >> 21 & 1) == 0)); }; then
	echo "test: the integration tests need root with CAP_BPF: run 'sudo npm test' (lint alone: npm run lint)" >&2
	exit 1
fi

status=0
lint=0
bash scripts/lint.sh || { status=1; lint=1; }
# Tests run even when lint failed, so one run reports both.
report="$(mktemp /tmp/traceloop-vitest.XXXXXX.json)"
trap 'rm -f "$report"' EXIT
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=1
# One plain closing line, counting a failed lint as a failure.
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const failed = r.numFailedTests + Number(process.argv[2]);
console.log(`${r.numPassedTests} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$report" "$lint" 2>/dev/null || echo "0 passed, 1 failed"
exit $status
