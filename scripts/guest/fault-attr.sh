#!/bin/sh
# times, interval and probability keep fault_attr's meaning.
set -eu
. /fdm/guest/lib.sh

case "${1:-}" in
-h | --help) echo "usage: fault-attr.sh   (KTAP)"; exit 0 ;;
esac
require_root
fdm_load
restore() {
	fdm_disarm
	echo -1 >$FDM/times
	echo 1 >$FDM/interval
	echo 100 >$FDM/probability
}
trap restore EXIT INT TERM
ktap_header 4

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
ktap_finish
