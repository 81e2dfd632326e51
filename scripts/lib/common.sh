# shellcheck shell=bash
# Helpers shared by the host scripts. Source it; it defines functions only.

# Root of every download, unpacked kernel and build root of the project.
fdm_cache() {
	echo "${FDM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/fail_dup_mmap}"
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
