#!/bin/sh
# Failed forks of a KSM-registered parent while ksmd scans flat out (corpus
# entry ksm, 985da552a98e; patches/control-notes.md, "ksm, covering
# khugepaged too"), or with -k of a khugepaged-registered parent while
# khugepaged scans flat out (corpus entry khugepaged, the same fix).
# ksmstress maps filler VMAs, an anon page where the module fails every fork,
# then identical MADV_MERGEABLE pages (-k: untouched MADV_HUGEPAGE memory), and
# forks back to back while a SCHED_FIFO helper on the same CPU holds the
# forker between dup_mmap()'s unlock and its mmput() of the failed child. On
# the positive control (fdm_control=ksm) the failed child is in ksmd's
# (khugepaged's) list and the daemon walks its tree into the XA_ZERO_ENTRY
# (scan_get_next_rmap_item, khugepaged_scan_mm_slot); fixed kernels must
# stay clean.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'USAGE'
usage: ksmstress.sh [-t SECONDS] [-n VMAS] [-c CPU] [-m MIN] [-H] [-k]
  -t  duration (default 60)      -n  filler VMAs before the failing one (default 100)
  -c  CPU for the forker and the holding helper (default 0)
  -m  activity required: at least MIN failed forks, MIN of them held by the
      helper, and MIN full scans by the daemon (default 5)
  -H  no holding helper: the bare race of failed forks and the daemon (no
      held minimum)
  -k  khugepaged instead of ksmd
Sets ksm run=1, sleep_millisecs=0, pages_to_scan=1000 (-k: khugepaged
scan_sleep_millisecs=0, alloc_sleep_millisecs=0, and transparent_hugepage
enabled=madvise when it was never) for the run and puts them back on exit.
Needs a preemptible kernel: on PREEMPT_DYNAMIC kernels boot with preempt=full.
USAGE
}
secs=60 vmas=100 cpu=0 min=5 hold='' hmin='' thp=''
while [ $# -gt 0 ]; do
	case $1 in
	-t) secs=$(num_arg -t "${2:-}"); shift 2 ;;
	-n) vmas=$(num_arg -n "${2:-}"); shift 2 ;;
	-c) cpu=$(num_arg -c "${2:-}"); shift 2 ;;
	-m) min=$(num_arg -m "${2:-}"); shift 2 ;;
	-H) hold=--no-hold hmin=0; shift ;;
	-k) thp=--khugepaged; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
require_root
THP=/sys/kernel/mm/transparent_hugepage
# daemon knobs: "FILE VALUE" to set for the run, put back on exit
if [ -n "$thp" ]; then
	daemon=khugepaged D=$THP/khugepaged
	[ -w $D/scan_sleep_millisecs ] || skip_all "no $D (CONFIG_TRANSPARENT_HUGEPAGE)"
	set -- "$D/scan_sleep_millisecs 0" "$D/alloc_sleep_millisecs 0"
	# "[never]" stops khugepaged: madvise is enough for MADV_HUGEPAGE
	case $(cat $THP/enabled) in *'[never]'*) set -- "$@" "$THP/enabled madvise" ;; esac
else
	daemon=ksmd D=/sys/kernel/mm/ksm
	[ -w $D/run ] || skip_all "no $D (CONFIG_KSM)"
	set -- "$D/sleep_millisecs 0" "$D/pages_to_scan 1000" "$D/run 1"
fi
fdm_load
ks='' restore=''
for kv in "$@"; do
	f=${kv% *}
	case $(cat "$f") in
	*'['*) old=$(sed 's/.*\[\(.*\)\].*/\1/' "$f") ;;	# enabled: the bracketed word
	*) old=$(cat "$f") ;;
	esac
	restore="$f $old
$restore"
done
cleanup() {
	[ -z "$ks" ] || kill "$ks" 2>/dev/null || true
	fdm_disarm
	echo "$restore" | while read -r f v; do
		[ -z "$f" ] || echo "$v" >"$f" 2>/dev/null || true
	done
}
trap cleanup EXIT INT TERM

echo "# $(uname -r), preempt: $(cat /sys/kernel/debug/sched/preempt 2>/dev/null || echo unknown)"
fdm_control_line
ktap_header 5
fdm_defaults
for kv in "$@"; do
	echo "${kv#* }" >"${kv% *}"
done
scans0=$(cat $D/full_scans)
echo "@@FDM-STRESS-START $(cut -d' ' -f1 /proc/uptime)"
krc=0
ksmstress --kmsg -t "$secs" -n "$vmas" --cpu "$cpu" $hold $thp >/tmp/ksmstress.out 2>&1 &
ks=$!
wait $ks || krc=$?
ks=
fdm_disarm
scans=$(($(cat $D/full_scans) - scans0))
sed 's/^/# /' /tmp/ksmstress.out
awk '$2 != 0 && $2 != "-" { print "# stats: " $0 }' $FDM/stats
sed 's/^/# last: /' $FDM/last
if [ -n "$thp" ]; then
	echo "# khugepaged: $scans full scans, pages_collapsed $(cat $D/pages_collapsed)"
else
	echo "# ksm: $scans full scans, pages_shared $(cat $D/pages_shared)"
fi
line=$(grep '^ksmstress: [0-9]* failed forks' /tmp/ksmstress.out | head -n 1 || true)
nfail=$(echo "$line" | sed -n 's/^ksmstress: \([0-9]*\) failed forks.*/\1/p')
nheld=$(echo "$line" | sed -n 's/.* \([0-9]*\) held.*/\1/p')
ktap_check "ksmstress: only ENOMEM, no error (exit $krc)" test $krc = 0
ktap_check "activity: ${nfail:-0} failed forks (min $min)" test "${nfail:-0}" -ge "$min"
ktap_check "activity: ${nheld:-0} forks held after the unlock (min ${hmin:-$min})" test "${nheld:-0}" -ge "${hmin:-$min}"
ktap_check "activity: $scans $daemon full scans (min $min)" test "$scans" -ge "$min"
echo "@@FDM-STRESS-ACTIVITY failed_forks=${nfail:-0} held=${nheld:-0} full_scans=$scans"
fdm_unload
ktap_check "module unloads clean after the stress" test ! -d $FDM
ktap_finish
