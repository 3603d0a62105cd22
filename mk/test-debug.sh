#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The debug run of `make test`: the same kernel configuration plus
# configs/debug/debug.config (KASAN, lockdep with PROVE_RCU,
# DEBUG_ATOMIC_SLEEP, kmemleak, DMA-API debugging, fault injection) in
# build/obj-debug. One boot runs every KUnit suite and the Rust doctests,
# the sample (built in), then the initramfs, which runs the stress suite
# again under failslab and fail_page_alloc (run.d/50-fault-storm.sh) and
# at last scans for leaks. Appends its checks to CHECKS; the KTAP output is in
# build/logs/debug.log for mk/summary.py.
. "$(dirname "$0")/lib.sh"

checks=$1
log=$LOGS/debug.log
export KOBJ=$BUILD/obj-debug
export CONFIG_FRAGMENTS="$(ls "$TOP"/configs/*.config) $TOP/configs/debug/debug.config"
FRAG=$BUILD/fragment-debug.config "$TOP/mk/config.sh"
BUILD_LOG=$LOGS/build-debug.log "$TOP/mk/build.sh"
"$TOP/mk/initramfs.sh"

check() {
	record_check "$checks" "$@"
}

step "test: debug kernel in QEMU: KUnit, doctests, sample, kmemleak (log: ${log#"$TOP"/})"
rc=0
# No 5-level paging (la57=off): 6.12's identify_cpu() clears the boot CPU's
# feature bits and sets them again with interrupts on; an interrupt in that
# window sees pgtable_l5_enabled() false, and KASAN then takes the 5-level
# direct map for a wild address ("wild-memory-access in do_raw_spin_lock"
# from handle_edge_irq, at about 2.5 s; 3 boots in 20 with -cpu max).
export QEMU_CPU=${DEBUG_QEMU_CPU:-max,la57=off}
# The q35 machine, not pc: enabling a PCI function evaluates the ACPI _PRT of
# its bridge, which on pc is a loop over 128 slots; under KASAN on TCG that
# took 21-26 s per probe of the NVMe controller (a soft-lockup report, at
# boot and at rebind), on q35 0.65 s.
export QEMU_MACHINE=${DEBUG_QEMU_MACHINE:-q35}
# QEMU's NVMe controller for the Rust NVMe driver (run.d/70-rnvme.sh, a
# smaller workload than make run's); the C driver is kept off it.
img=$BUILD/rnvme-debug.img
rm -f "$img"
truncate -s 64M "$img"
QEMU_QUIET=1 QEMU_MEM=${DEBUG_MEM:-2048} "$TOP/mk/qemu.sh" "$log" "${DEBUG_TIMEOUT:-1800}" \
	"swiotlb=${SWIOTLB_ARG:-2048,force} swiotlb_core_kunit.stress_ops=${DEBUG_STRESS_OPS:-10000} swiotlb_fault_storm initcall_blacklist=nvme_init RNVME_JOBS=4 RNVME_MIB=8 ${KUNIT_ARGS:-}" \
	-initrd "$BUILD/initramfs.cpio" \
	-drive "if=none,id=nvme0,file=$img,format=raw,cache=unsafe" \
	-device nvme,serial=rnvme-debug-0001,drive=nvme0 || rc=$?
"$TOP/mk/check-rnvme-image.py" "$img" "$log" || true
rm -f "$img"
check "debug-boot: powers off on its own" test "$rc" -eq 0
check "debug-boot: init finished" grep -q '^=== swiotlb-run: done' "$log"
check "debug-boot: no KASAN, lockdep, RCU, DMA-API, kmemleak or WARN report (mk/check-reports.py)" \
	python3 "$TOP/mk/check-reports.py" "$log"
check "debug-boot: stress passed with failslab and fail_page_alloc failing swiotlb allocations" \
	grep -q '^fault-storm: ok' "$log"
check "debug-boot: kmemleak scanned" grep -q '^kmemleak: 0 suspected leaks' "$log"
check "debug-boot: sample verified every I/O (errors=0, verified=ios)" \
	"$TOP/mk/check-sample.sh" "$log" intact
check "debug-boot: sample took both overflow paths" "$TOP/mk/check-sample.sh" "$log" overflow
check "debug-boot: sample never stalled" "$TOP/mk/check-sample.sh" "$log" steady
check "debug-boot: the Rust NVMe driver verified every region, errors=0" \
	"$TOP/mk/check-rnvme.sh" "$log" verified
check "debug-boot: the Rust NVMe driver unbound cleanly and bound again" \
	"$TOP/mk/check-rnvme.sh" "$log" rebind
check "debug-boot: the Rust NVMe driver's odd offsets and lengths read back and sit at their LBAs" \
	"$TOP/mk/check-rnvme.sh" "$log" odd-io

# The Rust NVMe driver's timeout case on the debug kernel: stopping the
# controller, failing the requests in flight, unbind and rebind, under KASAN,
# lockdep and kmemleak.
QEMU_QUIET=1 QEMU_MEM=${DEBUG_MEM:-2048} RNVME_CASES=timeout RNVME_LOG_PREFIX=debug-rnvme \
	RUST_PCI_TIMEOUT=${DEBUG_TIMEOUT:-1800} "$TOP/mk/rust-pci.sh" || true
tlog=$LOGS/debug-rnvme-timeout.log
check "debug-rnvme-timeout: powers off on its own" grep -q 'reboot: Power down' "$tlog"
check "debug-rnvme-timeout: a timed-out command stops the controller cleanly, unbind and rebind work" \
	"$TOP/mk/check-rnvme.sh" "$tlog" timeout
check "debug-rnvme-timeout: no KASAN, lockdep, RCU, DMA-API, kmemleak or WARN report" \
	bash -c "[ -s '$tlog' ] && python3 '$TOP/mk/check-reports.py' '$tlog'"
