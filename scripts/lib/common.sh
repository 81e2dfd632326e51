# shellcheck shell=bash
# Helpers shared by the host scripts. Source it; it defines functions only.

# Root of every download, unpacked kernel and build root of the project.
fdm_cache() {
	echo "${FDM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/fail_dup_mmap}"
}

# The lines the kernel prints for a bug, a stall, a hang (ERE): what vm-run
# calls a splat, and scripts/corpus looks for in each entry's part.
fdm_splat_re() {
	echo 'BUG:|WARNING:|Oops|KASAN|general protection fault|Kernel panic|Bad rss-counter state|non-zero pgtables_bytes|list_del corruption|refcount_t:|INFO: task .* blocked for more than|rcu: INFO: .* detected stalls|watchdog: BUG: soft lockup|INFO: possible .*locking|possible circular locking|inconsistent lock state|sleeping function called from invalid context|kmemleak: .* new suspected memory leaks'
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
