#!/bin/sh
# What each kernel line leaves in a failed child's tree, per step and index,
# asserted exactly (docs/audit.md); one trace event per injection and audit.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: audit.sh [-n VMAS]"; }
vmas=30
while [ $# -gt 0 ]; do
	case $1 in
	-n) vmas=$(num_arg -n "$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
require_root
fdm_load
fdm_defaults
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
stop_trace() { echo 0 >$T/events/fail_dup_mmap/enable 2>/dev/null || true; fdm_disarm; }
trap stop_trace EXIT INT TERM

steps=$(awk '$3 == "available" { print $1 }' $FDM/steps)
# Where each step fails: arch after the last VMA, dontcopy at a VM_DONTCOPY
# VMA (own VMA 5, MADV_DONTFORK), the others at four places.
where() {
	case $1 in
	arch) echo past ;;
	dontcopy) echo dontfork ;;
	*) echo first second middle last ;;
	esac
}
n=2
for s in $steps; do n=$((n + $(where "$s" | wc -w))); done
ktap_header $n
for s in $steps; do
	for i in $(where "$s"); do
		# shellcheck disable=SC2046
		ktap_subtest "audit after $s at $i" forker --vmas "$vmas" --dontfork 5 --index $i --step "$s" --audit $(fdm_step_opts "$s")
	done
done

# Trace events: one fdm_inject per injection, one fdm_audit per failed child.
echo >$T/trace
echo 1 >$T/events/fail_dup_mmap/enable
forker --vmas "$vmas" --index 7 --step vma_alloc --forks 3 >/dev/null
echo 0 >$T/events/fail_dup_mmap/enable
pid=$(awk '$1 == "pid" { print $2 }' $FDM/last)
vma=$(awk '$1 == "vma" { print $2 }' $FDM/last)
ninj=$(grep -c "fdm_inject: pid=$pid index=7 step=vma_alloc vma=$vma error=-12" $T/trace || true)
naud=$(grep -c "fdm_audit: forker=$pid index=7 " $T/trace || true)
grep 'fdm_' $T/trace | head -n 2 | sed 's/^/# /'
ktap_check "trace: 3 fdm_inject events with pid, index, step, VMA range ($ninj)" test "$ninj" = 3
ktap_check "trace: 3 fdm_audit events ($naud)" test "$naud" = 3
ktap_finish
