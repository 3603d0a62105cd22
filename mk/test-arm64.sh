#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make test ARCH=arm64`: our C KUnit suites on another architecture. The
# kernel is configured from configs/arm64/*.config alone (an empty .config
# plus olddefconfig: QEMU's virt machine, PL011 console, no Rust, no sample),
# cross-compiled with the same clang into build/obj-arm64, and booted on
# `qemu-system-aarch64 -M virt` under TCG with "swiotlb=...,force" and the
# device tree of mk/arm64-dtb.sh, which declares a restricted DMA pool and a
# node that uses it (the swiotlb_restricted_pool suite). Every suite runs at
# boot; then one last line "N passed, N failed" as for x86's `make test`.
#
# ARM64_STRESS_OPS: operations per thread of the swiotlb_stress suite,
# default 2000 (x86: 40000). Emulated arm64 is slow: 10000 took 100 s, past
# the 30 s after which the hung-task check reports KUnit's runner; 2000 takes
# 10-20 s (README.md).
# Logs: build/logs/build-arm64.log, build/logs/arm64.log.
. "$(dirname "$0")/lib.sh"

export ARCH=arm64
export KOBJ=$BUILD/obj-arm64
CONFIG_FRAGMENTS="$(ls "$TOP"/configs/arm64/*.config)"
export CONFIG_FRAGMENTS
FRAG=$BUILD/fragment-arm64.config "$TOP/mk/config.sh"
BUILD_LOG=$LOGS/build-arm64.log "$TOP/mk/build.sh"
"$TOP/mk/arm64-dtb.sh"

checks=$LOGS/checks-arm64.txt
log=$LOGS/arm64.log
: >"$checks"

check() {
	record_check "$checks" "$@"
}

step "test: arm64 KUnit in QEMU virt (swiotlb=${SWIOTLB_ARG:-2048,force}, restricted DMA pool; log: ${log#"$TOP"/})"
rc=0
QEMU_QUIET=1 "$TOP/mk/qemu-arm64.sh" "$log" "${KUNIT_TIMEOUT:-900}" \
	"swiotlb=${SWIOTLB_ARG:-2048,force} kunit_shutdown=poweroff swiotlb_core_kunit.stress_ops=${ARM64_STRESS_OPS:-2000} ${KUNIT_ARGS:-}" ||
	rc=$?
check "arm64-boot: kernel powered off after the tests" test "$rc" -eq 0
check "arm64-boot: no kernel BUG, oops or warning" \
	bash -c "! grep -qE 'BUG:|Oops|KASAN:|Kernel panic|WARNING: CPU' '$log'"
check "arm64-boot: the device tree's restricted DMA pool was set up" \
	grep -q 'swiotlb: restricted DMA pool at' "$log"
# A missing test node skips the whole suite: that is not a pass here.
check "arm64-boot: swiotlb_restricted_pool ran (not skipped)" \
	grep -qE '(^|\] )(not )?ok [0-9]+ swiotlb_restricted_pool$' "$log"

exec python3 "$TOP/mk/summary.py" "$KSRC/tools/testing/kunit" "$checks" "$log"
