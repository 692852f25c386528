#!/usr/bin/env bash
# Builds the kernel matrix's guest, vendor/kernels/initramfs.cpio.gz: a gzip
# newc cpio the kernel unpacks as its root and runs /init from
# (scripts/kernels/guest-init.sh). Inside:
#   /bin/*            busybox-static and its applets (sh, mount, ip, ...)
#   /usr/bin/node     the host's node, with every shared library ldd lists
#                     for it and for the addon, at the same paths
#   /tl/              dist/, build/Release/traceloop.node, package.json,
#                     scripts/verifier-budget.mjs, the production
#                     node_modules (the dependency closure of "dependencies")
#                     and int80 (test/integration/corpus/int80.c: ia32 calls,
#                     which a host without ia32 emulation cannot make)
#   /dev/console, /dev/null: the kernel opens the console before /init runs
#
# Why the host's node and libraries: the guest then runs exactly the build
# under test, with nothing to download; the guest kernels (6.1, 6.12) are
# new enough for the host's glibc.
#
# Rebuilt only when an input changed: the key is a hash of every input's
# path, size and mtime (vendor/kernels/initramfs.key).
#
# Usage: scripts/kernels/initramfs.sh [--force]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KDIR="$ROOT/vendor/kernels"
OUT="$KDIR/initramfs.cpio.gz"
KEY="$KDIR/initramfs.key"
HERE="$ROOT/scripts/kernels"
cd "$ROOT"

log() { printf 'initramfs: %s\n' "$*"; }
die() {
	printf 'initramfs: error: %s\n' "$*" >&2
	exit 1
}

force=0
case "${1:-}" in
"") ;;
--force) force=1 ;;
*) die "unknown argument '$1' (usage: scripts/kernels/initramfs.sh [--force])" ;;
esac

start=$(date +%s%N)

busybox=/bin/busybox
node="$(command -v node || true)"
[[ -n "$node" ]] || die "node is not on PATH"
node="$(readlink -f "$node")"
addon=build/Release/traceloop.node
"$busybox" --list >/dev/null 2>&1 || die "$busybox is missing (apt-get install busybox-static)"
# (ldd fails on a static executable: the guest has no libraries for busybox)
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is not static (apt-get install busybox-static, not busybox)"
fi
command -v cpio >/dev/null || die "cpio is missing (apt-get install cpio)"
for f in "$addon" dist/cli.js dist/recorder.js package.json scripts/verifier-budget.mjs; do
	[[ -f "$f" ]] || die "$f is missing (npm run build; scripts/verifier-budget.mjs comes with the repository)"
done

# The shared libraries (and the dynamic loader) ldd lists, as absolute paths.
libs() {
	ldd "$@" | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }' | sort -u
}
mapfile -t shared < <(libs "$node" "$addon")
[[ ${#shared[@]} -gt 0 ]] || die "ldd listed no libraries for $node and $addon"

# The production packages: package-lock.json's entries not marked dev (npm's
# own record of the closure of "dependencies"), outermost directories only
# (a nested node_modules belongs to its parent). Without a lock, npm ls.
prod_packages() {
	if [[ -f package-lock.json ]]; then
		node -e '
			const lock = require(process.argv[1]);
			const paths = Object.entries(lock.packages ?? {})
				.filter(([p, m]) => p.startsWith("node_modules/") && !m.dev && !m.link)
				.map(([p]) => p)
				.sort();
			const out = [];
			for (const p of paths) if (!out.some((q) => p.startsWith(q + "/"))) out.push(p);
			console.log(out.join("\n"));' "$ROOT/package-lock.json"
	else
		npm ls --omit=dev --all --parseable 2>/dev/null | sed -n "s|^$ROOT/||p" |
			grep '^node_modules/' | sort | awk '
				{ for (i = 1; i <= n; i++) if (index($0, seen[i] "/") == 1) next; seen[++n] = $0; print }'
	fi
}
mapfile -t modules < <(prod_packages | while read -r p; do [[ -d "$p" ]] && echo "$p"; done)
[[ ${#modules[@]} -gt 0 ]] || die "found no production packages in node_modules (npm ci first)"

# Everything the archive is made of, for the key.
int80_src=test/integration/corpus/int80.c
tree_inputs=(dist "$addon" package.json scripts/verifier-budget.mjs "$int80_src"
	"$HERE/guest-init.sh" "$HERE/initramfs.sh" "${modules[@]}")
key="$({
	stat -L -c '%n %s %Y' "$busybox" "$node" "${shared[@]}"
	find "${tree_inputs[@]}" -printf '%p %s %T@ %y\n'
} | LC_ALL=C sort | sha256sum | cut -d' ' -f1)"

if ((!force)) && [[ -s "$OUT" && "$(cat "$KEY" 2>/dev/null)" == "$key" ]]; then
	log "up to date: $OUT ($(du -h "$OUT" | cut -f1))"
	exit 0
fi

# --- the root tree -------------------------------------------------------------

mkdir -p "$KDIR"
stage="$KDIR/initramfs.root"
rm -rf "$stage"
mkdir -p "$stage"/{bin,dev,etc,proc,sys,run,tmp,root,usr/bin,tl/scripts,tl/build/Release}
chmod 1777 "$stage/tmp"

cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[[ "$applet" == busybox ]] || ln -s busybox "$stage/bin/$applet"
done
ln -s bin "$stage/sbin"
cp "$HERE/guest-init.sh" "$stage/init"
chmod 755 "$stage/init"

# The kernel opens /dev/console for /init's stdio before anything is mounted.
mknod -m 600 "$stage/dev/console" c 5 1 || die "mknod failed (building the initramfs needs root)"
mknod -m 666 "$stage/dev/null" c 1 3

printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\n' >"$stage/etc/group"

cp "$node" "$stage/usr/bin/node"
for lib in "${shared[@]}"; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

cp -a dist package.json "$stage/tl/"
cp -a "$addon" "$stage/tl/build/Release/"
cp -a scripts/verifier-budget.mjs "$stage/tl/scripts/"
command -v cc >/dev/null || die "cc is missing (apt-get install gcc; npm run setup installs it)"
cc -O0 -o "$stage/tl/int80" "$int80_src" || die "cc $int80_src failed"
for m in "${modules[@]}"; do
	mkdir -p "$stage/tl/$(dirname "$m")"
	cp -a "$m" "$stage/tl/$m"
done

# --- the archive ----------------------------------------------------------------

# Sorted (a directory before its contents, the same bytes for the same
# inputs), owned by root; gzip -1: the fastest that the kernel unpacks, and
# bigger archives cost little (qemu reads it from the page cache).
(cd "$stage" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$OUT.new")
mv "$OUT.new" "$OUT"
echo "$key" >"$KEY"
unpacked="$(du -sh "$stage" | cut -f1)"
rm -rf "$stage"

ms=$((($(date +%s%N) - start) / 1000000))
log "built $OUT: $(du -h "$OUT" | cut -f1) ($unpacked unpacked, ${#modules[@]} packages) in ${ms} ms"
