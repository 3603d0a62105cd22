#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# qemu.sh LOG SECONDS APPEND [QEMU ARGS...]: boot our bzImage under TCG with
# the serial console on stdout and in LOG; give up after SECONDS.
# Exit status: QEMU's, or 124 when the time ran out.
# QEMU_MACHINE (default pc), QEMU_CPU (max), QEMU_SMP (2) and QEMU_MEM (1024 MiB)
# shape the machine; QEMU_PREALLOC=1 backs all guest memory on the host
# before the guest starts (-mem-prealloc), so that the first write to a
# page the guest never touched does not pay the host's page fault.
. "$(dirname "$0")/lib.sh"

log=$1 secs=$2 append=$3
shift 3
kernel=$KOBJ/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make kernel' first"

bios=()
[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios qboot.rom)
prealloc=()
[ -z "${QEMU_PREALLOC:-}" ] || prealloc=(-mem-prealloc)
set +e
timeout --kill-after=10 "$secs" qemu-system-x86_64 -nodefaults -nographic \
	-machine "${QEMU_MACHINE:-pc}" -accel tcg -cpu "${QEMU_CPU:-max}" -smp "${QEMU_SMP:-2}" -m "${QEMU_MEM:-1024}" \
	"${bios[@]}" "${prealloc[@]}" -no-reboot -serial stdio -kernel "$kernel" \
	-append "console=ttyS0 panic=-1 $append" "$@" </dev/null 2>&1 |
	tr -d '\r' | tee "$log" | { if [ -n "${QEMU_QUIET:-}" ]; then cat >/dev/null; else cat; fi; }
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 124 ] && echo "qemu: no power-off within ${secs}s, stopped" | tee -a "$log" >&2
exit "$rc"
