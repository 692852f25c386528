#!/usr/bin/env bash
# Makes this checkout ready to build, demo, bench and test: Debian packages,
# the vendored libbpf, node_modules, then scripts/build.sh. Idempotent, and
# quick when nothing is missing (every step checks before it works).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'setup: %s\n' "$*"; }

export DEBIAN_FRONTEND=noninteractive # never prompt (CI=true has no stdin)

# --- 1. system packages -------------------------------------------------------

DEBIAN_PACKAGES=(clang llvm bpftool libelf-dev zlib1g-dev pkg-config make g++ python3 strace
	tmux sysbench linux-perf curl clang-format dpkg-dev qemu-system-x86 busybox-static cpio)

missing=()
if command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; then
	debian=1
	# One dpkg-query for all; unknown packages print nothing (and make it fail).
	installed=" $(dpkg-query -W -f='${Package}=${db:Status-Abbrev}\n' "${DEBIAN_PACKAGES[@]}" \
		2>/dev/null | awk -F= '$2 ~ /^ii/ { printf "%s ", $1 }' || true)"
	for p in "${DEBIAN_PACKAGES[@]}"; do
		[[ "$installed" == *" $p "* ]] || missing+=("$p")
	done
else
	debian=0
	# Not Debian: look for what the packages provide instead.
	for cmd in clang llc bpftool pkg-config make g++ python3 strace tmux sysbench perf curl \
		clang-format; do
		command -v "$cmd" >/dev/null || missing+=("$cmd")
	done
	if command -v pkg-config >/dev/null; then
		pkg-config --exists libelf || missing+=("libelf (headers)")
		pkg-config --exists zlib || missing+=("zlib (headers)")
	fi
fi
command -v node >/dev/null || missing+=("node (>= 20)")

if ((${#missing[@]} > 0)); then
	if ((debian)) && [[ $(id -u) -eq 0 ]] && command -v node >/dev/null; then
		log "installing ${missing[*]}"
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	else
		{
			echo "setup: missing: ${missing[*]}"
			if ((debian)); then
				echo "setup: install them by hand, as root: apt-get install ${missing[*]/node*/}"
			else
				echo "setup: install the equivalents of these Debian 12 packages by hand:"
				echo "setup:   ${DEBIAN_PACKAGES[*]}"
			fi
			echo "setup: (Node.js >= 20 is needed too; recording syscalls needs root, or CAP_BPF + CAP_PERFMON.)"
		} >&2
		exit 1
	fi
fi
if [[ $(id -u) -ne 0 ]]; then
	log "note: not root: building works, but recording (demo, tests) needs root with CAP_BPF"
fi

# --- 2. libbpf, vendored (static, PIC, pinned) -------------------------------

if [[ ! -f vendor/libbpf/lib/libbpf.a ]]; then
	log "vendoring libbpf"
	bash scripts/vendor-libbpf.sh
fi

# --- 3. node_modules -----------------------------------------------------------

stamp=node_modules/.traceloop-installed
if [[ ! -d node_modules || ! -f $stamp || package.json -nt $stamp ||
	(-f package-lock.json && package-lock.json -nt $stamp) ]]; then
	if [[ -f package-lock.json ]]; then
		log "npm ci"
		npm ci --no-audit --no-fund
	else
		log "npm install"
		npm install --no-audit --no-fund
	fi
	touch "$stamp"
fi

# --- 4. build ------------------------------------------------------------------

bash scripts/build.sh
