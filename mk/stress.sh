#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make stress COUNT=N`: the swiotlb_stress KUnit suite alone, N operations
# per thread (make test runs it with 40000, the debug run with 2000).
. "$(dirname "$0")/lib.sh"

count=${COUNT:-200000}
log=$LOGS/stress.log
: >"$LOGS/stress-checks.txt"
step "stress: $count operations per thread in QEMU (log: ${log#"$TOP"/})"
QEMU_QUIET=1 "$TOP/mk/qemu.sh" "$log" "${STRESS_TIMEOUT:-3600}" \
	"swiotlb=${SWIOTLB_ARG:-2048,force} kunit_shutdown=poweroff kunit.filter_glob=swiotlb_stress swiotlb_core_kunit.stress_ops=$count ${KUNIT_ARGS:-}" ||
	die "the stress boot did not finish; see $log"
grep -o '# random_maps_from_many_threads_keep_every_byte: .*' "$log" || true
exec python3 "$TOP/mk/summary.py" "$KSRC/tools/testing/kunit" "$LOGS/stress-checks.txt" "$log"
