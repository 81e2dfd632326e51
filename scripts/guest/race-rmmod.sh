#!/bin/sh
# Arm, disarm, switch steps and finally rmmod while 4 filtered tasks fork in
# a loop: forks only ever fail with ENOMEM, parents stay intact, the forkers
# themselves saw ENOMEM, at least -c cycles were done, the module unloads and
# leaves no kprobe behind. vm-run catches any splat.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'USAGE'
usage: race-rmmod.sh [-c CYCLES] [-t MAX_SECONDS]
  CYCLES arm/disarm/step-change cycles (default 100), each: disarm, write a
  step, arm at an index; stops early (not ok) after MAX_SECONDS (default 300).
USAGE
}
want=100 secs=300
while [ $# -gt 0 ]; do
	case $1 in
	-c) want=$(num_arg -c "$2"); shift 2 ;;
	-t) secs=$(num_arg -t "$2"); shift 2 ;;
	-h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
fdm_begin
ktap_header 7

echo forker >$FDM/comm
steps=$(awk '$3 == "available" && $1 != "kill" { print $1 }' $FDM/steps)
pids=""
rm -f /tmp/race.*
for i in 1 2 3 4; do
	# shellcheck disable=SC2046
	forker --no-arm --vmas 40 --loop $((secs + 30)) $(fdm_sweep_opts) >/tmp/race.$i 2>&1 &
	pids="$pids $!"
done
cycles=0
t0=$(cut -d' ' -f1 /proc/uptime)
end=$(($(date +%s) + secs))
while [ $cycles -lt "$want" ] && [ "$(date +%s)" -lt $end ]; do
	for s in $steps; do
		echo -1 >$FDM/index
		echo $s >$FDM/step
		echo $((cycles % 30)) >$FDM/index
		cycles=$((cycles + 1))
		[ $cycles -lt "$want" ] || break
	done
done
t1=$(cut -d' ' -f1 /proc/uptime)
# Armed and steady at last: the forkers must now see failures.
echo -1 >$FDM/index
echo vma_alloc >$FDM/step
echo 5 >$FDM/index
n=0
while [ "$(fdm_stat injections_vma_alloc)" = 0 ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
inj=$(awk '$1 ~ /^injections_/ { n += $2 } END { print n + 0 }' $FDM/stats)
rmrc=0
rmmod fail_dup_mmap || rmrc=$?
ktap_check "rmmod while armed and 4 tasks fork succeeded (status $rmrc)" test $rmrc = 0 -a ! -d $FDM
ktap_check "no kprobe left registered" \
	test "$(grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null || true)" = 0
ms=$(awk -v a="$t0" -v b="$t1" -v c="$cycles" 'BEGIN { printf "%.1f", c ? (b - a) * 1000 / c : 0 }')
ktap_check "$cycles of $want arm/disarm/step-change cycles done ($ms ms each)" test $cycles -ge "$want"
ktap_check "the module counted injections ($inj)" test "$inj" -gt 0
for p in $pids; do kill -USR1 "$p" 2>/dev/null || true; done
failed=0
for p in $pids; do
	wait "$p" || failed=$((failed + 1))
done
cat /tmp/race.* | grep -v '^KTAP\|^1\.\.' | sed 's/^/# /'
seen=$(sed -n 's/.* \([0-9]*\) ENOMEM.*/\1/p' /tmp/race.* | awk '{ n += $1 } END { print n + 0 }')
ktap_check "the forkers themselves saw ENOMEM ($seen times)" test "$seen" -gt 0
ktap_check "the 4 forkers saw only success or ENOMEM, memory intact" test $failed = 0
fdm_insmod
ktap_check "module loads again after the race, disarmed" test "$(cat $FDM/armed)" = 0
ktap_finish
