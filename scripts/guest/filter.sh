#!/bin/sh
# The task filter: tasks outside it are never injected, whatever is armed.
set -eu
. /fdm/guest/lib.sh

usage() { echo "usage: filter.sh [-n FORKS]"; }
forks=1000
while [ $# -gt 0 ]; do
	case $1 in
	-n) forks=$(num_arg -n "$2"); shift 2 ;;
	-h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
fdm_begin
ktap_header 4

sleep 1000 &
other=$!
echo vma_alloc >$FDM/step
echo $other >$FDM/pid
echo 0 >$FDM/index
inj0=$(fdm_stat injections_vma_alloc)
filt0=$(fdm_stat forks_filtered)
ktap_subtest "armed for pid $other: $forks forks of another task all succeed" \
	forker --no-arm --forks "$forks"
ktap_check "no injection and no filtered fork counted" \
	test "$(fdm_stat injections_vma_alloc)" = "$inj0" -a "$(fdm_stat forks_filtered)" = "$filt0"
echo -1 >$FDM/index
kill $other

echo 0 >$FDM/pid
echo nosuchtask >$FDM/comm
echo 0 >$FDM/index
ktap_subtest "armed for comm nosuchtask: 200 forks of 'forker' succeed" \
	forker --no-arm --forks 200
echo forker >$FDM/comm
ktap_subtest "armed for comm forker (index 0, every fork): forks fail" \
	forker --no-arm --forks 1 --expect fail
echo -1 >$FDM/index
echo - >$FDM/comm
ktap_finish
