#!/bin/sh
# times, interval and probability keep fault_attr's meaning.
set -eu
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
-h | --help) echo "usage: fault-attr.sh   (KTAP)"; exit 0 ;;
esac
require_root
fdm_load
fdm_defaults
restore() {
	fdm_disarm
	[ -e $FDM/task-filter ] && echo N >$FDM/task-filter
	echo -1 >$FDM/times
	echo 1 >$FDM/interval
	echo 100 >$FDM/probability
}
trap restore EXIT INT TERM
ktap_header 6

echo 3 >$FDM/times
ktap_subtest "times 3: 3 of 10 forks fail, then none" \
	forker --index middle --forks 10 --fails 3-3
ktap_check "times counted down to 0" test "$(cat $FDM/times)" = 0
echo -1 >$FDM/times
echo 3 >$FDM/interval
ktap_subtest "interval 3: 3 of 9 forks fail" \
	forker --index middle --forks 9 --fails 3-3
echo 1 >$FDM/interval
echo 50 >$FDM/probability
# Binomial(1000, 0.5): sd 16; 400-600 is more than 6 sd either side.
ktap_subtest "probability 50: 400-600 of 1000 forks fail" \
	forker --index 2 --forks 1000 --fails 400-600
echo 100 >$FDM/probability
if [ -e $FDM/task-filter ]; then
	echo "# the kernel's fault_attr decides (CONFIG_FAULT_INJECTION_DEBUG_FS)"
	echo Y >$FDM/task-filter
	ktap_subtest "task-filter Y: a forker without make-it-fail is not failed" \
		forker --index middle --forks 3 --fails 0-0
	ktap_subtest "task-filter Y: a forker with /proc/self/make-it-fail 1 is" \
		sh -c 'echo 1 >/proc/self/make-it-fail && exec forker --index middle --forks 3 --fails 3-3'
	echo N >$FDM/task-filter
else
	echo "# the module's own fault_attr (no CONFIG_FAULT_INJECTION_DEBUG_FS)"
	ktap_skip "task-filter: the kernel has no fault_attr"
	ktap_skip "make-it-fail: the kernel has no fault_attr"
fi
ktap_finish
