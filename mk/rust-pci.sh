#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bad-input boots of the Rust NVMe driver sample (make test; `make
# rust-pci` runs them alone): QEMU's NVMe controller over a small raw image
# in build/, bound by samples/rust/rust_nvme_pci.rs (the C driver is left
# out with initcall_blacklist=nvme_init), each boot with one fault the
# driver injects on itself (rnvme.inject_*, samples/rust/nvme_pci_params.c)
# or the swiotlb's own fault injection, and a small workload
# (run.d/70-rnvme.sh: RNVME_JOBS regions of RNVME_MIB MiB). One log per boot,
# build/logs/rnvme-<case>.log; mk/check-rnvme.sh checks them (mk/test.sh).
#
#   never-ready  the controller is never enabled: probe waits CAP.TO, fails
#   empty-ns     namespace 1 taken as 0 blocks: probe fails, no disk
#   errors       the 3rd I/O command names a wrong namespace (its request
#                fails with EIO), and a flush under an unknown command id
#   timeout      the 5th I/O command never reaches the controller: it times
#                out after 3 s, the controller is stopped, requests fail
#   map-fail     pool memory cannot be added and a map waits 1 ms at most:
#                maps fail, their requests are requeued until they fit
#   fixed-pool   pool memory cannot be added: requests wait for room (the
#                default wait time) and none fails
#
# RNVME_CASES picks some (default: all); RNVME_LOG_PREFIX names the logs
# (default rnvme: build/logs/rnvme-<case>.log; the debug run boots the timeout
# case on its kernel as debug-rnvme-timeout).
. "$(dirname "$0")/lib.sh"

"$TOP/mk/initramfs.sh"
img=$BUILD/rnvme-bad-input.img
work="RNVME_JOBS=4 RNVME_MIB=4"
declare -A args=(
	[never-ready]="rnvme.inject_never_ready=1"
	[empty-ns]="rnvme.inject_empty_ns=1"
	[errors]="rnvme.inject_bad_nsid=3 rnvme.inject_stray_cid=1 $work"
	[timeout]="rnvme.inject_lost=5 rnvme.timeout_ms=3000 $work"
	[map-fail]="swiotlb_wait_timeout_ms=1 RNVME_FIXED_POOL=1 RNVME_JOBS=8 RNVME_MIB=4"
	[fixed-pool]="RNVME_FIXED_POOL=1 RNVME_JOBS=8 RNVME_MIB=4"
)
rc=0
for c in ${RNVME_CASES:-never-ready empty-ns errors timeout map-fail fixed-pool}; do
	[ -n "${args[$c]:-}" ] || die "unknown case $c (RNVME_CASES)"
	log=$LOGS/${RNVME_LOG_PREFIX:-rnvme}-$c.log
	rm -f "$img" "$log"
	truncate -s 64M "$img"
	step "rust-pci: $c (log: ${log#"$TOP"/})"
	crc=0
	"$TOP/mk/qemu.sh" "$log" "${RUST_PCI_TIMEOUT:-300}" \
		"hung_task_panic=1 swiotlb=512,force kunit.enable=0 nvme_bounce.count=0 initcall_blacklist=nvme_init ${args[$c]} ${RUST_PCI_ARGS:-}" \
		-initrd "$BUILD/initramfs.cpio" \
		-drive "if=none,id=nvme0,file=$img,format=raw,cache=unsafe" \
		-device nvme,serial=rnvme-bad-0001,drive=nvme0 || crc=$?
	[ "$crc" = 0 ] || { echo "rust-pci: $c: QEMU exited with $crc"; rc=1; }
done
rm -f "$img"
exit "$rc"
