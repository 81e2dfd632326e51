#!/bin/sh
# A disarm that returns between an early step's decision (mt_dup, taken at
# uprobe_dup_mmap()) and its breakpoint (__mt_dup()): nothing may be
# injected after the write returned. A helper at SCHED_FIFO on the forker's
# CPU (onsig --spin, woken by notify at the decision) holds the fork there
# while this script, on the other CPU, disarms; then the fork must succeed,
# the decision be counted as not carried out, and `last` not name it.
set -eu
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h | --help) echo "usage: early-disarm.sh   (KTAP)"; exit 0 ;;
esac
require_root
fdm_load
awk '$1 == "mt_dup" && $3 == "available" { f = 1 } END { exit !f }' $FDM/steps ||
	skip_all "step mt_dup unavailable here (no __mt_dup before 6.8): no step is decided early"
[ "$(grep -c '^processor' /proc/cpuinfo)" -ge 2 ] || skip_all "needs 2 CPUs"
fdm_notify_begin "nothing can hold the fork after the decision"
restore() {
	fdm_notify_end
	fdm_disarm
}
trap restore EXIT INT TERM
fdm_defaults
ktap_header 5
fdm_notify_say

u0=$(fdm_stat early_not_carried_out)
i0=$(fdm_stat injections_mt_dup)
rm -f /tmp/onsig.pid
onsig --spin 4 --fifo 50 --cpu 0 --timeout 60 --pidfile /tmp/onsig.pid >/tmp/onsig.out 2>&1 &
op=$!
n=0
while [ ! -s /tmp/onsig.pid ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
echo $op >$FDM/notify
# The forker arms itself (pid filter, mt_dup at VMA #5) and forks once;
# --fails 0-0: the fork must succeed.
taskset -c 0 forker --vmas 20 --index 5 --step mt_dup --forks 1 --fails 0-0 >/tmp/forker.out 2>&1 &
fp=$!
# On CPU 1: once `last` names the forker (the decision), disarm.
held=no decided=no
taskset -p -c 1 $$ >/dev/null
n=0
while [ $n -lt 400 ]; do
	if grep -qx "pid $fp" $FDM/last 2>/dev/null; then
		decided=yes
		echo -1 >$FDM/index
		# The disarm returned; is the fork still held behind the spinner?
		kill -0 $op 2>/dev/null && held=yes
		break
	fi
	sleep 0.01
	n=$((n + 1))
done
frc=0
wait $fp || frc=$?
wait $op || true
echo 0 >$FDM/notify
sed 's/^/# /' /tmp/forker.out
u1=$(fdm_stat early_not_carried_out)
i1=$(fdm_stat injections_mt_dup)
ktap_check "the decision came (last named the forker) and the disarm returned while the fork was held (decided $decided, held $held)" \
	test $decided = yes -a $held = yes
ktap_check "the fork after the disarm succeeded: nothing injected (forker exit $frc)" test $frc = 0
ktap_check "the decision was taken back: early_not_carried_out $u0 -> $u1, injections_mt_dup $i0 -> $i1" \
	test "$u1" = $((u0 + 1)) -a "$i1" = "$i0"
ktap_check "last does not name the fork that was not failed" sh -c "! grep -qx 'pid $fp' $FDM/last"
fdm_unload
ktap_check "module unloads clean" test ! -d $FDM
fdm_insmod
ktap_finish
