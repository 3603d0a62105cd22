#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# qemu-arm64.sh LOG SECONDS APPEND [QEMU ARGS...]: mk/qemu.sh for arm64: boot
# build/obj-arm64's Image (or $KOBJ's) on QEMU's `-M virt` under TCG, with
# the PL011 console on stdout and in LOG; give up after SECONDS. The device
# tree is mk/arm64-dtb.sh's build/arm64.dtb (made when missing), or QEMU_DTB
# as it is. Exit status: QEMU's, or 124 when the time ran out.
# QEMU_CPU (default max), QEMU_SMP (2) and QEMU_MEM (1024 MiB) shape the machine.
. "$(dirname "$0")/lib.sh"

# lib.sh's default objects are x86's.
[ "$KOBJ" != "$BUILD/obj" ] || KOBJ=$BUILD/obj-arm64
log=$1 secs=$2 append=$3
shift 3
kernel=$KOBJ/arch/arm64/boot/Image
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make test ARCH=arm64' first"
dtb=${QEMU_DTB:-}
if [ -z "$dtb" ]; then
	dtb=$BUILD/arm64.dtb
	"$TOP/mk/arm64-dtb.sh" "$dtb"
fi
[ -f "$dtb" ] || die "no device tree at $dtb"

set +e
timeout --kill-after=10 "$secs" qemu-system-aarch64 -nodefaults -nographic \
	-machine virt -accel tcg -cpu "${QEMU_CPU:-max}" -smp "${QEMU_SMP:-2}" -m "${QEMU_MEM:-1024}" \
	-no-reboot -serial stdio -kernel "$kernel" -dtb "$dtb" \
	-append "console=ttyAMA0 panic=-1 $append" "$@" </dev/null 2>&1 |
	tr -d '\r' | tee "$log" | { if [ -n "${QEMU_QUIET:-}" ]; then cat >/dev/null; else cat; fi; }
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 124 ] && echo "qemu: no power-off within ${secs}s, stopped" | tee -a "$log" >&2
exit "$rc"
