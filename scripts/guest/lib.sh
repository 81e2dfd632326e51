# shellcheck shell=sh
# Helpers for the in-guest scenarios (busybox sh): KTAP output, module
# load/unload, disarming. Source it after 'set -eu'.
FDM=/sys/kernel/debug/fail_dup_mmap
# The module: $FDM_MODULE (vm-run's guest sets /fdm/fail_dup_mmap.ko); unset,
# the installed one (make install, dkms) through modprobe.
FDM_MODULE=${FDM_MODULE:-}
ktap_n=0
ktap_failed=0

ktap_header() { echo "KTAP version 1"; echo "1..$1"; }
ktap_ok() { ktap_n=$((ktap_n + 1)); echo "ok $ktap_n $*"; }
ktap_not_ok() { ktap_n=$((ktap_n + 1)); ktap_failed=$((ktap_failed + 1)); echo "not ok $ktap_n $*"; }
ktap_skip() { ktap_n=$((ktap_n + 1)); echo "ok $ktap_n # SKIP $*"; }
# ktap_check DESCRIPTION COMMAND...: one result from a command's status.
ktap_check() {
	d=$1
	shift
	if "$@"; then ktap_ok "$d"; else ktap_not_ok "$d"; fi
}
ktap_finish() {
	echo "# $((ktap_n - ktap_failed)) passed, $ktap_failed failed"
	[ "$ktap_failed" = 0 ]
}
# Skip the whole script (kselftest: exit 4).
skip_all() { echo "KTAP version 1"; echo "1..0 # SKIP $*"; exit 4; }

# num_arg OPTION VALUE: print VALUE if it is a decimal number, else fail.
num_arg() {
	case $2 in
	'' | *[!0-9.]*) echo "${0##*/}: $1 needs a number, got '$2'" >&2; exit 2 ;;
	esac
	echo "$2"
}
require_root() { [ "$(id -u)" = 0 ] || skip_all "must be root"; }
# Load the module (no check that it was not loaded).
fdm_insmod() {
	if [ -n "$FDM_MODULE" ]; then insmod "$FDM_MODULE"; else modprobe fail_dup_mmap; fi
}
fdm_load() {
	[ -d $FDM ] && return 0
	if [ -n "$FDM_MODULE" ]; then
		[ -f "$FDM_MODULE" ] || skip_all "no $FDM_MODULE"
	else
		modinfo fail_dup_mmap >/dev/null 2>&1 ||
			skip_all "fail_dup_mmap is not installed (make install, or set FDM_MODULE=path/to/fail_dup_mmap.ko)"
	fi
	if grep -q '\[integrity\]\|\[confidentiality\]' /sys/kernel/security/lockdown 2>/dev/null; then
		skip_all "kernel lockdown is on ($(cat /sys/kernel/security/lockdown)): unsigned modules and debugfs writes are refused; turn Secure Boot off (docs/real-machine.md)"
	fi
	fdm_insmod
}
# The usual start of a suite: root, module loaded, disarmed on exit.
fdm_begin() {
	require_root
	fdm_load
	fdm_defaults
	trap fdm_disarm EXIT INT TERM
}
fdm_disarm() { [ -w $FDM/index ] && echo -1 >$FDM/index 2>/dev/null || true; }
# Disarm and put every knob back to its default, stats zeroed: what a suite
# finds must not depend on what an earlier one left.
fdm_defaults() {
	fdm_disarm
	echo - >$FDM/comm
	echo 0 >$FDM/pid
	echo 0 >$FDM/notify
	echo 0 >$FDM/addr
	echo vma_alloc >$FDM/step
	echo -1 >$FDM/times
	echo 100 >$FDM/probability
	echo 1 >$FDM/interval
	echo 0 >$FDM/verbose
	fdm_wait_probes_off || echo "# kprobes still enabled 5 s after the disarm"
	echo 1 >$FDM/reset
}
fdm_unload() { fdm_disarm; rmmod fail_dup_mmap; }
# Live hooks, system-wide: enabled kprobes plus functions ftrace calls out
# from, but the module's parking functions. The module registers its kprobes
# disabled and its step hooks parked at load, enables and points them when
# armed, and disables and parks them a second after the last disarm
# (docs/knobs.md). Nothing else in the guest uses kprobes or ftrace.
fdm_live_kprobes() {
	_k=$(grep -v -c DISABLED /sys/kernel/debug/kprobes/list 2>/dev/null || true)
	_f=$(grep -v -c '^fdm_parking' /sys/kernel/debug/tracing/enabled_functions 2>/dev/null || true)
	echo $((${_k:-0} + ${_f:-0}))
}
# Wait up to 5 s for that; status 1 if a probe is still enabled.
fdm_wait_probes_off() {
	_n=0
	while [ "$(fdm_live_kprobes)" != 0 ]; do
		[ $_n -lt 50 ] || return 1
		sleep 0.1
		_n=$((_n + 1))
	done
}
# zram0 as 256 MB of swap (stress.sh, stressng-baseline.sh): skip without zram.
fdm_need_zram() {
	[ -b /dev/zram0 ] || modprobe zram 2>/dev/null || true
	[ -b /dev/zram0 ] || skip_all "no zram (CONFIG_ZRAM)"
}
fdm_zram_swapon() {
	echo 1 >/sys/block/zram0/reset
	echo 256M >/sys/block/zram0/disksize
	mkswap /dev/zram0 >/dev/null
	swapon /dev/zram0
}
# forker's options for step $1: ksm fires only in a MMF_VM_MERGEABLE
# parent (ksm_fork() calls __ksm_enter() only then), so --mergeable.
fdm_step_opts() { if [ "$1" = ksm ]; then echo --mergeable; fi; }
# The same for a forker that goes through every available step (--sweep,
# --loop): --mergeable where ksm is available (6.1), nothing elsewhere.
fdm_sweep_opts() { awk '$1 == "ksm" && $3 == "available" { print "--mergeable" }' $FDM/steps; }
# A helper woken by the notify knob inside a fork (slots.sh,
# early-disarm.sh): skip_all WHY where notify is refused (PREEMPT_RT); else
# switch to full preemption (PREEMPT_DYNAMIC's /sys/kernel/debug/sched/preempt),
# so the helper runs at the preemption point right after the signal, and
# say the model. fdm_notify_end puts notify and the model back.
FDM_PREEMPT=/sys/kernel/debug/sched/preempt
fdm_preempt_model() { sed -n 's/.*(\([a-z]*\)).*/\1/p' $FDM_PREEMPT 2>/dev/null; }
fdm_notify_begin() {
	knob notify $$ >/tmp/notify.r || skip_all "notify refused ($(cat /tmp/notify.r)): $1"
	echo 0 >$FDM/notify
	fdm_model0=
	if [ -w $FDM_PREEMPT ]; then
		fdm_model0=$(fdm_preempt_model)
		echo full >$FDM_PREEMPT
	fi
}
fdm_notify_end() {
	[ -w $FDM/notify ] && echo 0 >$FDM/notify 2>/dev/null || true
	[ -z "${fdm_model0:-}" ] || echo "$fdm_model0" >$FDM_PREEMPT 2>/dev/null || true
}
fdm_notify_say() {
	echo "# $(uname -r); preemption ${fdm_model0:-fixed} -> $(fdm_preempt_model | grep . || echo fixed)"
}
# Value of NAME in the stats file.
fdm_stat() { awk -v k="$1" '$1 == k { print $2 }' $FDM/stats; }
# Run a KTAP-printing command as a subtest: its lines indented by 2 spaces,
# then one result. FDM_SUITE_TIMEOUT (seconds, default none) bounds it: a
# suite still running then is killed and reported "not ok ... # TIMEOUT".
ktap_subtest() {
	d=$1
	shift
	# In a session of its own, output to a file: at the time limit the whole
	# process group goes (helpers included), and no helper holding a pipe
	# can keep this shell waiting.
	out=$(mktemp /tmp/subtest.XXXXXX)
	kst_t0=$(cut -d' ' -f1 /proc/uptime)
	setsid "$@" >"$out" 2>&1 &
	sp=$!
	# Polled every 50 ms for the first 2 s, then every 250 ms: most
	# subtests are one fork of a second or less, and a 1 s poll made each
	# take at least 1 s (a third of inject-matrix.sh's time). The time
	# limit is read off /proc/uptime (read: a shell builtin).
	rc= kst_n=0
	read -r kst_up _ </proc/uptime
	kst_end=$((${kst_up%.*} + ${FDM_SUITE_TIMEOUT:-0}))
	while kill -0 $sp 2>/dev/null; do
		read -r kst_up _ </proc/uptime
		if [ -n "${FDM_SUITE_TIMEOUT:-}" ] && [ "${kst_up%.*}" -ge $kst_end ]; then
			kill -KILL -$sp 2>/dev/null || kill -KILL $sp 2>/dev/null || true
			rc=137
			break
		fi
		if [ $kst_n -lt 40 ]; then sleep 0.05; kst_n=$((kst_n + 1)); else sleep 0.25; fi
	done
	if [ -z "$rc" ]; then wait $sp && rc=0 || rc=$?; else wait $sp 2>/dev/null || true; fi
	sed 's/^/  /' "$out"
	# A skipped suite's reason: its "1..0 # SKIP REASON" plan line.
	why=$(sed -n 's/^1\.\.0 # SKIP *//p' "$out" | head -n 1)
	rm -f "$out"
	awk -v t0="$kst_t0" -v d="$d" '{ printf "  # %s took %.0f s\n", d, $1 - t0 }' /proc/uptime
	case $rc in
	0) ktap_ok "$d" ;;
	4) ktap_n=$((ktap_n + 1)); echo "ok $ktap_n $d # SKIP${why:+ $why}" ;;
	124 | 137) ktap_not_ok "$d # TIMEOUT after ${FDM_SUITE_TIMEOUT}s" ;;
	*) ktap_not_ok "$d (exit $rc)" ;;
	esac
}
# The positive-control kernel's "fdm_control: enabled: ..." boot line, as a
# comment (scripts/corpus and make check read it; nothing on other kernels).
fdm_control_line() {
	dmesg | grep -m1 'fdm_control: enabled' | sed 's/^\[[ 0-9.]*\] /# /' || true
}
