#!/bin/sh
# Benchmarks in one boot, A/B interleaved: fork()+wait latency of parents of
# several sizes with the module not loaded / loaded and disarmed / armed for
# another task / armed for this task past its last VMA, and the exit time of
# a 200-VMA process in the first three states; each state's ratio to "not
# loaded" is taken per round (paired) and given with a 95% interval. Then the
# latency of disarm + step change + arm; injected failures per second against
# successful forks per second (forker, stress-ng --fork); a full sweep.
# Prints "# ..." lines and one JSON document between markers.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: bench.sh [-r ROUNDS] [-f FORKS] [-s 'SIZES'] [-t RATE_SECONDS] [-c ARM_CYCLES]"; }
rounds=5 forks=100 sizes="10 200 1000" rsecs=5 cycles=200
while [ $# -gt 0 ]; do
	case $1 in
	-r) rounds=$(num_arg -r "$2"); shift 2 ;;
	-f) forks=$(num_arg -f "$2"); shift 2 ;;
	-s) sizes=$2; shift 2 ;;
	-t) rsecs=$(num_arg -t "$2"); shift 2 ;;
	-c) cycles=$(num_arg -c "$2"); shift 2 ;;
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
	disarmed) loaded || fdm_insmod; echo -1 >$FDM/index
		fdm_wait_probes_off || { echo "bench: kprobes still enabled 5 s after the disarm" >&2; exit 1; } ;;
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
			echo "fork $size $st $r $m" >>/tmp/bench.raw
		done
	done
	for st in "$@"; do
		[ $st != self_past ] || continue
		set_state $st
		m=$(exitbench 200 $forks | sed -n 's/.*median_us=\([0-9.]*\).*/\1/p')
		echo "exit 200 $st $r $m" >>/tmp/bench.raw
	done
	r=$((r + 1))
done

# Disarm + step change + arm, for another task, through every step but kill.
set_state other
steps=$(awk '$3 == "available" && $1 != "kill" { print $1 }' $FDM/steps)
arm=$(armcycle $cycles $steps)
echo "# $arm"
arm_med=$(echo "$arm" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
arm_p90=$(echo "$arm" | sed -n 's/.*p90_ms=\([0-9.]*\).*/\1/p')
arm_max=$(echo "$arm" | sed -n 's/.*max_ms=\([0-9.]*\).*/\1/p')
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

# Per kind, size and state: median of the round medians, min, max; the ratio
# to "not loaded" per round (paired: the same round's unloaded figure), as a
# geometric mean with a 95% t interval over the rounds.
echo "@@FDM-BENCH-JSON-BEGIN"
awk -v kernel="$(uname -r)" -v inj="$inj" -v bare="$bare" -v sng="$sng" -v sweep="$sweep" \
	-v forks="$forks" -v rounds="$rounds" -v arm_med="$arm_med" -v arm_p90="$arm_p90" \
	-v arm_max="$arm_max" -v cycles="$cycles" '
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# Two-sided 95% quantile of Student t with df degrees of freedom.
function tq(df) {
	split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228", t, " ")
	if (df <= 10) return t[df]
	return df <= 20 ? 2.086 : df <= 30 ? 2.042 : 1.96
}
function num(x) { return x == "" ? "null" : x }
{ k = $1 " " $2 " " $3; n[k]++; v[k, n[k]] = $5; round[k, n[k]] = $4; kinds[$1 " " $2] = 1 }
END {
	printf "{\n  \"kernel\": \"%s\", \"forks_per_round\": %d, \"rounds\": %d,\n  \"latency_us\": [\n", kernel, forks, rounds
	first = 1
	split("unloaded disarmed other self_past", order, " ")
	for (ks in kinds) {
		split(ks, kk, " ")
		base = ks " unloaded"
		for (i = 1; i <= n[base]; i++) b[round[base, i]] = v[base, i]
		for (o = 1; o <= 4; o++) {
			k = ks " " order[o]
			if (!n[k]) continue
			m = 0; sl = 0; sq = 0
			for (i = 1; i <= n[k]; i++) {
				a[i] = v[k, i]
				r = round[k, i]
				if (b[r] > 0 && a[i] > 0) { l = log(a[i] / b[r]); m++; sl += l; sq += l * l }
			}
			med = median(a, n[k]); lo = a[1]; hi = a[n[k]]
			gm = m ? exp(sl / m) : 0
			hw = m > 1 ? tq(m - 1) * sqrt((sq - sl * sl / m) / (m - 1) > 0 ? (sq - sl * sl / m) / (m - 1) : 0) / sqrt(m) : 0
			clo = m ? exp(sl / m - hw) : 0; chi = m ? exp(sl / m + hw) : 0
			noisy = order[o] != "unloaded" && m > 1 && (chi - clo) / 2 > (gm > 1 ? gm - 1 : 1 - gm)
			printf "%s    {\"kind\": \"%s\", \"vmas\": %d, \"state\": \"%s\", \"median_us\": %.1f, \"min_us\": %.1f, \"max_us\": %.1f, \"ratio\": %.3f, \"ci_lo\": %.3f, \"ci_hi\": %.3f, \"noisy\": %s}",
				first ? "" : ",\n", kk[1], kk[2], order[o], med, lo, hi, gm, clo, chi, noisy ? "true" : "false"
			first = 0
		}
	}
	printf "\n  ],\n  \"arm_disarm_step_ms\": {\"cycles\": %d, \"median\": %s, \"p90\": %s, \"max\": %s},\n", cycles, num(arm_med), num(arm_p90), num(arm_max)
	printf "  \"injected_failures_per_s\": %s, \"bare_forks_per_s\": %s, \"stress_ng_fork_bogo_ops_per_s\": %s,\n",
		num(inj), num(bare), num(sng)
	printf "  \"sweep_200_vmas_s\": %s\n}\n", num(sweep)
}' /tmp/bench.raw
echo "@@FDM-BENCH-JSON-END"
