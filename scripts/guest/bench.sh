#!/bin/sh
# Benchmarks in one boot, A/B interleaved: fork()+wait latency of parents of
# several sizes with the module not loaded / loaded and disarmed / armed for
# another task / armed for this task past its last VMA; injected failures per
# second against successful forks per second (forker, stress-ng --fork); a
# full sweep. Prints "# ..." lines and one JSON document between markers.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: bench.sh [-r ROUNDS] [-f FORKS] [-s 'SIZES'] [-t RATE_SECONDS]"; }
rounds=5 forks=100 sizes="10 200 1000" rsecs=5
while [ $# -gt 0 ]; do
	case $1 in
	-r) rounds=$(num_arg -r "$2"); shift 2 ;;
	-f) forks=$(num_arg -f "$2"); shift 2 ;;
	-s) sizes=$2; shift 2 ;;
	-t) rsecs=$(num_arg -t "$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
require_root
[ -f "$FDM_MODULE" ] || skip_all "no $FDM_MODULE"
sleep 100000 &
other=$!
cleanup() { fdm_disarm; kill $other 2>/dev/null || true; }
trap cleanup EXIT INT TERM

loaded() { [ -d $FDM ]; }
set_state() {
	case $1 in
	unloaded) loaded && rmmod fail_dup_mmap ;;
	disarmed) loaded || fdm_insmod; echo -1 >$FDM/index ;;
	other) loaded || fdm_insmod
		echo -1 >$FDM/index; echo - >$FDM/comm; echo $other >$FDM/pid; echo 0 >$FDM/index ;;
	self_past) loaded || fdm_insmod
		echo -1 >$FDM/index; echo 0 >$FDM/pid; echo forker >$FDM/comm; echo 1000000 >$FDM/index ;;
	esac
	return 0
}
states="unloaded disarmed other self_past"
: >/tmp/bench.raw
r=0
while [ $r -lt $rounds ]; do
	# Rotate the order of the states each round.
	set -- $states
	i=0
	while [ $i -lt $((r % 4)) ]; do s=$1; shift; set -- "$@" $s; i=$((i + 1)); done
	for size in $sizes; do
		for st in "$@"; do
			set_state $st
			m=$(forker --vmas $size --bench $forks | sed -n 's/.*median_us=\([0-9.]*\).*/\1/p')
			echo "$size $st $r $m" >>/tmp/bench.raw
		done
	done
	r=$((r + 1))
done
set_state unloaded

# Rates, 200-VMA parents, same boot.
loaded || fdm_insmod
echo -1 >$FDM/index; echo 0 >$FDM/pid; echo forker >$FDM/comm; echo vma_alloc >$FDM/step
echo 100 >$FDM/index
inj=$(forker --vmas 200 --rate $rsecs | sed -n 's/.*enomem_per_s=\([0-9.]*\).*/\1/p')
echo -1 >$FDM/index
bare=$(forker --vmas 200 --rate $rsecs | sed -n 's/.*ok_per_s=\([0-9.]*\).*/\1/p')
sng=""
if command -v stress-ng >/dev/null; then
	sng=$(stress-ng --fork 1 --timeout ${rsecs}s --metrics-brief 2>&1 |
		awk '$0 ~ /fork/ && $(NF-1) ~ /^[0-9.]+$/ { v = $(NF-1) } END { print v }')
fi
sweep=$(forker --sweep --vmas 200 | sed -n 's/^# sweep: .*failures, \([0-9.]*\) s$/\1/p')
rmmod fail_dup_mmap

# Per size and state: median of the round medians, min, max; ratio to unloaded.
echo "@@FDM-BENCH-JSON-BEGIN"
awk -v kernel="$(uname -r)" -v inj="$inj" -v bare="$bare" -v sng="$sng" -v sweep="$sweep" \
	-v forks="$forks" -v rounds="$rounds" '
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ k = $1 " " $2; n[k]++; v[k, n[k]] = $4; sizes[$1] = 1; states[$2] = 1 }
END {
	printf "{\n  \"kernel\": \"%s\", \"forks_per_round\": %d, \"rounds\": %d,\n  \"latency_us\": [\n", kernel, forks, rounds
	first = 1
	split("unloaded disarmed other self_past", order, " ")
	for (s in sizes) {
		for (o = 1; o <= 4; o++) {
			st = order[o]; k = s " " st
			for (i = 1; i <= n[k]; i++) a[i] = v[k, i]
			med[k] = median(a, n[k]); lo = a[1]; hi = a[n[k]]
			mn[k] = lo; mx[k] = hi
		}
		for (o = 1; o <= 4; o++) {
			st = order[o]; k = s " " st; base = med[s " unloaded"]
			printf "%s    {\"vmas\": %d, \"state\": \"%s\", \"median_us\": %.1f, \"min_us\": %.1f, \"max_us\": %.1f, \"ratio\": %.3f}",
				first ? "" : ",\n", s, st, med[k], mn[k], mx[k], base ? med[k] / base : 0
			first = 0
		}
	}
	printf "\n  ],\n  \"injected_failures_per_s\": %s, \"bare_forks_per_s\": %s, \"stress_ng_fork_bogo_ops_per_s\": %s,\n",
		inj == "" ? "null" : inj, bare == "" ? "null" : bare, sng == "" ? "null" : sng
	printf "  \"sweep_200_vmas_s\": %s\n}\n", sweep == "" ? "null" : sweep
}' /tmp/bench.raw
echo "@@FDM-BENCH-JSON-END"
