#!/bin/sh
# Failed forks racing swapoff (and uprobe registration). Parents fork in a
# loop pinned to one CPU, their VMAs before the failure index paged out to
# zram swap before each fork; the module fails each fork at VMA #INDEX and
# signals a SCHED_FIFO swapoff loop on the same CPU (notify knob) while
# dup_mmap() still holds the locks: swapoff then waits on the parent's mmap
# lock and runs the moment dup_mmap() drops it, before the forker's mmput().
# See docs/stress.md.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'USAGE'
usage: stress.sh [-t SECONDS] [-p PARENTS] [-n VMAS] [-i INDEX] [-s STEP] [-U] [-m MIN]
  -t  duration (default 60)     -p  forking parents (default 2)
  -n  VMAs per parent (default 64)  -i  failure index (default 40)
  -s  step (default vma_alloc)  -U  no uprobe loop
  -m  activity required: at least MIN failed forks, MIN swapoff cycles and
      MIN uprobe cycles (default 20); fewer is "not ok"
Needs a preemptible kernel: on PREEMPT_DYNAMIC kernels boot with preempt=full.
Where the module refuses notify (PREEMPT_RT), swapoff runs free instead of
being woken at each injection (SCHED_OTHER, on the last CPU).
USAGE
}
secs=60 procs=2 vmas=64 index=40 step=vma_alloc uprobes=1 min=20
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$(num_arg -t "$2"); shift 2 ;;
	-p) procs=$(num_arg -p "$2"); shift 2 ;;
	-n) vmas=$(num_arg -n "$2"); shift 2 ;;
	-i) index=$(num_arg -i "$2"); shift 2 ;;
	-s) step=$2; shift 2 ;;
	-U) uprobes=0; shift ;;
	-m) min=$(num_arg -m "$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
require_root
fdm_need_zram
fdm_load
pids=""
cleanup() {
	fdm_disarm
	[ -w $FDM/notify ] && echo 0 >$FDM/notify
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	swapoff /dev/zram0 2>/dev/null || true
}
trap cleanup EXIT INT TERM

fdm_zram_swapon
echo "# $(uname -r), preempt: $(cat /sys/kernel/debug/sched/preempt 2>/dev/null || echo unknown)"
# The positive-control kernel says which fixed bugs it has back (docs/corpus.md).
fdm_control_line
ktap_header 7

fdm_defaults
echo forker >$FDM/comm
echo "$step" >$FDM/step
echo "$index" >$FDM/index
# Woken per injection: SCHED_FIFO on the forkers' CPU, asleep between
# signals. Free (notify refused): a FIFO loop there would starve the
# forkers (measured on the RT debug kernel: 2 failed forks in 60 s), so it
# runs SCHED_OTHER on the last CPU instead, beside the forkers.
mode=--on-signal sched="--fifo 50 --cpu 0"
if ! knob notify $$ >/tmp/notify.r; then
	sched="--cpu $(($(grep -c "^processor" /proc/cpuinfo) - 1))"
	echo "# notify refused ($(cat /tmp/notify.r)): swapoff runs free ($sched, SCHED_OTHER), not woken per injection"
	mode=
fi
echo 0 >$FDM/notify
swaploop --dev /dev/zram0 $sched $mode --duration $((secs + 5)) \
	--pidfile /tmp/swaploop.pid >/tmp/swaploop.out 2>&1 &
swp=$!
pids="$pids $swp"
while [ ! -s /tmp/swaploop.pid ]; do
	kill -0 $swp 2>/dev/null || { cat /tmp/swaploop.out; echo "Bail out! swaploop died"; exit 1; }
	sleep 0.1
done
[ -z "$mode" ] || cat /tmp/swaploop.pid >$FDM/notify
if [ $uprobes = 1 ]; then
	uprobe-loop.sh "$secs" >/tmp/uprobe.out 2>&1 &
	upr=$!
	pids="$pids $upr"
fi
echo "@@FDM-STRESS-START $(cut -d' ' -f1 /proc/uptime)"
frc=0
forker --no-arm --vmas "$vmas" --index "$index" --swap --duration "$secs" \
	--procs "$procs" --cpu 0 >/tmp/forker.out 2>&1 || frc=$?
fdm_disarm
echo 0 >$FDM/notify
kill $swp 2>/dev/null || true
src=0
wait $swp || src=$?
urc=0
[ $uprobes = 1 ] && { wait $upr || urc=$?; }
pids=""
sed 's/^/# /' /tmp/forker.out /tmp/swaploop.out
[ $uprobes = 1 ] && sed 's/^/# /' /tmp/uprobe.out
awk '$2 != 0 && $2 != "-" { print "# stats: " $0 }' $FDM/stats
sed 's/^/# audit: /' $FDM/audit
ktap_check "forkers: only ENOMEM, parents intact" test $frc = 0
ktap_check "swaploop: every swapoff/swapon succeeded" test $src = 0
if [ $uprobes = 1 ]; then
	ktap_check "uprobe loop ran without error" test $urc = 0
else
	ktap_skip "uprobe loop not run (-U)"
fi
nfail=$(sed -n 's/.* \([0-9]*\) ENOMEM.*/\1/p' /tmp/forker.out | head -n 1)
nswap=$(sed -n 's/.*swaploop: \([0-9]*\) swapoff.*/\1/p' /tmp/swaploop.out | head -n 1)
nupr=$(sed -n 's/.*uprobe-loop: \([0-9]*\) register.*/\1/p' /tmp/uprobe.out 2>/dev/null | head -n 1)
ktap_check "activity: ${nfail:-0} failed forks (min $min)" test "${nfail:-0}" -ge "$min"
ktap_check "activity: ${nswap:-0} swapoff/swapon cycles (min $min)" test "${nswap:-0}" -ge "$min"
if [ $uprobes = 1 ]; then
	ktap_check "activity: ${nupr:-0} uprobe register/unregister cycles (min $min)" test "${nupr:-0}" -ge "$min"
else
	ktap_skip "uprobe loop not run (-U)"
fi
echo "@@FDM-STRESS-ACTIVITY failed_forks=${nfail:-0} swap_cycles=${nswap:-0} uprobe_cycles=${nupr:-0}"
other=$(fdm_stat failed_exit_mmap_other_task)
# A report, not a test: either answer is correct on a fixed kernel.
echo "# failed children's exit_mmap in another task: $other of $(fdm_stat failed_exit_mmap) ($(fdm_stat last_other_task_comm))"
swapoff /dev/zram0
fdm_unload
ktap_check "module unloads clean after the stress" test ! -d $FDM
ktap_finish
