#!/usr/bin/env bash
# Vendors a pinned libbpf, built static and position-independent, into
# vendor/libbpf/{lib/libbpf.a,include/bpf/*.h,VERSION}.
#
# Why: Debian's libbpf.a (libbpf-dev) is not built with -fPIC and cannot be
# linked into the addon (a shared object), and linking libbpf.so would tie us
# to whichever libbpf a host has. So we fetch Debian's own source package
# (signature-checked by apt) and build it ourselves.
#
# The host's apt configuration is never changed: apt reads a sources dir, a
# lists dir and a cache dir of our own under vendor/apt/ (the host's apt.conf.d
# settings, e.g. proxies, still apply). The mirror is the one the host uses.
#
# Usage: scripts/vendor-libbpf.sh [--force]
set -euo pipefail

LIBBPF_VERSION=1.1.2 # what Debian 12 (bookworm) ships

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/vendor"
APTDIR="$VENDOR/apt"
SRCDIR="$VENDOR/src"
OUT="$VENDOR/libbpf"

log() { printf 'vendor-libbpf: %s\n' "$*"; }
die() {
	printf 'vendor-libbpf: error: %s\n' "$*" >&2
	exit 1
}

force=0
[[ "${1:-}" == "--force" ]] && force=1

if [[ $force -eq 0 && -f "$OUT/lib/libbpf.a" && -f "$OUT/include/bpf/libbpf.h" &&
	"$(cat "$OUT/VERSION" 2>/dev/null)" == "$LIBBPF_VERSION" ]]; then
	log "libbpf $LIBBPF_VERSION already vendored in $OUT"
	exit 0
fi

for tool in make cc ar tar; do
	command -v "$tool" >/dev/null || die "'$tool' is missing (run scripts/setup.sh first)"
done

# --- 1. the orig tarball, from Debian's source package ----------------------

find_tarball() {
	compgen -G "$SRCDIR/libbpf_${LIBBPF_VERSION}.orig.tar.*" | head -n1 || true
}

# host_mirror, mirror_for: the mirror the host uses for a suite.
# shellcheck source=SCRIPTDIR/lib/apt-mirror.sh
source "$ROOT/scripts/lib/apt-mirror.sh"

fetch_source() {
	command -v apt-get >/dev/null ||
		die "apt-get is missing: on a non-Debian host, build libbpf $LIBBPF_VERSION with EXTRA_CFLAGS=-fPIC into $OUT by hand"
	local suite uri signed entry
	# shellcheck disable=SC1091
	suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
	[[ -n "$suite" ]] || die "no VERSION_CODENAME in /etc/os-release"
	entry="$(mirror_for "$suite")"
	uri="${entry%%$'\t'*}"
	signed="${entry#*$'\t'}"

	mkdir -p "$APTDIR/sources.list.d" "$APTDIR/lists/partial" \
		"$APTDIR/cache/archives/partial" "$SRCDIR"
	rm -f "$APTDIR"/sources.list.d/*
	printf 'deb-src %s%s %s main\n' "${signed:+[signed-by=$signed] }" "$uri" "$suite" \
		>"$APTDIR/sources.list.d/traceloop-src.list"
	log "fetching the libbpf source package from $uri $suite main"

	local apt=(apt-get -q
		-o "Dir::Etc::SourceList=/dev/null"
		-o "Dir::Etc::SourceParts=$APTDIR/sources.list.d"
		-o "Dir::State::Lists=$APTDIR/lists"
		-o "Dir::Cache=$APTDIR/cache"
		-o "Acquire::Languages=none")
	if [[ $(id -u) -eq 0 ]]; then
		# apt drops to the _apt user to download; it may not reach our tree.
		apt+=(-o "APT::Sandbox::User=root")
	fi
	"${apt[@]}" update >"$APTDIR/update.log" 2>&1 ||
		{ cat "$APTDIR/update.log" >&2; die "apt-get update (vendor lists) failed"; }
	(cd "$SRCDIR" && "${apt[@]}" source --download-only "libbpf") >"$APTDIR/source.log" 2>&1 ||
		{ cat "$APTDIR/source.log" >&2; die "apt-get source libbpf failed"; }
}

tarball="$(find_tarball)"
if [[ -z "$tarball" ]]; then
	fetch_source
	tarball="$(find_tarball)"
	if [[ -z "$tarball" ]]; then
		got="$( (cd "$SRCDIR" && compgen -G 'libbpf_*.orig.tar.*' | tr '\n' ' ') || true)"
		die "the archive did not serve libbpf $LIBBPF_VERSION (got: ${got:-nothing}); update LIBBPF_VERSION deliberately"
	fi
fi
log "using $(basename "$tarball")"

# --- 2. build it static and PIC, install into a staging dir, then swap -------

tree="$SRCDIR/libbpf-$LIBBPF_VERSION"
rm -rf "$tree"
mkdir -p "$tree"
tar -xf "$tarball" -C "$tree" --strip-components=1
[[ -f "$tree/src/Makefile" ]] || die "unexpected tarball layout: no src/Makefile"

stage="$VENDOR/libbpf.new"
rm -rf "$stage"
mkdir -p "$stage/obj"
log "building (static, -fPIC)"
make -s -C "$tree/src" -j"$(nproc 2>/dev/null || echo 2)" \
	BUILD_STATIC_ONLY=y OBJDIR="$stage/obj" \
	EXTRA_CFLAGS='-fPIC -O2' \
	DESTDIR="$stage" PREFIX= LIBDIR=/lib INCLUDEDIR=/include \
	install >"$stage/obj/build.log" 2>&1 ||
	{ cat "$stage/obj/build.log" >&2; die "libbpf build failed"; }
echo "$LIBBPF_VERSION" >"$stage/VERSION"

# --- 3. prove it: the symbols are there and it links into a shared object ---

[[ -f "$stage/lib/libbpf.a" && -f "$stage/include/bpf/libbpf.h" && -f "$stage/include/bpf/bpf_helpers.h" ]] ||
	die "install produced no lib/libbpf.a or include/bpf/*.h"
# (grep reads all of nm's output: grep -q would SIGPIPE nm under pipefail)
nm "$stage/lib/libbpf.a" 2>/dev/null | grep ' T bpf_object__open_file$' >/dev/null ||
	die "libbpf.a has no bpf_object__open_file"
probe="$stage/obj/pic-probe"
cat >"$probe.c" <<'EOF'
#include <bpf/libbpf.h>
struct bpf_object *traceloop_probe(const char *p) { return bpf_object__open_file(p, NULL); }
EOF
cc -shared -fPIC -I"$stage/include" -o "$probe.so" "$probe.c" \
	-Wl,--whole-archive "$stage/lib/libbpf.a" -Wl,--no-whole-archive -lelf -lz \
	2>"$probe.log" || { cat "$probe.log" >&2; die "libbpf.a does not link into a shared object (not PIC?)"; }
rm -f "$probe".*

rm -rf "$OUT"
mv "$stage" "$OUT"
# The installed .pc says prefix= (we installed with PREFIX=): point it here.
# shellcheck disable=SC2016 # ${prefix} is pkg-config's, not ours
sed -i -e "s|^prefix=.*|prefix=$OUT|" -e 's|^libdir=.*|libdir=${prefix}/lib|' \
	"$OUT/lib/pkgconfig/libbpf.pc"
log "done: $OUT/lib/libbpf.a, headers in $OUT/include (libbpf $LIBBPF_VERSION)"
