#!/bin/sh
# Failed forks at a PFN mapping's page tables (corpus entry pat,
# dc84bc2aba85): patstress maps one page of /dev/mem (the legacy VGA
# window) shared, so remap_pfn_range() marks the VMA VM_PAT, and fails every
# fork at that VMA's copy_page_range(). A fixed kernel cleared VM_PAT on the
# child's copy; the positive control (fdm_control=pat) leaves it, and the
# failed child's exit_mmap() warns in get_pat_info() (the console shows it).
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'USAGE'
usage: patstress.sh [-t SECONDS] [-m MIN]
  -t  duration (default 60)
  -m  activity required: at least MIN failed forks (default 20)
A WARNING in get_pat_info() on the console is the bug found.
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
[ "$(uname -m)" = x86_64 ] || skip_all "VM_PAT is x86's"
[ -c /dev/mem ] || skip_all "no /dev/mem (CONFIG_DEVMEM)"
fdm_load
trap fdm_disarm EXIT INT TERM

echo "# $(uname -r)"
fdm_control_line
ktap_header 3
fdm_defaults
echo "@@FDM-STRESS-START $(cut -d' ' -f1 /proc/uptime)"
prc=0
patstress -t "$secs" >/tmp/patstress.out 2>&1 || prc=$?
fdm_disarm
sed 's/^/# /' /tmp/patstress.out
nfail=$(sed -n 's/^@@FDM-STRESS-ACTIVITY failed_forks=\([0-9]*\).*/\1/p' /tmp/patstress.out)
ktap_check "patstress: every fork failed with ENOMEM (exit $prc)" test $prc = 0
ktap_check "activity: ${nfail:-0} failed forks (min $min)" test "${nfail:-0}" -ge "$min"
echo "@@FDM-STRESS-ACTIVITY failed_forks=${nfail:-0}"
fdm_unload
ktap_check "module unloads clean after the stress" test ! -d $FDM
ktap_finish
