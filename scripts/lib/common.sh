# shellcheck shell=bash
# Helpers shared by the host scripts. Source it; it defines functions only.

# Root of every download, unpacked kernel and build root of the project.
fdm_cache() {
	echo "${FDM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/fail_dup_mmap}"
}

# The splat table (scripts/lib/splat-table): the lines the kernel prints for
# a bug, a stall, a hang, by class. FDM_SPLAT_TABLE overrides its path.
fdm_splat_table_file() {
	echo "${FDM_SPLAT_TABLE:-$(dirname "${BASH_SOURCE[0]}")/splat-table}"
}

# The table without comments: one "CLASS<TAB>ERE" line per pattern. Fails
# (status 1, a message on stderr) on an unreadable table or a class with no ERE.
fdm_splat_table() {
	local t
	t=$(fdm_splat_table_file)
	[ -r "$t" ] || { echo "${0##*/}: no splat table $t" >&2; return 1; }
	awk '/^[ \t]*(#|$)/ { next }
		{ c = $1; e = $0; sub(/^[ \t]*[^ \t]+[ \t]*/, "", e); sub(/[ \t]+$/, "", e)
		  if (e == "") { printf "%s:%d: class %s has no ERE\n", FILENAME, NR, c | "cat >&2"; bad = 1; exit 1 }
		  printf "%s\t%s\n", c, e; n++ }
		END { if (bad) exit 1; if (!n) { print FILENAME ": no patterns" | "cat >&2"; exit 1 } }' "$t"
}

# The lines the kernel prints for a bug, a stall, a hang (ERE): what vm-run
# calls a splat, and scripts/corpus looks for in each entry's part. Every
# pattern of the splat table, joined with |.
fdm_splat_re() {
	local tab
	tab=$(fdm_splat_table) || return 1
	printf '%s\n' "$tab" | cut -f2- | paste -sd'|'
}

# Console lines on stdin that the table matches, as "CLASS<TAB>LINE" (the
# first class in table order whose ERE matches).
fdm_splat_classify() {
	local tab
	tab=$(fdm_splat_table) || return 1
	awk -F'\t' 'NR == FNR { c[++n] = $1; e[n] = substr($0, length($1) + 2); next }
		{ for (i = 1; i <= n; i++) if ($0 ~ e[i]) { print c[i] "\t" $0; break } }' \
		<(printf '%s\n' "$tab") -
}

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# Run apt-get/apt-cache against trixie and trixie-backports with a private
# configuration, so the host's sources and lists stay untouched.
fdm_trixie_apt() {
	local tool=$1 dir
	shift
	dir="$(fdm_cache)/apt-trixie"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	if [ ! -f "$dir/sources.list" ]; then
		cat >"$dir/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
SRC
	fi
	"$tool" -q -o Dir::Etc::sourcelist="$dir/sources.list" \
		-o Dir::Etc::sourceparts=/dev/null \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o APT::Sandbox::User=root "$@"
}

# Refresh the private trixie lists when they are older than a day.
fdm_trixie_update() {
	local stamp
	stamp="$(fdm_cache)/apt-trixie/updated"
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		fdm_trixie_apt apt-get update >&2 || die "apt-get update (trixie-backports) failed"
		touch "$stamp"
	fi
}
