#!/bin/sh
# Leak and accounting check: /proc/meminfo and /proc/slabinfo before and after
# sweeps (every step but kill at every index of a VMA-rich parent). The first
# sweep warms caches; the growth over the next two is divided by the number of
# injected failures and must stay under the tolerance (docs/checks.md).
# Slab counts are exact only to a slab per CPU (the objects of each CPU's
# active slab all count as active), so a cache may also grow by that much.
# Boot with slab_nomerge so each cache has its own slabinfo line.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: leaks.sh [-n VMAS] [-t OBJS_PER_FAILURE] [-k KB_PER_FAILURE]"; }
vmas=100
tol_obj=0.05
tol_kb=0.5
while [ $# -gt 0 ]; do
	case $1 in
	-n) vmas=$(num_arg -n "$2"); shift 2 ;;
	-t) tol_obj=$(num_arg -t "$2"); shift 2 ;;
	-k) tol_kb=$(num_arg -k "$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
fdm_begin
grep -q slab_nomerge /proc/cmdline || skip_all "boot with slab_nomerge (vm-run --append slab_nomerge)"
[ -r /proc/slabinfo ] || skip_all "no /proc/slabinfo"

caches="vm_area_struct anon_vma anon_vma_chain mm_struct maple_node files_cache"
fields="Committed_AS PageTables AnonPages"

settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	for c in $caches; do
		[ -w /sys/kernel/slab/$c/shrink ] && echo 1 >/sys/kernel/slab/$c/shrink
	done
	sleep 1
}
snap() {	# snap FILE: "name value [objperslab]" lines (slab active objects, meminfo kB)
	for c in $caches; do
		awk -v c="$c" '$1 == c { print c, $2, $5 }' /proc/slabinfo
	done >"$1"
	for f in $fields; do
		awk -v f="$f:" '$1 == f { print substr(f, 1, length(f) - 1), $2 }' /proc/meminfo
	done >>"$1"
}
injected() { awk '$1 ~ /^injections_/ { n += $2 } END { print n + 0 }' $FDM/stats; }

ntests=0
for c in $caches $fields; do ntests=$((ntests + 1)); done
ktap_header $((ntests + 1))

settle
snap /tmp/leak0
sopts=$(fdm_sweep_opts)
# shellcheck disable=SC2086
out=$(forker --sweep --vmas "$vmas" $sopts) || { echo "$out"; ktap_not_ok "first sweep"; exit 1; }
settle
snap /tmp/leak1
i1=$(injected)
ok=1
for r in 1 2; do
	# shellcheck disable=SC2086
	forker --sweep --vmas "$vmas" $sopts >/tmp/sweep.$r || ok=0
done
settle
snap /tmp/leak2
i2=$(injected)
k=$((i2 - i1))
ktap_check "three sweeps of $vmas VMAs ran as expected ($i1 then $k more injected failures)" \
	test $ok = 1 -a "$k" -gt 0
[ "$k" -gt 0 ] || { echo "# nothing injected: no per-failure figure"; ktap_finish || exit 1; }
ncpu=$(grep -c '^processor' /proc/cpuinfo)
echo "# metric: after sweep 1 - before | after sweeps 2-3 - after sweep 1 | per failure"
echo "# a cache may grow by tolerance x failures + $ncpu CPUs x objects per slab"
for c in $caches $fields; do
	a=$(awk -v c="$c" '$1 == c { print $2 }' /tmp/leak0)
	b=$(awk -v c="$c" '$1 == c { print $2 }' /tmp/leak1)
	d=$(awk -v c="$c" '$1 == c { print $2 }' /tmp/leak2)
	if [ -z "$a" ] || [ -z "$d" ]; then
		ktap_skip "$c: not reported by this kernel"
		continue
	fi
	slack=0
	case " $caches " in *" $c "*)
		tol=$tol_obj unit=objects
		slack=$((ncpu * $(awk -v c="$c" '$1 == c { print $3 }' /tmp/leak2)))
		;;
	*) tol=$tol_kb unit=kB ;;
	esac
	per=$(awk -v x="$b" -v y="$d" -v k="$k" 'BEGIN { printf "%.4f", (y - x) / k }')
	lim=$(awk -v k="$k" -v t="$tol" -v s="$slack" 'BEGIN { printf "%.0f", t * k + s }')
	line="$c: $((b - a)) | $((d - b)) $unit | $per per failure (tolerance $tol"
	[ "$slack" = 0 ] && line="$line)" || line="$line: at most $tol x $k + $slack = $lim, a slab per CPU)"
	# A leak of one object per failure must stand out of the slab allowance.
	if [ "$k" -lt $((4 * slack)) ]; then
		ktap_not_ok "$line: $k failures are too few to tell a leak from $slack objects of slabs (use a bigger -n)"
	elif awk -v g="$((d - b))" -v k="$k" -v t="$tol" -v s="$slack" 'BEGIN { exit !(g <= t * k + s) }'; then
		ktap_ok "$line"
	else
		ktap_not_ok "$line"
	fi
done
ktap_finish
