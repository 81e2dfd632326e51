#!/bin/sh
# Every in-guest test suite of fail_dup_mmap, as KTAP subtests, in one boot.
# Each suite has a time limit of its own (-T, default 400 s): one that hangs
# is reported "not ok ... # TIMEOUT" and the next one runs.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: all.sh [-T SUITE_SECONDS] [-c RACE_CYCLES] [-L]   (runs the guest suites; KTAP)"
	echo "  -L  lighter for slow (debug) kernels: 100 filter forks, sweep.sh and"
	echo "      leaks.sh skipped (audit.sh and kmemleak.sh cover them there)"
}
FDM_SUITE_TIMEOUT=400 race=100 forks= light=
while [ $# -gt 0 ]; do
	case $1 in
	-T) FDM_SUITE_TIMEOUT=$(num_arg -T "$2"); shift 2 ;;
	-c) race=$(num_arg -c "$2"); shift 2 ;;
	-L) forks="-n 100" light=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
export FDM_SUITE_TIMEOUT
require_root
ktap_header 12
if fdm_insmod; then
	ktap_ok "insmod fail_dup_mmap.ko on $(uname -r)"
else
	ktap_not_ok "insmod fail_dup_mmap.ko on $(uname -r)"
	exit 1
fi
ktap_subtest "debugfs" debugfs.sh
ktap_subtest "inject-matrix" inject-matrix.sh
ktap_subtest "knobs-badinput" knobs-badinput.sh
# shellcheck disable=SC2086
ktap_subtest "filter" filter.sh $forks
ktap_subtest "fault-attr" fault-attr.sh
ktap_subtest "audit" audit.sh
if [ -n "$light" ]; then	# the same kernel code is swept on Debian 6.12
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n sweep # SKIP -L: audit.sh covers every step here; the sweep runs on the Debian kernels"
else
	ktap_subtest "sweep" sweep.sh
fi
# leaks.sh needs 100 VMAs (fewer failures bring the per-failure noise near
# the tolerance), which a debug kernel under TCG cannot afford; there
# kmemleak.sh (a sweep, then kmemleak's scan) checks for leaks instead.
if [ -n "$light" ]; then
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n leaks # SKIP -L: kmemleak.sh checks leaks on this kernel"
else
	ktap_subtest "leaks" leaks.sh
fi
ktap_subtest "kmemleak" kmemleak.sh
ktap_subtest "race-rmmod" race-rmmod.sh -c "$race"
if [ -d $FDM ]; then ktap_ok "module still loaded after the suites"; else
	ktap_not_ok "module still loaded after the suites"; fi
ktap_finish
