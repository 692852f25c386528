#!/usr/bin/env bash
# Fetches the kernels of the kernel matrix (scripts/kernels/run.sh) from
# Debian's archive into vendor/kernels/NAME/vmlinuz-*:
#   debian12: the newest linux-image-6.1.0-*-cloud-amd64-unsigned of bookworm
#   debian13: the newest linux-image-6.12.*+deb13-cloud-amd64-unsigned of trixie
# and lists them in vendor/kernels/matrix ("NAME<TAB>VMLINUZ<TAB>PACKAGE=VERSION").
#
# Why these: they are the LTS kernels of the Debian releases (6.1 has the
# strictest verifier we can reach), Debian's archive is the only place this
# machine may download kernels from, and the cloud flavour boots in qemu with
# no modules (8250 console, gzip initrd and BTF built in). "-unsigned" is the
# same kernel without the Secure Boot signature wrapper.
#
# The host's apt configuration is never changed: apt reads a sources dir, a
# lists dir and a cache dir of our own per release under vendor/kernels/apt/
# (the host's apt.conf.d settings, e.g. proxies, still apply). The mirror is
# the one the host uses (scripts/lib/apt-mirror.sh), the keyring Debian's.
#
# Cached: when every kernel is there, nothing is asked of the archive.
#
# Usage: scripts/kernels/fetch.sh [--update]
#   --update   ask the archive again and fetch any kernel that is newer
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KDIR="$ROOT/vendor/kernels"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# NAME  SUITE  package-name regex (extended, for apt-cache search --names-only)
KERNELS=(
	'debian12 bookworm ^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$'
	'debian13 trixie ^linux-image-6\.12\.[0-9]+\+deb13-cloud-amd64-unsigned$'
)

log() { printf 'fetch: %s\n' "$*"; }
die() {
	printf 'fetch: error: %s\n' "$*" >&2
	exit 1
}

update=0
case "${1:-}" in
"") ;;
--update) update=1 ;;
*) die "unknown argument '$1' (usage: scripts/kernels/fetch.sh [--update])" ;;
esac

# The cached kernel of NAME: its vmlinuz, if it was fetched whole.
cached_vmlinuz() {
	local dir="$KDIR/$1"
	[[ -s "$dir/package" ]] || return 0
	compgen -G "$dir/vmlinuz-*" | head -n1 || true
}

write_matrix() {
	local entry name vmlinuz tmp="$KDIR/matrix.new"
	: >"$tmp"
	for entry in "${KERNELS[@]}"; do
		read -r name _ _ <<<"$entry"
		vmlinuz="$(cached_vmlinuz "$name")"
		printf '%s\t%s\t%s\n' "$name" "$vmlinuz" "$(cat "$KDIR/$name/package")" >>"$tmp"
	done
	mv "$tmp" "$KDIR/matrix"
}

# --- 0. cached? (the common case: a few ms) ---------------------------------

if ((!update)); then
	all=1
	for entry in "${KERNELS[@]}"; do
		read -r name _ _ <<<"$entry"
		[[ -n "$(cached_vmlinuz "$name")" ]] || all=0
	done
	if ((all)); then
		[[ -s "$KDIR/matrix" ]] || write_matrix
		exit 0
	fi
fi

for tool in apt-get apt-cache dpkg-deb; do
	command -v "$tool" >/dev/null ||
		die "'$tool' is missing: the kernels come from Debian's archive through apt (a Debian host)"
done
[[ -f "$KEYRING" ]] || die "$KEYRING is missing (apt-get install debian-archive-keyring)"

# shellcheck source=SCRIPTDIR/../lib/apt-mirror.sh
source "$ROOT/scripts/lib/apt-mirror.sh"

# The host's mirrors (for its own release: it may well have no entry for the
# other one, and a mirror serves every release anyway).
# shellcheck disable=SC1091
host_suite="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")" || host_suite=""
main_uri="$(mirror_for "${host_suite:-none}" | cut -f1)"
security_uri="$(mirror_for "${host_suite:-none}-security" http://deb.debian.org/debian-security | cut -f1)"

# apt with every directory it writes under DIR (and read-only use of the
# host's dpkg status, which apt-cache and download do not change).
apt_own() {
	local dir="$1"
	shift
	local apt=(-q
		-o "Dir::Etc::SourceList=/dev/null"
		-o "Dir::Etc::SourceParts=$dir/sources.list.d"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache=$dir/cache"
		-o "Dir::Cache::archives=$dir/cache/archives"
		-o "Acquire::Languages=none")
	if [[ $(id -u) -eq 0 ]]; then
		# apt drops to the _apt user to download; it may not reach our tree.
		apt+=(-o "APT::Sandbox::User=root")
	fi
	local cmd="$1"
	shift
	"$cmd" "${apt[@]}" "$@"
}

# Fetches the newest package matching REGEX from SUITE into vendor/kernels/NAME.
fetch_kernel() {
	local name="$1" suite="$2" regex="$3"
	local dir="$KDIR/apt/$name" pkg version have work vmlinuz
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	rm -f "$dir"/sources.list.d/*
	cat >"$dir/sources.list.d/traceloop-kernels.sources" <<EOF
# Written by scripts/kernels/fetch.sh: $name's kernels (the release, its point
# updates and its security updates, where new kernels land first).
Types: deb
URIs: $main_uri
Suites: $suite $suite-updates
Components: main
Architectures: amd64
Signed-By: $KEYRING

Types: deb
URIs: $security_uri
Suites: $suite-security
Components: main
Architectures: amd64
Signed-By: $KEYRING
EOF
	log "$name: apt-get update ($suite from $main_uri and $security_uri)"
	apt_own "$dir" apt-get update >"$dir/update.log" 2>&1 ||
		die "$name: apt-get update failed: $(grep -m1 '^E:' "$dir/update.log" || tail -n1 "$dir/update.log") (log: $dir/update.log)"

	pkg="$(apt_own "$dir" apt-cache search --names-only "$regex" 2>>"$dir/update.log" |
		awk '{ print $1 }' | sort -V | tail -n1)"
	[[ -n "$pkg" ]] ||
		die "$name: no package matching '$regex' in $suite (log: $dir/update.log)"
	version="$(apt_own "$dir" apt-cache show --no-all-versions "$pkg" 2>/dev/null |
		awk '/^Version:/ { print $2; exit }')"
	have="$(cat "$KDIR/$name/package" 2>/dev/null || true)"
	if [[ "$have" == "$pkg=$version" && -n "$(cached_vmlinuz "$name")" ]]; then
		log "$name: $pkg $version is the newest, already here"
		return 0
	fi

	log "$name: downloading $pkg $version"
	work="$KDIR/$name.new"
	rm -rf "$work"
	mkdir -p "$work/deb" "$work/x"
	(cd "$work/deb" && apt_own "$dir" apt-get download "$pkg=$version") >"$dir/download.log" 2>&1 ||
		die "$name: apt-get download $pkg=$version failed: $(grep -m1 '^E:' "$dir/download.log" || tail -n1 "$dir/download.log") (log: $dir/download.log)"
	dpkg-deb -x "$work"/deb/*.deb "$work/x" ||
		die "$name: dpkg-deb -x failed on $(basename "$work"/deb/*.deb)"
	vmlinuz="$(compgen -G "$work/x/boot/vmlinuz-*" | head -n1 || true)"
	[[ -n "$vmlinuz" ]] || die "$name: $pkg has no boot/vmlinuz-*"

	# Keep the kernel only, then swap it in whole.
	mkdir -p "$work/keep"
	mv "$vmlinuz" "$work/keep/"
	printf '%s=%s\n' "$pkg" "$version" >"$work/keep/package"
	rm -rf "${KDIR:?}/$name"
	mv "$work/keep" "$KDIR/$name"
	rm -rf "$work"
	log "$name: $(basename "$vmlinuz") ($(du -h "$KDIR/$name/$(basename "$vmlinuz")" | cut -f1))"
}

mkdir -p "$KDIR"
for entry in "${KERNELS[@]}"; do
	read -r name suite regex <<<"$entry"
	if ((update)) || [[ -z "$(cached_vmlinuz "$name")" ]]; then
		fetch_kernel "$name" "$suite" "$regex"
	fi
done
write_matrix
