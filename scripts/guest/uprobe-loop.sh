#!/bin/sh
# Register, enable, disable and remove a uprobe on the forker's binary in a
# loop (the path of syzbot's "general protection fault in
# find_mergeable_anon_vma": uprobe registration walking a failed child).
set -eu

usage() { echo "usage: uprobe-loop.sh SECONDS [BINARY]"; }
[ $# -ge 1 ] || { usage >&2; exit 2; }
case $1 in -h | --help) usage; exit 0 ;; *[!0-9]*) usage >&2; exit 2 ;; esac
secs=$1
bin=${2:-$(command -v forker)}
T=/sys/kernel/tracing
[ -w $T/uprobe_events ] || { echo "# uprobe-loop: no $T/uprobe_events"; exit 4; }
off=$(forker --uprobe-offset)
cleanup() {
	echo 0 2>/dev/null >$T/events/fdm_stress/fork_once/enable || true
	echo "-:fdm_stress/fork_once" 2>/dev/null >>$T/uprobe_events || true
}
trap cleanup EXIT INT TERM
end=$(($(date +%s) + secs))
n=0 errs=0
while [ "$(date +%s)" -lt $end ]; do
	if echo "p:fdm_stress/fork_once $bin:$off" >>$T/uprobe_events &&
		echo 1 >$T/events/fdm_stress/fork_once/enable; then
		sleep 0.05
		echo 0 >$T/events/fdm_stress/fork_once/enable
		echo "-:fdm_stress/fork_once" >>$T/uprobe_events
		n=$((n + 1))
	else
		errs=$((errs + 1))
		cleanup
		sleep 0.1
	fi
done

echo "# uprobe-loop: $n register/unregister cycles on $bin:$off, $errs errors"
[ $errs = 0 ]
