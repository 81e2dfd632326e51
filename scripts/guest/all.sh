#!/bin/sh
# Every in-guest test suite of fail_dup_mmap, as KTAP subtests, in one boot.
# Each suite has a time limit of its own (-T, default 400 s): one that hangs
# is reported "not ok ... # TIMEOUT" and the next one runs.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	echo "usage: all.sh [-T SUITE_SECONDS] [-c RACE_CYCLES] [-L] [-s SUITES]   (runs the guest suites; KTAP)"
	echo "  -L  lighter for slow (debug) kernels: 100 filter forks, sweep.sh and"
	echo "      leaks.sh skipped (audit.sh and kmemleak.sh cover them there)"
	echo "  -s  only these suites (comma-separated, in the usual order): $all_suites"
}
all_suites="debugfs,inject-matrix,knobs-badinput,filter,fault-attr,audit,sweep,leaks,kmemleak,slots,early-disarm,race-rmmod"
FDM_SUITE_TIMEOUT=400 race=100 forks= light= only=
while [ $# -gt 0 ]; do
	case $1 in
	-T) FDM_SUITE_TIMEOUT=$(num_arg -T "$2"); shift 2 ;;
	-c) race=$(num_arg -c "$2"); shift 2 ;;
	-L) forks="-n 100" light=1; shift ;;
	-s) only=${2:-}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
export FDM_SUITE_TIMEOUT
# -s: each name must be a suite; the plan counts only the chosen ones.
nsel=12
if [ -n "$only" ]; then
	nsel=0
	for s in $(echo "$only" | tr ',' ' '); do
		case ",$all_suites," in *",$s,"*) nsel=$((nsel + 1)) ;;
		*) echo "all.sh: -s: no suite '$s' (have: $all_suites)" >&2; exit 2 ;;
		esac
	done
	[ "$nsel" -gt 0 ] || { echo "all.sh: -s needs at least one suite" >&2; exit 2; }
fi
# chosen NAME: NAME is to run (no -s, or named by -s).
chosen() { [ -z "$only" ] || case ",$only," in *",$1,"*) true ;; *) false ;; esac; }
require_root
ktap_header $((nsel + 2))
if fdm_insmod; then
	ktap_ok "insmod fail_dup_mmap.ko on $(uname -r)"
else
	ktap_not_ok "insmod fail_dup_mmap.ko on $(uname -r)"
	exit 1
fi
! chosen debugfs || ktap_subtest "debugfs" debugfs.sh
! chosen inject-matrix || ktap_subtest "inject-matrix" inject-matrix.sh
! chosen knobs-badinput || ktap_subtest "knobs-badinput" knobs-badinput.sh
# shellcheck disable=SC2086
! chosen filter || ktap_subtest "filter" filter.sh $forks
! chosen fault-attr || ktap_subtest "fault-attr" fault-attr.sh
! chosen audit || ktap_subtest "audit" audit.sh
if ! chosen sweep; then
	:
elif [ -n "$light" ]; then	# the same kernel code is swept on Debian 6.12
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n sweep # SKIP -L: audit.sh covers every step here; the sweep runs on the Debian kernels"
else
	ktap_subtest "sweep" sweep.sh
fi
# leaks.sh needs 100 VMAs (fewer failures bring the per-failure noise near
# the tolerance), which a debug kernel under TCG cannot afford; there
# kmemleak.sh (a sweep, then kmemleak's scan) checks for leaks instead.
if ! chosen leaks; then
	:
elif [ -n "$light" ]; then
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n leaks # SKIP -L: kmemleak.sh checks leaks on this kernel"
else
	ktap_subtest "leaks" leaks.sh
fi
! chosen kmemleak || ktap_subtest "kmemleak" kmemleak.sh
! chosen slots || ktap_subtest "slots" slots.sh
! chosen early-disarm || ktap_subtest "early-disarm" early-disarm.sh
! chosen race-rmmod || ktap_subtest "race-rmmod" race-rmmod.sh -c "$race"
if [ -d $FDM ]; then ktap_ok "module still loaded after the suites"; else
	ktap_not_ok "module still loaded after the suites"; fi
ktap_finish
