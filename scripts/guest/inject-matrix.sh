#!/bin/sh
# Every available step at VMA first/second/middle/last: the fork fails with
# ENOMEM (the kill step: the forking task dies), last names the VMA, stats
# count one injection per failed fork; past the last VMA (except arch, which
# fails only there), on a MADV_DONTFORK VMA (except mt_dup, ksm, lock and
# dontcopy) and (for anon_vma/page_tables) on a MADV_WIPEONFORK VMA nothing
# fails. The fork past the last VMA also shows each step's function called
# from that fork in the way the step fails it: forks_step_not_reached stays
# 0, except for dontcopy, whose function no fork without a MADV_DONTFORK VMA
# calls (the module counts it once and says so).
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: inject-matrix.sh [-n VMAS]"; }
vmas=40
while [ $# -gt 0 ]; do
	case $1 in
	-n) vmas=$(num_arg -n "$2"); shift 2 ;;
	-h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
fdm_begin

steps=$(awk '$3 == "available" { print $1 }' $FDM/steps)
unavail=$(awk '$3 != "available" { print $1 }' $FDM/steps)
n=0
for s in $steps; do n=$((n + 7)); done
n=$((n + 3))
for s in $unavail; do n=$((n + 1)); done
ktap_header $n
echo "# kernel $(uname -r); steps available: $(echo $steps)"
for s in $unavail; do
	r=$(knob step "$s" || true)
	if [ "$r" = EOPNOTSUPP ]; then
		ktap_ok "unavailable step $s cannot be selected ($r)"
	else
		ktap_not_ok "unavailable step $s: write gave $r, want EOPNOTSUPP"
	fi
done
# ksm (6.1) needs a MMF_VM_MERGEABLE parent: fdm_step_opts gives --mergeable.
# shellcheck disable=SC2086
for s in $steps; do
	o=$(fdm_step_opts "$s")
	for i in first second middle last; do
		ktap_subtest "$s at $i" forker --vmas "$vmas" --index $i --step "$s" --forks 2 $o
	done
	nr0=$(fdm_stat forks_step_not_reached)
	ktap_subtest "$s past the last VMA" forker --vmas "$vmas" --index past --step "$s" $o
	nr1=$(fdm_stat forks_step_not_reached)
	if [ -z "$nr0" ] || [ -z "$nr1" ]; then
		ktap_not_ok "$s reached from fork: stats has no forks_step_not_reached (an older module?)"
	elif [ "$s" = dontcopy ]; then
		ktap_check "$s past the last VMA, no MADV_DONTFORK VMA: its function is not called, forks_step_not_reached +$((nr1 - nr0)) (want 1)" test $((nr1 - nr0)) = 1
	else
		ktap_check "$s is reached from fork: forks_step_not_reached +$((nr1 - nr0)) past the last VMA (want 0)" test $((nr1 - nr0)) = 0
	fi
	case $s in
	anon_vma | page_tables) ktap_subtest "$s at a MADV_WIPEONFORK VMA does not fail" \
		forker --vmas "$vmas" --wipeonfork 4 --index wipeonfork --step "$s" --expect ok ;;
	mt_dup) ktap_subtest "$s at a MADV_DONTFORK VMA fails (the whole tree is copied first)" \
		forker --vmas "$vmas" --mix --dontfork 5 --index dontfork --step "$s" --expect fail ;;
	ksm) ktap_subtest "$s at a MADV_DONTFORK VMA fails (ksm_fork() comes before any VMA)" \
		forker --vmas "$vmas" --mix --dontfork 5 --index dontfork --step "$s" --expect fail $o ;;
	lock) ktap_subtest "$s at a MADV_DONTFORK VMA fails (each VMA is locked before the VM_DONTCOPY test)" \
		forker --vmas "$vmas" --mix --dontfork 5 --index dontfork --step "$s" --expect fail ;;
	dontcopy) ktap_subtest "$s at a MADV_DONTFORK VMA fails (its clear from the copied tree)" \
		forker --vmas "$vmas" --mix --dontfork 5 --index dontfork --step "$s" --expect fail ;;
	kill) ktap_subtest "$s at a MADV_DONTFORK VMA: the forking task survives" \
		forker --vmas "$vmas" --mix --dontfork 5 --index dontfork --step "$s" ;;
	*) ktap_subtest "$s at a MADV_DONTFORK VMA does not fail" \
		forker --vmas "$vmas" --mix --dontfork 5 --index dontfork --step "$s" --expect ok ;;
	esac
done
ktap_subtest "armed through addr (an address inside the middle VMA): last reports its index" \
	forker --vmas "$vmas" --by-addr --index middle --step vma_alloc --forks 2
ktap_subtest "armed through addr at the last VMA" \
	forker --vmas "$vmas" --by-addr --index last --step page_tables
# An early step (mt_dup, dontcopy) decided but never carried out means the
# decision picked a VMA where its store does not happen.
und=$(fdm_stat early_not_carried_out)
ktap_check "no early decision left undone (early_not_carried_out $und)" test "$und" = 0
ktap_finish
