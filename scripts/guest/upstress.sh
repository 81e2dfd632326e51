#!/bin/sh
# Failed forks racing uprobe registration (patches/control-notes.md, "uprobes,
# dup_mmap_sem"). upstress maps a fresh tmpfs file of nop code right before an
# anon page, arms the module by address to fail every fork at that anon page,
# and forks back to back while a SCHED_FIFO helper on the same CPU registers a
# uprobe on the file through tracefs; a new file and mapping every cycle. On
# the positive control (fdm_control=uprobes,dup_mmap_sem) the registration
# walks the failed child and oopses in find_mergeable_anon_vma(); fixed
# kernels must stay clean.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'USAGE'
usage: upstress.sh [-t SECONDS] [-n VMAS] [-c CPU] [-m MIN]
  -t  duration (default 60)      -n  filler VMAs before the probed one (default 500)
  -c  CPU for the forker and the registering helper (default 0)
  -m  activity required: at least MIN cycles and MIN failed forks (default 10:
      a failed fork of a 500-VMA parent takes 1.5-1.9 s on the KASAN kernel)
Needs a preemptible kernel: on PREEMPT_DYNAMIC kernels boot with preempt=full.
USAGE
}
secs=60 vmas=500 cpu=0 min=10
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$(num_arg -t "${2:-}"); shift 2 ;;
	-n) vmas=$(num_arg -n "${2:-}"); shift 2 ;;
	-c) cpu=$(num_arg -c "${2:-}"); shift 2 ;;
	-m) min=$(num_arg -m "${2:-}"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
require_root
[ -w /sys/kernel/tracing/uprobe_events ] || [ -w /sys/kernel/debug/tracing/uprobe_events ] ||
	skip_all "no uprobe_events in tracefs (CONFIG_UPROBE_EVENTS)"
fdm_load
up=
cleanup() {
	[ -z "$up" ] || kill "$up" 2>/dev/null || true
	fdm_disarm
}
trap cleanup EXIT INT TERM

echo "# $(uname -r), preempt: $(cat /sys/kernel/debug/sched/preempt 2>/dev/null || echo unknown), cmdline: $(cat /proc/cmdline)"
ktap_header 4
fdm_defaults
echo upstress >$FDM/comm
echo "@@FDM-STRESS-START $(cut -d' ' -f1 /proc/uptime)"
urc=0
upstress --kmsg -t "$secs" -n "$vmas" --cpu "$cpu" >/tmp/upstress.out 2>&1 &
up=$!
wait $up || urc=$?
up=
fdm_disarm
sed 's/^/# /' /tmp/upstress.out
awk '$2 != 0 && $2 != "-" { print "# stats: " $0 }' $FDM/stats
sed 's/^/# last: /' $FDM/last
line=$(grep '^upstress: [0-9]* cycles' /tmp/upstress.out | head -n 1 || true)
ncyc=$(echo "$line" | sed -n 's/^upstress: \([0-9]*\) cycles.*/\1/p')
nfail=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed forks.*/\1/p')
ktap_check "upstress: only ENOMEM, no tracefs error (exit $urc)" test $urc = 0
ktap_check "activity: ${ncyc:-0} cycles (min $min)" test "${ncyc:-0}" -ge "$min"
ktap_check "activity: ${nfail:-0} failed forks (min $min)" test "${nfail:-0}" -ge "$min"
echo "@@FDM-STRESS-ACTIVITY upstress_cycles=${ncyc:-0} failed_forks=${nfail:-0}"
fdm_unload
ktap_check "module unloads clean after the stress" test ! -d $FDM
ktap_finish
