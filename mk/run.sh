#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: boot the kernel with our initramfs, which prints the swiotlb
# state, runs the workloads in /run.d and powers off. KUnit stays off.
# A task blocked for 30 s (the kernel's hung-task check) panics the boot, with its stack.
#
# The guest has QEMU's NVMe controller over a sparse raw image in build/,
# bound by the Rust NVMe driver sample (samples/rust/rust_nvme_pci.rs); the
# C NVMe driver, built in for the storage boots, is kept off it with
# initcall_blacklist=nvme_init. With a 1 MiB pool (swiotlb=512,force) every
# request bounces and the pools overflow: run.d/70-rnvme.sh writes and reads
# back regions of the disk and prints "rnvme: ... verified=8/8 ...".
. "$(dirname "$0")/lib.sh"

"$TOP/mk/initramfs.sh"
img=$BUILD/rnvme-run.img
rm -f "$img"
truncate -s "${RNVME_DISK_MIB:-512}M" "$img"
step "run: booting in QEMU (TCG, ${RUN_TIMEOUT:-400}s at most; log: ${LOGS#"$TOP"/}/run.log)"
rc=0
"$TOP/mk/qemu.sh" "$LOGS/run.log" "${RUN_TIMEOUT:-400}" \
	"quiet hung_task_panic=1 swiotlb=${RUN_SWIOTLB_ARG:-512,force} kunit.enable=0 initcall_blacklist=nvme_init ${RUN_ARGS:-}" \
	-initrd "$BUILD/initramfs.cpio" \
	-drive "if=none,id=nvme0,file=$img,format=raw,cache=unsafe" \
	-device nvme,serial=rnvme-run-0001,drive=nvme0 || rc=$?
# What rnvme-io wrote, checked in the image: "rnvme-image: ..." in the log.
"$TOP/mk/check-rnvme-image.py" "$img" "$LOGS/run.log" || rc=1
rm -f "$img"
exit "$rc"
