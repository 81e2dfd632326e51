#!/bin/sh
# Arm, disarm, switch steps and finally rmmod while 4 filtered tasks fork in
# a loop: forks only ever fail with ENOMEM, parents stay intact, the module
# unloads and leaves no kprobe behind. vm-run catches any splat.
set -eu
. /fdm/guest/lib.sh

usage() { echo "usage: race-rmmod.sh [-t SECONDS]"; }
secs=20
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$(num_arg -t "$2"); shift 2 ;;
	-h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
fdm_begin
ktap_header 6

pids=""
for i in 1 2 3 4; do
	forker --no-arm --loop "$secs" >/tmp/race.$i 2>&1 &
	pids="$pids $!"
done
echo forker >$FDM/comm
steps=$(awk '$3 == "available" && $1 != "kill" { print $1 }' $FDM/steps)
cycles=0
end=$(($(date +%s) + secs / 2))
while [ "$(date +%s)" -lt $end ]; do
	for s in $steps; do
		echo -1 >$FDM/index
		echo $s >$FDM/step
		echo $((cycles % 30)) >$FDM/index
		sleep 0.2
	done
	cycles=$((cycles + 1))
done
inj=$(awk '$1 ~ /^injections_/ { n += $2 } END { print n }' $FDM/stats)
rmmod fail_dup_mmap
ktap_check "rmmod while armed and 4 tasks fork succeeded" test ! -d $FDM
ktap_check "no kprobe left registered" \
	test "$(grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null || true)" = 0
ktap_check "injections happened while armed ($inj over $cycles arm cycles)" test "$inj" -gt 0
failed=0
for p in $pids; do
	wait "$p" || failed=$((failed + 1))
done
cat /tmp/race.* | grep -v '^TAP\|^1\.\.' | sed 's/^/# /'
ktap_check "the 4 forkers saw only success or ENOMEM, memory intact" test $failed = 0
insmod "$FDM_MODULE"
ktap_check "module loads again after the race" test -d $FDM
ktap_check "reloaded module is disarmed" test "$(cat $FDM/armed)" = 0
ktap_finish
