#!/bin/sh
# Every in-guest test suite of fail_dup_mmap, as KTAP subtests, in one boot.
set -eu
. /fdm/guest/lib.sh

case "${1:-}" in
-h | --help) echo "usage: all.sh   (runs the guest suites; KTAP)"; exit 0 ;;
esac
require_root
ktap_header 9
if insmod "$FDM_MODULE"; then
	ktap_ok "insmod fail_dup_mmap.ko on $(uname -r)"
else
	ktap_not_ok "insmod fail_dup_mmap.ko on $(uname -r)"
	exit 1
fi
ktap_subtest "inject-matrix" inject-matrix.sh
ktap_subtest "knobs-badinput" knobs-badinput.sh
ktap_subtest "filter" filter.sh
ktap_subtest "fault-attr" fault-attr.sh
ktap_subtest "audit" audit.sh
ktap_subtest "sweep" sweep.sh
ktap_subtest "leaks" leaks.sh
ktap_subtest "race-rmmod" race-rmmod.sh -t 20
ktap_finish
