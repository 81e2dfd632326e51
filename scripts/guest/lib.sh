# shellcheck shell=sh
# Helpers for the in-guest scenarios (busybox sh): KTAP output, module
# load/unload, disarming. Source it after 'set -eu'.
FDM=/sys/kernel/debug/fail_dup_mmap
FDM_MODULE=${FDM_MODULE:-/fdm/fail_dup_mmap.ko}
ktap_n=0
ktap_failed=0

ktap_header() { echo "TAP version 13"; echo "1..$1"; }
ktap_ok() { ktap_n=$((ktap_n + 1)); echo "ok $ktap_n $*"; }
ktap_not_ok() { ktap_n=$((ktap_n + 1)); ktap_failed=$((ktap_failed + 1)); echo "not ok $ktap_n $*"; }
ktap_skip() { ktap_n=$((ktap_n + 1)); echo "ok $ktap_n # SKIP $*"; }
# ktap_check DESCRIPTION COMMAND...: one result from a command's status.
ktap_check() {
	d=$1
	shift
	if "$@"; then ktap_ok "$d"; else ktap_not_ok "$d"; fi
}
ktap_finish() {
	echo "# $((ktap_n - ktap_failed)) passed, $ktap_failed failed"
	[ "$ktap_failed" = 0 ]
}
# Skip the whole script (kselftest: exit 4).
skip_all() { echo "TAP version 13"; echo "1..0 # SKIP $*"; exit 4; }

# num_arg OPTION VALUE: print VALUE if it is a decimal number, else fail.
num_arg() {
	case $2 in
	'' | *[!0-9.]*) echo "${0##*/}: $1 needs a number, got '$2'" >&2; exit 2 ;;
	esac
	echo "$2"
}
require_root() { [ "$(id -u)" = 0 ] || skip_all "must be root"; }
fdm_load() {
	[ -d $FDM ] && return 0
	[ -f "$FDM_MODULE" ] || skip_all "no $FDM_MODULE"
	insmod "$FDM_MODULE"
}
# The usual start of a suite: root, module loaded, disarmed on exit.
fdm_begin() {
	require_root
	fdm_load
	trap fdm_disarm EXIT INT TERM
}
fdm_disarm() { [ -w $FDM/index ] && echo -1 >$FDM/index 2>/dev/null || true; }
fdm_unload() { fdm_disarm; rmmod fail_dup_mmap; }
# Value of NAME in the stats file.
fdm_stat() { awk -v k="$1" '$1 == k { print $2 }' $FDM/stats; }
# Run a KTAP-printing command as a subtest: indent its lines, one result.
ktap_subtest() {
	d=$1
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	echo "$out" | sed 's/^/    /'
	case $rc in
	0) ktap_ok "$d" ;;
	4) ktap_skip "$d" ;;
	*) ktap_not_ok "$d (exit $rc)" ;;
	esac
}
