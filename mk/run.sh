#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: boot the kernel with our initramfs, which prints the swiotlb
# state, runs the workloads in /run.d and powers off. KUnit stays off.
# A task blocked for 30 s (the kernel's hung-task check) panics the boot, with its stack.
. "$(dirname "$0")/lib.sh"

"$TOP/mk/initramfs.sh"
step "run: booting in QEMU (TCG, ${RUN_TIMEOUT:-300}s at most; log: ${LOGS#"$TOP"/}/run.log)"
exec "$TOP/mk/qemu.sh" "$LOGS/run.log" "${RUN_TIMEOUT:-300}" \
	"quiet hung_task_panic=1 swiotlb=${SWIOTLB_ARG:-2048,force} kunit.enable=0 ${RUN_ARGS:-}" \
	-initrd "$BUILD/initramfs.cpio"
