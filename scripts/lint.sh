#!/usr/bin/env bash
# Type-checks and lints everything: tsc, eslint, prettier, clang-format.
# Runs every check and reports all that failed (fix formatting: npm run format).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

failed=()
check() {
	local name="$1"
	shift
	printf 'lint: %s\n' "$name"
	"$@" || failed+=("$name")
}

check "tsc --noEmit" npx --no-install tsc --noEmit -p tsconfig.json
# tsconfig.json covers src/ only; tests get type-checked once a tsconfig.test.json exists.
if [[ -f tsconfig.test.json ]]; then
	check "tsc --noEmit (tests)" npx --no-install tsc --noEmit -p tsconfig.test.json
fi
check "eslint" npx --no-install eslint --max-warnings 0 .
check "prettier --check" npx --no-install prettier --check --log-level warn .

shopt -s nullglob
c_files=(bpf/*.c bpf/*.h native/*.cc native/*.h)
# One line per file that needs formatting (clang-format prints every spot).
clang_format_check() {
	local f n bad=0
	for f in "$@"; do
		n="$(clang-format --dry-run -Werror "$f" 2>&1 | grep -c 'error:' || true)"
		if [[ "$n" != 0 ]]; then
			printf '  %s: %s places differ (see: clang-format %s | diff %s -)\n' "$f" "$n" "$f" "$f"
			bad=1
		fi
	done
	return $bad
}
if ((${#c_files[@]} > 0)); then
	check "clang-format (${#c_files[@]} files)" clang_format_check "${c_files[@]}"
fi

if ((${#failed[@]} > 0)); then
	printf 'lint: FAILED:' >&2
	printf ' [%s]' "${failed[@]}" >&2
	printf '\n' >&2
	exit 1
fi
echo "lint: ok"
