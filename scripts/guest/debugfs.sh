#!/bin/sh
# Every debugfs file, read and opened in every mode, and 10,000 random writes
# across the writable knobs, disarmed and armed (the filter held on a task
# that does not fork): no splat (vm-run checks), only documented errnos, no
# knob left holding a value its Format line forbids, and the module still
# injects and unloads.
set -eu
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: debugfs.sh [-n WRITES] [-s SEED]"; }
writes=10000 seed=$$
while [ $# -gt 0 ]; do
	case $1 in
	-n) writes=$(num_arg -n "$2"); shift 2 ;;
	-s) seed=$(num_arg -s "$2"); shift 2 ;;
	-h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
fdm_begin
ktap_header 10

# 1. Read everything, as grep -r does (write-only files give EACCES).
rc=0
grep -r . $FDM >/tmp/grep.out 2>/tmp/grep.err || rc=$?
ktap_check "grep -r . reads every readable file ($(wc -l </tmp/grep.out) lines; $(wc -l </tmp/grep.err) refused)" \
	test $rc -le 2 -a -s /tmp/grep.out
# 2. Open every file in every mode; reads and seeks on whatever opened.
bad=0
for f in $FDM/*; do
	[ -f "$f" ] || continue
	cat "$f" >/dev/null 2>&1 || true
	dd if="$f" of=/dev/null bs=1 count=3 skip=1 2>/dev/null || true
	# read-write open: <> in sh
	( exec 3<>"$f" && cat <&3 >/dev/null ) 2>/dev/null || true
	( exec 3>>"$f" ) 2>/dev/null || true
	# write-only open, then lseek (dd seeks the output before writing)
	dd if=/dev/null of="$f" bs=1 seek=1 count=0 conv=notrunc 2>/dev/null || true
	[ -d $FDM ] || bad=1
done
ktap_check "every file opened read, write, read-write, append; read and seeked in each" test $bad = 0
# Modes a file does not have are refused at open(2), even for root.
ro_ok=1
for f in stats last audit steps armed; do
	( exec 3>"$FDM/$f" ) 2>/dev/null && ro_ok=0
done
( exec 3<"$FDM/reset" ) 2>/dev/null && ro_ok=0
for f in index pid comm times; do
	( exec 3<>"$FDM/$f" ) 2>/dev/null || ro_ok=0
done
ktap_check "read-only files refuse a write open, reset a read open; read-write knobs open read-write" test $ro_ok = 1
ktap_check "reset is refused for reading (EACCES), not oopsing" \
	sh -c "! cat $FDM/reset 2>/tmp/reset.err && grep -q 'denied' /tmp/reset.err"

# 3. Fuzz: half the writes disarmed, half armed for a sleeping task.
# With the kernel's fault_attr (CONFIG_FAULT_INJECTION_DEBUG_FS), times,
# probability, interval and verbose are the kernel's files, with the
# kernel's own parsing and ranges: only the module's knobs are fuzzed.
knobs=
fa=0
if [ -e $FDM/task-filter ]; then
	fa=1
	knobs="index addr step pid comm notify reset"
	echo "# fault_attr mode: fuzzing only the module's own knobs: $knobs"
fi
sleep 1000 &
target=$!
frc=0
half=$((writes / 2))
knobfuzz -p $target -n $half -s $seed $knobs >/tmp/fuzz1 2>&1 || frc=$?
fdm_disarm
echo - >$FDM/comm
echo $target >$FDM/pid
echo vma_alloc >$FDM/step
echo 0 >$FDM/index
knobfuzz -p $target -n $((writes - half)) -s $((seed + 1)) $knobs >/tmp/fuzz2 2>&1 || frc=$?
sed 's/^/# /' /tmp/fuzz1 /tmp/fuzz2
ktap_check "$writes random writes: only documented errnos (seed $seed)" test $frc = 0

# 4. Every knob holds a value its Format line allows (docs/knobs.md).
v() { cat $FDM/$1; }
fmt_bad=""
chk() { printf '%s\n' "$2" | grep -Eqx -e "$3" || fmt_bad="$fmt_bad $1=$2"; }
chk index "$(v index)" '-1|[0-9]+'
[ "$(v index)" -le 2147483647 ] || fmt_bad="$fmt_bad index-range"
chk addr "$(v addr)" '0x[0-9a-f]+'
chk step "$(v step)" "$(awk '{ print $1 }' $FDM/steps | paste -sd '|')"
chk pid "$(v pid)" "0|$target"
chk notify "$(v notify)" "0|$target"
chk comm "$(v comm)" '-|[!-~]{1,15}'
if [ $fa = 0 ]; then
	chk times "$(v times)" '-1|[0-9]+'
	chk probability "$(v probability)" '[0-9]|[1-9][0-9]|100'
	chk interval "$(v interval)" '[1-9][0-9]*'
	chk verbose "$(v verbose)" '[012]'
fi
chk armed "$(v armed)" '[01]'
ktap_check "every knob within its Format line${fmt_bad:+:$fmt_bad}" test -z "$fmt_bad"
kill -KILL $target
wait $target 2>/dev/null || true

# 6. What runs inside a kprobe or ftrace handler (the handlers of
# module/hooks.c and every function they call) can be neither traced nor
# kprobed: a probe there would recurse into the handler.
ctx="fdm_start_pre fdm_end_pre fdm_clone_entry fdm_clone_ret fdm_exit_mmap_pre
fdm_dup_pre fdm_step_hit fdm_step_pre fdm_step_ftrace fdm_post fdm_stat_inc
fdm_filter_set fdm_maybe_in_filter fdm_current_in_filter fdm_my_slot
fdm_pending_drop fdm_not_reached fdm_pending_add fdm_resolve fdm_ret_errno
fdm_record fdm_log fdm_notify fdm_call_of_fork fdm_at_target
fdm_early_at_target fdm_divert fdm_decide fdm_can_signal fdm_current_comm
fdm_vma_accountable fdm_fault_should_fail fdm_fault_verbose fdm_audit_mm
fdm_hook_at fdm_mas_set_enomem fdm_ret_enomem fdm_ret_null fdm_ret_eintr
fdm_ret_mas_enomem fdm_slot_release fdm_take_back"
tr=/sys/kernel/tracing/available_filter_functions
[ -r $tr ] || tr=/sys/kernel/debug/tracing/available_filter_functions
# Out of line (in kallsyms, a clone such as .isra.0 included) and traceable.
# The module's lines of each list first, once: the whole lists are long.
grep '\[fail_dup_mmap\]' $tr | cut -d' ' -f1 | sed 's/\.[a-z]*\.[0-9]*$//' >/tmp/dfs.traced || true
grep '\[fail_dup_mmap\]' /proc/kallsyms | awk '{ print $3 }' | sed 's/\.[a-z]*\.[0-9]*$//' >/tmp/dfs.syms || true
grep '\[fail_dup_mmap\]' /sys/kernel/debug/kprobes/blacklist | awk '{ print $2 }' |
	sed 's/\.[a-z]*\.[0-9]*$//' >/tmp/dfs.black || true
traced= kprobed=
for f in $ctx; do
	grep -qx "$f" /tmp/dfs.traced && traced="$traced $f"
	if grep -qx "$f" /tmp/dfs.syms && ! grep -qx "$f" /tmp/dfs.black; then
		kprobed="$kprobed $f"
	fi
done
ktap_check "no probe-context function is traceable (available_filter_functions)${traced:+:$traced}" test -z "$traced"
ktap_check "every out-of-line probe-context function is on the kprobe blacklist${kprobed:+; not:$kprobed}" test -z "$kprobed"

# 5. Still injects, then unloads.
fdm_defaults
ktap_subtest "after the fuzz the module still fails a fork at VMA #5" \
	forker --vmas 20 --index 5 --forks 2
fdm_unload
ktap_check "unloads after the fuzz" test ! -d $FDM
fdm_insmod
ktap_finish
