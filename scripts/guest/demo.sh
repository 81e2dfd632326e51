#!/bin/sh
# The demo, in the guest: load the module, fail one fork at VMA #N, show
# what the kernel did (errno, the log line, last, stats), unload.
set -eu
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h | --help) echo "usage: demo.sh   (in the vm-run guest)"; exit 0 ;;
esac
fdm_begin
echo "== kernel $(uname -r); steps this kernel offers:"
sed 's/^/   /' $FDM/steps
echo 1 >$FDM/verbose
echo "== forker: 40 VMAs, fail fork at the middle VMA, step vma_alloc (vm_area_dup), 3 forks"
forker --vmas 40 --index middle --step vma_alloc --forks 3 && rc=0 || rc=$?
echo "== forker: the same VMA at step anon_vma (anon_vma_fork)"
forker --vmas 40 --index middle --step anon_vma && rc2=0 || rc2=$?
echo "== kernel log of the injections:"
dmesg | grep 'fail_dup_mmap: injected' | sed 's/^/   /'
echo "== $FDM/last:"
sed 's/^/   /' $FDM/last
echo "== $FDM/stats (non-zero):"
awk '$2 != 0 && $2 != "-" { print "   " $0 }' $FDM/stats
fdm_unload
echo "== module unloaded; kprobes left: $(grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null || true)"
[ $rc = 0 ] && [ $rc2 = 0 ]
