#!/usr/bin/env bash
# Builds, in order: the BPF object and skeleton (bpf/), the native addon
# (build/Release/traceloop.node), the TypeScript (dist/). Each step is skipped
# when its outputs are newer than all of its inputs.
#
# Usage: scripts/build.sh [--force]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'build: %s\n' "$*"; }

force=0
[[ "${1:-}" == "--force" ]] && force=1

# stale OUTPUT... -- INPUT...: true when an output is missing or any input
# (a file, or any file under a directory) is newer than the oldest output.
stale() {
	local outs=() oldest="" o
	while (($# > 0)) && [[ "$1" != -- ]]; do
		outs+=("$1")
		shift
	done
	shift
	((force)) && return 0
	for o in "${outs[@]}"; do
		[[ -e "$o" ]] || return 0
		if [[ -z "$oldest" || "$oldest" -nt "$o" ]]; then oldest="$o"; fi
	done
	local inputs=()
	for o in "$@"; do [[ -e "$o" ]] && inputs+=("$o"); done
	((${#inputs[@]} == 0)) && return 1
	[[ -n "$(find "${inputs[@]}" -path bpf/.output -prune -o -newer "$oldest" -print -quit)" ]]
}

[[ -d node_modules ]] || {
	echo "build: node_modules is missing: run scripts/setup.sh" >&2
	exit 1
}
[[ -f vendor/libbpf/lib/libbpf.a ]] || {
	echo "build: vendor/libbpf is missing: run scripts/setup.sh (or scripts/vendor-libbpf.sh)" >&2
	exit 1
}

# --- 1. BPF object + skeleton ----------------------------------------------------
# (make is the authority on what to rebuild; this check only spares its start-up)

if [[ ! -f bpf/Makefile ]]; then
	log "note: bpf/Makefile does not exist yet: skipping the BPF step"
elif stale bpf/.output/traceloop.bpf.o bpf/.output/traceloop.skel.h -- bpf; then
	log "make -C bpf"
	make -s -C bpf
else
	log "bpf: up to date"
fi

# --- 2. native addon --------------------------------------------------------------

if [[ ! -f binding.gyp ]]; then
	log "note: binding.gyp does not exist yet: skipping the addon step"
elif stale build/Release/traceloop.node -- native binding.gyp bpf/traceloop.h \
	bpf/.output/traceloop.skel.h vendor/libbpf/lib/libbpf.a; then
	gyp_args=(rebuild --jobs=max)
	# Use the headers that ship with this node (no download needed, works offline).
	nodedir="$(dirname "$(dirname "$(node -p process.execPath)")")"
	if [[ -f "$nodedir/include/node/node_api.h" && -f "$nodedir/include/node/common.gypi" ]]; then
		gyp_args+=(--nodedir="$nodedir")
	fi
	log "node-gyp ${gyp_args[*]}"
	gyp_log="$(mktemp)"
	npx --no-install node-gyp "${gyp_args[@]}" >"$gyp_log" 2>&1 ||
		{
			cat "$gyp_log" >&2
			rm -f "$gyp_log"
			echo "build: node-gyp failed" >&2
			exit 1
		}
	grep -i 'warning' "$gyp_log" >&2 || true
	rm -f "$gyp_log"
	[[ -f build/Release/traceloop.node ]] || {
		echo "build: node-gyp produced no build/Release/traceloop.node" >&2
		exit 1
	}
else
	log "addon: up to date"
fi

# --- 3. TypeScript ------------------------------------------------------------------

tsc_stamp=dist/.tsc-stamp
if stale "$tsc_stamp" -- src tsconfig.json package.json; then
	log "tsc -p tsconfig.json"
	npx --no-install tsc -p tsconfig.json
	mkdir -p dist
	touch "$tsc_stamp"
	if [[ -f dist/cli.js ]]; then
		# src/cli.tsx carries the shebang; add it only if it ever went missing.
		if [[ "$(head -c 2 dist/cli.js)" != '#!' ]]; then
			sed -i '1i #!/usr/bin/env node' dist/cli.js
		fi
		chmod +x dist/cli.js
	fi
else
	log "ts: up to date"
fi
