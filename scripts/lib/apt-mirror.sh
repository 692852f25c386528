# Sourced (not run) by the scripts that fetch from Debian's archive through an
# apt configuration of the project's own (scripts/vendor-libbpf.sh,
# scripts/kernels/fetch.sh): which mirror the host uses, so we download from
# the same place (and through the same proxies) without touching its apt
# configuration.
# shellcheck shell=bash

# Prints "URI<TAB>signed-by" of the first host entry that serves Debian's
# main archive for SUITE (one-line .list or deb822 .sources form).
host_mirror() {
	local suite="$1" f
	shopt -s nullglob
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f "$f" ]] || continue
		awk -v suite="$suite" '
			/^[ \t]*deb[ \t]/ {
				line = $0; signed = ""
				if (match(line, /\[[^]]*\]/)) {
					opts = substr(line, RSTART + 1, RLENGTH - 2)
					line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
					if (match(opts, /signed-by=[^ \t]+/))
						signed = substr(opts, RSTART + 10, RLENGTH - 10)
				}
				n = split(line, w, /[ \t]+/)
				i = (w[1] == "") ? 2 : 1
				if (w[i + 2] != suite) next
				for (j = i + 3; j <= n; j++) if (w[j] == "main") {
					print w[i + 1] "\t" signed; exit
				}
			}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		awk -v suite="$suite" '
			BEGIN { RS = ""; FS = "\n" }
			{
				types = ""; uris = ""; suites = ""; comps = ""; signed = ""; enabled = "yes"
				for (i = 1; i <= NF; i++) {
					line = $i
					if (line ~ /^[ \t]*#/) continue
					key = tolower(line); sub(/:.*/, "", key)
					val = line; sub(/^[^:]*:[ \t]*/, "", val)
					if (key == "types") types = " " val " "
					else if (key == "uris") uris = val
					else if (key == "suites") suites = " " val " "
					else if (key == "components") comps = " " val " "
					else if (key == "signed-by") signed = val
					else if (key == "enabled") enabled = tolower(val)
				}
				if (enabled == "no" || types !~ / deb / || comps !~ / main /) next
				if (suites !~ (" " suite " ")) next
				split(uris, u, /[ \t]+/)
				if (signed !~ /^\//) signed = ""
				print u[1] "\t" signed; exit
			}' "$f"
	done
}

# Prints "URI<TAB>keyring" for SUITE: the host's entry if it has one, else
# DEFAULT_URI (Debian's own redirector unless given); the keyring is the
# entry's if that file exists, else Debian's archive keyring (or empty: apt
# then uses its trusted.gpg.d, the host's own trust).
mirror_for() {
	local suite="$1" default="${2:-http://deb.debian.org/debian}" entry uri signed
	entry="$(host_mirror "$suite" | head -n1)"
	uri="${entry%%$'\t'*}"
	signed="${entry#*$'\t'}"
	[[ -n "$uri" ]] || uri="$default"
	[[ -n "$signed" && -f "$signed" ]] || signed=""
	if [[ -z "$signed" && -f /usr/share/keyrings/debian-archive-keyring.gpg ]]; then
		signed=/usr/share/keyrings/debian-archive-keyring.gpg
	fi
	printf '%s\t%s\n' "$uri" "$signed"
}
