#!/bin/sh
# Every step at every index of a VMA-rich parent: each fork fails exactly
# where the step applies, and the audit of each failed child matches what
# this kernel line does (docs/audit.md). The kill step (it kills the forking
# task) runs at a set of indices. Ends with the module's counters.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: sweep.sh [-n VMAS] [-k 'KILL-INDICES']"; }
vmas=100 kills="first second middle last"
while [ $# -gt 0 ]; do
	case $1 in
	-n) vmas=$(num_arg -n "$2"); shift 2 ;;
	-k) kills=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
fdm_begin
echo 1 >$FDM/reset
n=1
for i in $kills; do n=$((n + 1)); done
ktap_header $n
# shellcheck disable=SC2046
ktap_subtest "every step but kill x every index of a $vmas-VMA parent (one VM_DONTCOPY), audited" \
	forker --sweep --vmas "$vmas" --dontfork $((vmas / 2)) --audit $(fdm_sweep_opts)
for i in $kills; do
	ktap_subtest "kill at $i, audited" forker --vmas "$vmas" --index "$i" --step kill --audit
done
awk '$2 != 0 && $2 != "-" { print "# stats: " $0 }' $FDM/stats
ktap_finish
