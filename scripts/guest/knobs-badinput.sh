#!/bin/sh
# Bad input to every knob is rejected with EINVAL and changes nothing: no
# knob value and not the armed state. Also: arming without a task filter.
set -eu
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h | --help) echo "usage: knobs-badinput.sh   (KTAP)"; exit 0 ;;
esac
fdm_begin

snapshot() {
	for k in index addr step pid comm notify times probability interval verbose armed; do
		printf '%s=%s ' "$k" "$(cat $FDM/$k)"
	done
	echo "live_kprobes=$(fdm_live_kprobes)"
}

# Knob, then the bad values specific to it; common bad values are added below.
cat >/tmp/cases <<'CASES'
index
0x10 -2 1.5 2147483648
addr
-1 0xzz 0xffffffffffffffffff 0x800000000000
step
VMA_ALLOC vma_alloc_x 0
pid
0x10 -1 4194305
comm
a_name_that_is_too_long
notify
0x10 -1 4194305
times
0x1 -2
probability
0x10 -1 101
interval
0x1 0 -1
verbose
0x1 -1 3
reset
0 2 yes
CASES
if [ -e $FDM/task-filter ]; then
	# The kernel's fault_attr owns times, probability, interval and verbose
	# here (CONFIG_FAULT_INJECTION_DEBUG_FS), with the kernel's own parsing.
	echo "# fault_attr mode: times, probability, interval, verbose are the kernel's"
	awk 'NR % 2 == 1 { k = $0; next }
		k !~ /^(times|probability|interval|verbose)$/ { print k; print }' /tmp/cases >/tmp/cases.own
	mv /tmp/cases.own /tmp/cases
fi
nknobs=$(($(wc -l </tmp/cases) / 2))
ktap_header $((nknobs * 4 + 6))

# Each case in both states: disarmed, and armed for a sleeping task. It
# sleeps a day and is killed below (the cases took 1482 s on the RT debug
# kernel, longer than the 1000 s it slept before).
sleep 86400 &
sleeper=$!
for state in disarmed armed; do
	if [ $state = armed ]; then
		echo $sleeper >$FDM/pid
		echo 3 >$FDM/index
	fi
	while read -r k && read -r vals; do
		before=$(snapshot)
		bad=""
		for v in $vals "" "x" "1x" " " "1 2" "99999999999999999999999" "--1"; do
			[ $k = comm ] && case $v in x | 1x | --1) continue ;; esac
			r=$(knob $k "$v" || true)
			[ "$r" = EINVAL ] || bad="$bad [$v]=$r"
		done
		r=$(knob $k --size 65536 || true)
		[ "$r" = EINVAL ] || bad="$bad [64KiB]=$r"
		# NUL bytes, a second newline, a control byte: never a value.
		for v in '5\0junk' '1\n\n' '\n' '1\0' '-\n\n'; do
			r=$(knob $k --esc "$v" || true)
			[ "$r" = EINVAL ] || bad="$bad [esc:$v]=$r"
		done
		after=$(snapshot)
		if [ -z "$bad" ]; then
			ktap_ok "$state: bad writes to $k rejected with EINVAL"
		else
			ktap_not_ok "$state: bad writes to $k:$bad"
		fi
		if [ "$before" = "$after" ]; then
			ktap_ok "$state: $k bad writes changed nothing"
		else
			ktap_not_ok "$state: $k changed state: before '$before' after '$after'"
		fi
	done </tmp/cases
done
echo -1 >$FDM/index
kill -KILL $sleeper || { echo "Bail out! the armed task $sleeper was gone before the cases ended"; exit 1; }
fdm_wait_probes_off || true

# Arming needs a filter; dropping the last filter while armed is refused.
echo 0 >$FDM/pid
echo - >$FDM/comm
r=$(knob index 3 || true)
ktap_check "arming with no pid and no comm filter is refused ($r)" \
	test "$r" = EINVAL -a "$(cat $FDM/armed)" = 0
ktap_check "refused arming left no kprobe enabled" \
	test "$(fdm_live_kprobes)" = 0
sleep 86400 &
sleeper=$!
echo $sleeper >$FDM/pid
echo 3 >$FDM/index
r=$(knob pid 0 || true)
ktap_check "clearing the only filter while armed is refused ($r)" \
	test "$r" = EINVAL -a "$(cat $FDM/pid)" = $sleeper -a "$(cat $FDM/armed)" = 1
echo -1 >$FDM/index
kill -KILL $sleeper
wait $sleeper 2>/dev/null || true
fdm_wait_probes_off || true
before=$(snapshot)
r1=$(knob pid $sleeper || true)
r2=$(knob notify $sleeper || true)
ktap_check "pid and notify of a process that has exited: ESRCH ($r1, $r2), nothing changed" \
	test "$r1" = ESRCH -a "$r2" = ESRCH -a "$before" = "$(snapshot)"
# PID 1 and a kernel thread (kthreadd, PID 2): the hooks never fail their
# forks, and SIGUSR1 halts busybox's init.
[ "$(cat /proc/2/comm)" = kthreadd ] || echo "Bail out! PID 2 is $(cat /proc/2/comm), not kthreadd"
before=$(snapshot)
r=
for k in pid notify; do
	for p in 1 2; do r="$r $k=$p:$(knob $k $p || true)"; done
done
ktap_check "pid and notify refuse init and kernel threads with EPERM ($r), nothing changed" \
	test "$r" = " pid=1:EPERM pid=2:EPERM notify=1:EPERM notify=2:EPERM" -a "$before" = "$(snapshot)"
fdm_wait_probes_off || true
ktap_check "disarmed: no kprobe enabled a second later" \
	test "$(fdm_live_kprobes)" = 0 -a "$(cat $FDM/armed)" = 0
ktap_finish
