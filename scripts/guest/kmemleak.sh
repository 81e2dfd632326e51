#!/bin/sh
# kmemleak after injected failures: clear what boot left, run a sweep (every
# step but kill at every index), let the objects age, scan twice: the report
# must be empty and the sweep must have injected. Needs CONFIG_DEBUG_KMEMLEAK
# (the debug kernel of scripts/build-kernel); skips elsewhere.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: kmemleak.sh [-n VMAS]"; }
vmas=40
while [ $# -gt 0 ]; do
	case $1 in
	-n) vmas=$(num_arg -n "$2"); shift 2 ;;
	-h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
K=/sys/kernel/debug/kmemleak
[ -w $K ] || skip_all "no $K (CONFIG_DEBUG_KMEMLEAK)"
fdm_begin
ktap_header 2
echo clear >$K
ok=1
# shellcheck disable=SC2046
forker --sweep --vmas "$vmas" $(fdm_sweep_opts) >/tmp/kml.sweep 2>&1 || ok=0
inj=$(awk '$1 ~ /^injections_/ { n += $2 } END { print n + 0 }' $FDM/stats)
ktap_check "sweep of $vmas VMAs ran as expected ($inj injected failures)" test $ok = 1 -a "$inj" -gt 0
sleep 6		# kmemleak reports only objects older than 5 s
echo scan >$K
echo scan >$K
n=$(grep -c '^unreferenced object' $K || true)
head -n 60 $K | sed 's/^/# /'
ktap_check "kmemleak: $n unreferenced objects after $inj injected failures" test "$n" = 0
ktap_finish
