#!/bin/sh
# The baseline for stress.sh: what a user would run instead. stress-ng's fork,
# swap and page-swap stressors for SECONDS, with the module armed by comm for
# stress-ng's fork workers at the same index and step as stress.sh, without
# notify (nothing wakes swapoff at an injection), and a free-running
# swapoff/swapon loop on zram beside them (stress-ng's own swap stressor
# needs a file system that takes swap files; the guest's rootfs may not).
# Prints the activity; on the positive-control kernel vm-run reports the oops
# (exit 255) if the race is hit. See docs/benchmarks.md.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'USAGE'
usage: stressng-baseline.sh [-t SECONDS] [-n WORKERS] [-i INDEX] [-s STEP]
  -t  duration (default 60)  -n  workers per stress-ng stressor (default 2)
  -i  failure index (default 40, as stress.sh)  -s  step (default vma_alloc)
USAGE
}
secs=60 workers=2 index=40 step=vma_alloc
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$(num_arg -t "$2"); shift 2 ;;
	-n) workers=$(num_arg -n "$2"); shift 2 ;;
	-i) index=$(num_arg -i "$2"); shift 2 ;;
	-s) step=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
require_root
command -v stress-ng >/dev/null || skip_all "no stress-ng (vm-run --host-bin stress-ng)"
fdm_need_zram
fdm_load
swp=""
cleanup() {
	fdm_disarm
	[ -z "$swp" ] || kill "$swp" 2>/dev/null || true
	wait 2>/dev/null || true
	swapoff /dev/zram0 2>/dev/null || true
}
trap cleanup EXIT INT TERM

fdm_zram_swapon
ktap_header 3
fdm_defaults
echo stress-ng-fork >$FDM/comm
echo "$step" >$FDM/step
echo "$index" >$FDM/index
swaploop --dev /dev/zram0 --fifo 50 --cpu 0 --duration $((secs + 5)) \
	--pidfile /tmp/swaploop.pid >/tmp/swaploop.out 2>&1 &
swp=$!
echo "@@FDM-STRESS-START $(cut -d' ' -f1 /proc/uptime)"
src=0
stress-ng --fork "$workers" --swap "$workers" --pageswap "$workers" \
	--timeout "${secs}s" --metrics-brief >/tmp/stress-ng.out 2>&1 || src=$?
fdm_disarm
kill $swp 2>/dev/null || true
wait $swp 2>/dev/null || true
swp=""
sed 's/^/# /' /tmp/stress-ng.out /tmp/swaploop.out
inj=$(fdm_stat injections_$step)
nswap=$(sed -n 's/.*swaploop: \([0-9]*\) swapoff.*/\1/p' /tmp/swaploop.out | head -n 1)
echo "@@FDM-STRESS-ACTIVITY injections=${inj:-0} swap_cycles=${nswap:-0}"
# Status 3: a stressor found no resources, e.g. the swap stressor when the
# rootfs takes no swap file (it says so above); the others ran.
ktap_check "stress-ng ran to its end (status $src; 3: a stressor skipped)" test $src = 0 -o $src = 3
ktap_check "the module failed stress-ng's forks (${inj:-0} injections)" test "${inj:-0}" -gt 0
ktap_check "swapoff/swapon cycles ran (${nswap:-0})" test "${nswap:-0}" -gt 0
ktap_finish
