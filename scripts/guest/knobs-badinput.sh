#!/bin/sh
# Bad input to every knob is rejected with EINVAL and changes nothing: no
# knob value and not the armed state. Also: arming without a task filter.
set -eu
. /fdm/guest/lib.sh

require_root
fdm_load
trap fdm_disarm EXIT INT TERM

snapshot() {
	for k in index addr step pid comm times probability interval verbose armed; do
		printf '%s=%s ' "$k" "$(cat $FDM/$k)"
	done
	grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null || echo 0
}

# Knob and the bad values specific to it; common bad values are added below.
cases() {
	cases >/tmp/cases
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
		after=$(snapshot)
		if [ -z "$bad" ] && [ "$before" = "$after" ]; then
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
kill $sleeper

# Arming needs a filter; dropping the last filter while armed is refused.
echo 0 >$FDM/pid
echo - >$FDM/comm
r=$(knob index 3 || true)
ktap_check "arming with no pid and no comm filter is refused ($r)" \
	test "$r" = EINVAL -a "$(cat $FDM/armed)" = 0
ktap_check "refused arming left no kprobe registered" \
	test "$(grep -c fail_dup_mmap /sys/kernel/debug/kprobes/list 2>/dev/null || true)" = 0 -a \
	"$(grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null || true)" = 0
echo 12345 >$FDM/pid
echo 3 >$FDM/index
r=$(knob pid 0 || true)
ktap_check "clearing the only filter while armed is refused ($r)" \
	test "$r" = EINVAL -a "$(cat $FDM/pid)" = 12345 -a "$(cat $FDM/armed)" = 1
echo -1 >$FDM/index
ktap_check "disarmed: no kprobe registered" \
	test "$(grep -c . /sys/kernel/debug/kprobes/list 2>/dev/null || true)" = 0 -a "$(cat $FDM/armed)" = 0
ktap_finish
