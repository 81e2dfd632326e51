#!/bin/sh
# Benchmarks in one boot, A/B interleaved: fork()+wait latency of parents of
# several sizes with the module not loaded / loaded and disarmed / armed for
# another task / armed for this task past its last VMA, and the exit time of
# a 200-VMA process in the first three states; each state's ratio to "not
# loaded" is taken per round (paired) and given with a 95% interval. Then the
# latency of disarm + step change + arm; injected failures per second against
# successful forks per second (forker, stress-ng --fork); a full sweep.
# Prints "# ..." lines and one JSON document between markers.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: bench.sh [-r ROUNDS] [-f FORKS] [-s 'SIZES'] [-t RATE_SECONDS] [-c ARM_CYCLES]"; }
rounds=5 forks=100 sizes="10 200 1000" rsecs=5 cycles=200
while [ $# -gt 0 ]; do
	case $1 in
	-r) rounds=$(num_arg -r "$2"); shift 2 ;;
	-f) forks=$(num_arg -f "$2"); shift 2 ;;
	-s) sizes=$2; shift 2 ;;
	-t) rsecs=$(num_arg -t "$2"); shift 2 ;;
	-c) cycles=$(num_arg -c "$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
require_root
[ -f "$FDM_MODULE" ] || skip_all "no $FDM_MODULE"
sleep 100000 &
other=$!
cleanup() { fdm_disarm; kill -KILL $other 2>/dev/null || true; }
trap cleanup EXIT INT TERM

loaded() { [ -d $FDM ]; }
set_state() {
	case $1 in
	unloaded) loaded && rmmod fail_dup_mmap ;;
	disarmed) loaded || fdm_insmod; echo -1 >$FDM/index
		fdm_wait_probes_off || { echo "bench: kprobes still enabled 5 s after the disarm" >&2; exit 1; } ;;
	other) loaded || fdm_insmod
		echo -1 >$FDM/index; echo - >$FDM/comm; echo $other >$FDM/pid; echo 0 >$FDM/index ;;
	self_past) loaded || fdm_insmod
		echo -1 >$FDM/index; echo 0 >$FDM/pid; echo forker >$FDM/comm; echo 1000000 >$FDM/index ;;
	esac
	return 0
}
states="unloaded disarmed other self_past"
: >/tmp/bench.raw
r=0
while [ $r -lt $rounds ]; do
	# Rotate the order of the states each round.
	set -- $states
	i=0
	while [ $i -lt $((r % 4)) ]; do s=$1; shift; set -- "$@" $s; i=$((i + 1)); done
	for size in $sizes; do
		for st in "$@"; do
			set_state $st
			m=$(forker --vmas $size --bench $forks | sed -n 's/.*median_us=\([0-9.]*\).*/\1/p')
			echo "fork $size $st $r $m" >>/tmp/bench.raw
		done
	done
	for st in "$@"; do
		[ $st != self_past ] || continue
		set_state $st
		m=$(exitbench 200 $forks | sed -n 's/.*median_us=\([0-9.]*\).*/\1/p')
		echo "exit 200 $st $r $m" >>/tmp/bench.raw
	done
	r=$((r + 1))
done

# Disarm + step change + arm, for another task, through every step but kill.
set_state other
steps=$(awk '$3 == "available" && $1 != "kill" { print $1 }' $FDM/steps)
arm=$(armcycle $cycles $steps)
echo "# $arm"
arm_med=$(echo "$arm" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
arm_p90=$(echo "$arm" | sed -n 's/.*p90_ms=\([0-9.]*\).*/\1/p')
arm_max=$(echo "$arm" | sed -n 's/.*max_ms=\([0-9.]*\).*/\1/p')
set_state unloaded

# Rates and sweep, 200-VMA parents, same boot, REPS times each (the spread).
reps=3
loaded || fdm_insmod
inj="" bare="" sng="" sweep=""
i=0
while [ $i -lt $reps ]; do
	# The sweep below leaves its own target and filters.
	echo -1 >$FDM/index; echo 0 >$FDM/pid; echo forker >$FDM/comm; echo vma_alloc >$FDM/step
	echo 100 >$FDM/index
	inj="$inj${inj:+,}$(forker --vmas 200 --rate $rsecs | sed -n 's/.*enomem_per_s=\([0-9.]*\).*/\1/p')"
	echo -1 >$FDM/index
	bare="$bare${bare:+,}$(forker --vmas 200 --rate $rsecs | sed -n 's/.*ok_per_s=\([0-9.]*\).*/\1/p')"
	if command -v stress-ng >/dev/null; then
		sng="$sng${sng:+,}$(stress-ng --fork 1 --timeout ${rsecs}s --metrics-brief 2>&1 |
			awk '$0 ~ /fork/ && $(NF-1) ~ /^[0-9.]+$/ { v = $(NF-1) } END { print v }')"
	fi
	# shellcheck disable=SC2046
	sweep="$sweep${sweep:+,}$(forker --sweep --vmas 200 $(fdm_sweep_opts) | sed -n 's/^# sweep: .*failures, \([0-9.]*\) s$/\1/p')"
	i=$((i + 1))
done
rmmod fail_dup_mmap

# The raw figures; scripts/bench (the host's awk has the math busybox's
# lacks) turns them into medians, paired ratios and intervals.
echo "@@FDM-BENCH-RAW-BEGIN"
cat /tmp/bench.raw
echo "@@FDM-BENCH-RAW-END"
echo "@@FDM-BENCH-VARS kernel=$(uname -r) forks=$forks rounds=$rounds cycles=$cycles arm_med=$arm_med arm_p90=$arm_p90 arm_max=$arm_max inj=$inj bare=$bare sng=$sng sweep=$sweep"
