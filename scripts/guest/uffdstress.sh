#!/bin/sh
# Failed forks with a userfaultfd monitor that asked for UFFD_EVENT_FORK
# (corpus entry uffd, f64e67e5d3a4): uffdstress fails every fork at the VMA
# right after a userfaultfd-registered one; a fixed kernel sends the monitor
# no fork event for those forks, the positive control (fdm_control=uffd)
# sends one per failed fork, with a userfaultfd for the dead child's mm.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'USAGE'
usage: uffdstress.sh [-t SECONDS] [-m MIN]
  -t  duration (default 60)
  -m  activity required: at least MIN failed forks (default 20)
"UFFD_EVENT_FORK for N forks that failed" (and "not ok") is the bug found.
USAGE
}
secs=60 min=20
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$(num_arg -t "${2:-}"); shift 2 ;;
	-m) min=$(num_arg -m "${2:-}"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
require_root
# fs/userfaultfd.c registers vm.unprivileged_userfaultfd: no file, no userfaultfd.
[ -e /proc/sys/vm/unprivileged_userfaultfd ] || skip_all "no userfaultfd (CONFIG_USERFAULTFD)"
fdm_load
trap fdm_disarm EXIT INT TERM

echo "# $(uname -r)"
fdm_control_line
ktap_header 4
fdm_defaults
echo "@@FDM-STRESS-START $(cut -d' ' -f1 /proc/uptime)"
urc=0
uffdstress -t "$secs" >/tmp/uffdstress.out 2>&1 || urc=$?
fdm_disarm
sed 's/^/# /' /tmp/uffdstress.out
grep '^uffdstress: BUG:' /tmp/uffdstress.out || true
nfail=$(sed -n 's/^@@FDM-STRESS-ACTIVITY failed_forks=\([0-9]*\).*/\1/p' /tmp/uffdstress.out)
nev=$(sed -n 's/^@@FDM-STRESS-ACTIVITY .* fork_events=\([0-9]*\).*/\1/p' /tmp/uffdstress.out)
ktap_check "uffdstress: every fork failed with ENOMEM, no fork event for them (exit $urc)" test $urc = 0
ktap_check "activity: ${nfail:-0} failed forks (min $min)" test "${nfail:-0}" -ge "$min"
ktap_check "no UFFD_EVENT_FORK for a failed fork (${nev:-?})" test "${nev:-1}" = 0
echo "@@FDM-STRESS-ACTIVITY failed_forks=${nfail:-0} fork_events=${nev:-0}"
fdm_unload
ktap_check "module unloads clean after the stress" test ! -d $FDM
ktap_finish
