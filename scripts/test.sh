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
bash scripts/lint.sh || status=1
# Tests run even when lint failed, so one run reports both.
npx --no-install vitest run "$@" || status=1
exit $status
