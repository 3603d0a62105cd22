#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make test`: boot the KUnit kernel (our suites and the Rust doctests run
# at boot), then the `make run` boot as a check, then the storage boots
# (mk/storage.sh: upstream's NVMe and virtio-blk drivers on QEMU disks, with
# pools that may grow, with a fixed pool, and without forced bouncing;
# STORAGE_RUN=0 leaves them out), before them the bad-input boots of the Rust
# NVMe driver (mk/rust-pci.sh; RUST_PCI_RUN=0 leaves them out),
# then the debug kernel (mk/test-debug.sh;
# DEBUG_RUN=0 leaves it out), and summarise everything in one last line
# "N passed, N failed".
. "$(dirname "$0")/lib.sh"

checks=$LOGS/checks.txt
: >"$checks"

# check NAME COMMAND...: record whether COMMAND succeeds.
check() {
	record_check "$checks" "$@"
}

step "test: KUnit in QEMU (swiotlb=${SWIOTLB_ARG:-2048,force}; log: ${LOGS#"$TOP"/}/kunit.log)"
rc=0
QEMU_QUIET=1 "$TOP/mk/qemu.sh" "$LOGS/kunit.log" "${KUNIT_TIMEOUT:-900}" \
	"swiotlb=${SWIOTLB_ARG:-2048,force} kunit_shutdown=poweroff $KUNIT_ARGS" || rc=$?
check "kunit-boot: kernel powered off after the tests" test "$rc" -eq 0
check "kunit-boot: no kernel BUG, oops or KASAN report" \
	bash -c "! grep -qE 'BUG:|Oops|KASAN:|Kernel panic|WARNING: CPU' '$LOGS/kunit.log'"

step "test: boot check of 'make run'"
rc=0
QEMU_QUIET=1 "$TOP/mk/run.sh" >/dev/null || rc=$?
check "run-boot: powers off on its own" test "$rc" -eq 0
check "run-boot: init finished" grep -q '^=== swiotlb-run: done' "$LOGS/run.log"
check "run-boot: debugfs shows the default pool" \
	grep -qE '^io_tlb_nslabs +[1-9]' "$LOGS/run.log"
check "run-boot: no kernel BUG, oops or warning" \
	bash -c "! grep -qE 'BUG:|Oops|KASAN:|Kernel panic|WARNING: CPU' '$LOGS/run.log'"
check "trace: swiotlb_bounced keeps upstream's fields and format" \
	"$TOP/mk/check-trace-format.sh" "$LOGS/run.log"
check "sample: nvme-bounce printed its summary" "$TOP/mk/check-sample.sh" "$LOGS/run.log" printed
check "sample: every I/O verified, no error (errors=0, verified=ios)" \
	"$TOP/mk/check-sample.sh" "$LOGS/run.log" intact
check "sample: the pool overflowed both ways (waited>0, transient>0)" \
	"$TOP/mk/check-sample.sh" "$LOGS/run.log" overflow
check "sample: no stall (no 15 s without a completion)" \
	"$TOP/mk/check-sample.sh" "$LOGS/run.log" steady
cr=$TOP/mk/check-rnvme.sh
check "rnvme: the Rust driver bound QEMU's NVMe controller (version, CAP.TO, Identify, a disk, >= 2 queues)" \
	"$cr" "$LOGS/run.log" probed
check "rnvme: every region read back what was written, errors=0, every request bounced" \
	"$cr" "$LOGS/run.log" verified
check "rnvme: the 1 MiB pool overflowed: requests waited or got pools added, no transient pool, no failed map" \
	"$cr" "$LOGS/run.log" overflow
check "rnvme: direct I/O at odd buffer offsets and lengths reads back, every sector at its LBA in the image" \
	"$cr" "$LOGS/run.log" odd-io
check "rnvme: every I/O queue completed commands" "$cr" "$LOGS/run.log" queues
check "rnvme: completions came by interrupt" "$cr" "$LOGS/run.log" interrupts
check "rnvme: unbind released the BAR, interrupt and queues: the driver bound again" \
	"$cr" "$LOGS/run.log" rebind
check "rnvme: the C NVMe driver stayed off the controller (sysfs)" "$cr" "$LOGS/run.log" exclusive
check "rnvme: fsync on the disk reached the controller as flushes (write cache)" \
	"$cr" "$LOGS/run.log" flushes

if [ "${RUST_PCI_RUN:-1}" != 0 ]; then
	rc=0
	QEMU_QUIET=1 "$TOP/mk/rust-pci.sh" || rc=$?
	check "rnvme-bad-input boots: every boot ran and powered off" test "$rc" -eq 0
	for c in never-ready empty-ns errors timeout map-fail fixed-pool; do
		l=$LOGS/rnvme-$c.log
		check "rnvme-$c: powers off on its own" grep -q 'reboot: Power down' "$l"
		check "rnvme-$c: no kernel BUG, oops or warning" \
			bash -c "[ -s '$l' ] && ! grep -qE 'BUG:|Oops|KASAN:|Kernel panic|WARNING: CPU' '$l'"
	done
	check "rnvme-never-ready: probe fails after CAP.TO, saying so; no disk" \
		"$cr" "$LOGS/rnvme-never-ready.log" never-ready
	check "rnvme-empty-ns: a namespace of 0 blocks fails probe, saying so; no disk" \
		"$cr" "$LOGS/rnvme-empty-ns.log" empty-ns
	check "rnvme-errors: a command failing with an error status fails its request with EIO; the disk stays usable" \
		"$cr" "$LOGS/rnvme-errors.log" bad-status
	check "rnvme-errors: a completion for an unknown command id is ignored with a warning" \
		"$cr" "$LOGS/rnvme-errors.log" stray
	check "rnvme-timeout: a command that times out stops the controller and fails the requests in flight; unbind is clean" \
		"$cr" "$LOGS/rnvme-timeout.log" timeout
	check "rnvme-map-fail: maps that fail after their wait requeue their requests; every region verified" \
		"$cr" "$LOGS/rnvme-map-fail.log" map-fail
	check "rnvme-fixed-pool: where no pool can be added, requests wait for room; none fails, every region verified" \
		"$cr" "$LOGS/rnvme-fixed-pool.log" fixed-pool
fi

if [ "${STORAGE_RUN:-1}" != 0 ]; then
	rc=0
	QEMU_QUIET=1 "$TOP/mk/storage.sh" || rc=$?
	slog=$LOGS/storage.log
	cs=$TOP/mk/check-storage.sh
	check "storage-boot: powers off on its own" test "$rc" -eq 0
	check "storage-boot: no kernel BUG, oops or warning" \
		bash -c "! grep -qE 'BUG:|Oops|KASAN:|Kernel panic|WARNING: CPU' '$slog'"
	check "storage: the workload ran on an NVMe and a virtio-blk disk" "$cs" "$slog" disks
	check "storage: every dd job read back what it wrote (verified=jobs)" "$cs" "$slog" verified
	check "storage: nvme-pci and virtio-blk overflowed the pool and got pools added or waited" \
		"$cs" "$slog" overflowed
	check "storage: no transient pool for a mapping that waited" "$cs" "$slog" no-transient
	check "storage: no failed or timed-out mapping, no 'buffer is full'" \
		"$cs" "$slog" no-failure
	check "storage: idle pools given back (bounce memory <= 1.05x the default pool)" \
		"$cs" "$slog" shrunk

	# Again where no pool can be added (storage_fixed_pool): waiting for
	# unmaps is then the only way to room, and must still move every job.
	rc=0
	STORAGE_LOG=$LOGS/storage-fixed.log STORAGE_ARGS=storage_fixed_pool QEMU_QUIET=1 \
		"$TOP/mk/storage.sh" || rc=$?
	slog=$LOGS/storage-fixed.log
	check "storage-fixed-boot: powers off on its own" test "$rc" -eq 0
	check "storage-fixed-boot: no kernel BUG, oops or warning" \
		bash -c "! grep -qE 'BUG:|Oops|KASAN:|Kernel panic|WARNING: CPU' '$slog'"
	check "storage-fixed: every dd job on both disks read back what it wrote" \
		bash -c "'$cs' '$slog' disks && '$cs' '$slog' verified"
	# No transient pool can be had here either (the injection fails its
	# memory too): no-transient is not checked, it could not fail.
	check "storage-fixed: nvme-pci and virtio-blk waited for bounce buffers (waits>0), no pool added" \
		bash -c "'$cs' '$slog' waited && grep -q '^storage: fixed pool: ' '$slog' && '$cs' '$slog' none-added"
	check "storage-fixed: no failed or timed-out mapping, no 'buffer is full'" \
		"$cs" "$slog" no-failure

	# Without forced bouncing (4.5 GiB, so that the swiotlb has a pool, and
	# every device reaches all memory): virtio-blk is not premapped, its
	# probe takes the paths left as upstream has them, and slub_debug=P
	# fills new kmalloc memory with poison, so a field it reads without
	# setting shows (patches/0022's header pool once did). A small workload.
	rc=0
	STORAGE_LOG=$LOGS/storage-plain.log STORAGE_SWIOTLB=512 QEMU_MEM=4608 QEMU_QUIET=1 \
		STORAGE_ARGS="slub_debug=P STORAGE_JOBS=2 STORAGE_MIB=4" "$TOP/mk/storage.sh" || rc=$?
	slog=$LOGS/storage-plain.log
	check "storage-plain-boot: powers off on its own" test "$rc" -eq 0
	check "storage-plain-boot: no kernel BUG, oops or warning" \
		bash -c "! grep -qE 'BUG:|Oops|KASAN:|Kernel panic|WARNING: CPU|general protection' '$slog'"
	check "storage-plain: every dd job on both disks read back what it wrote, no mapping bounced" \
		bash -c "'$cs' '$slog' disks && '$cs' '$slog' verified && ! grep -q '^storage: devices: ' '$slog'"
fi

kunit_logs=("$LOGS/kunit.log")
if [ "${DEBUG_RUN:-1}" != 0 ]; then
	"$TOP/mk/test-debug.sh" "$checks"
	kunit_logs+=("$LOGS/debug.log")
fi

exec python3 "$TOP/mk/summary.py" "$KSRC/tools/testing/kunit" "$checks" "${kunit_logs[@]}"
