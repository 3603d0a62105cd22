#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-rnvme.sh LOG WHAT: check a boot of the Rust NVMe driver sample
# (run.d/70-rnvme.sh; mk/run.sh, mk/rust-pci.sh, the debug boot). WHAT:
#   probed      it bound QEMU's controller (1b36:0010): version 1.x, a
#               non-zero CAP.TO, the model and the serial the boot gave, a
#               disk with blocks, at least 2 I/O queues
#   verified    every region read back what was written (verified=N/N,
#               N > 0), errors=0, timeouts=0, every request bounced
#   overflow    the 1 MiB pool ran out: requests waited or got pools added
#               for them (waited + grown > 0), no transient pool for them
#               (they may sleep), no failed map
#   fixed-pool  where no pool can be added: requests waited (waited>0),
#               none failed, every region verified; and the fault injection
#               held (the fixed-pool line, grown=0). No transient pool can
#               be had there either (the same injection fails its memory),
#               so transient=0 is not checked: it could not fail
#   odd-io      rnvme-io's direct I/O at odd buffer offsets and lengths read
#               back what it wrote, and the host found every sector it wrote
#               at its own LBA in the image (mk/check-rnvme-image.py)
#   queues      every I/O queue completed commands (per_queue=a/b/...)
#   interrupts  completions came by interrupt (the unbind line counts them)
#   rebind      unbind released everything: the driver bound again
#   exclusive   sysfs shows the controller bound to rust_nvme_pci and no
#               function bound to the C nvme driver
#   flushes     the disk (write cache) got flush requests (dd conv=fsync)
#   never-ready probe failed, saying the controller did not become ready
#               within CAP.TO; no disk
#   empty-ns    probe failed, saying namespace 1 has no blocks; no disk
#   bad-status  the command given a wrong namespace failed: one region's
#               write failed with an I/O error, errors=1, the other regions
#               verified, the disk usable after (rebind)
#   stray       the completion of an unknown command id was ignored with a
#               warning (stray=1)
#   timeout     the lost command timed out: the controller was stopped and
#               the requests in flight failed (timeouts=1, aborted>0), then
#               unbind was clean and the driver bound again
#   map-fail    mappings failed after their wait (map_failures>0) and the
#               requests were requeued: every region verified, errors=0
set -euo pipefail

log=$1
sum=$(grep -m 1 '^rnvme: ios=' "$log" || true)
probe=$(grep -m 1 'rust_nvme_pci: 1b36:0010 ' "$log" || true)
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$sum"; }
need_sum() { [ -n "$sum" ] || { echo "no rnvme summary in $log"; exit 1; }; echo "$sum"; }
no_disk() { ! grep -q 'rust_nvme_pci: 1b36:0010 .* disk=' "$log"; }

case $2 in
probed)
	echo "$probe"
	grep -qE ' vs=1\.[0-9]+\.[0-9]+ mqes=[1-9][0-9]* to_ms=[1-9][0-9]* ' <<<"$probe" &&
		grep -qE 'model="QEMU NVMe Ctrl" serial="rnvme-[a-z]+-0001"' <<<"$probe" &&
		grep -qE ' disk=rnvme[0-9]+n1 blocks=[1-9][0-9]* lba=[0-9]+ queues=([2-9]|[1-9][0-9]+) ' <<<"$probe" ;;
verified)
	need_sum
	v=$(sed -n 's/.* verified=\([0-9]*\/[0-9]*\).*/\1/p' <<<"$sum")
	[ "${v%/*}" = "${v#*/}" ] && [ "${v%/*}" -gt 0 ] && [ "$(field errors)" = 0 ] &&
		[ "$(field timeouts)" = 0 ] && [ "$(field bounced)" -gt 0 ] &&
		[ "$(field bounced)" -ge $(($(field ios) - 4)) ] ;;
overflow)
	need_sum
	[ -n "$(field grown)" ] && [ "$(($(field waited) + $(field grown)))" -gt 0 ] &&
		[ "$(field transient)" = 0 ] &&
		[ "$(field map_failures)" = 0 ] ;;
fixed-pool)
	need_sum
	v=$(sed -n 's/.* verified=\([0-9]*\/[0-9]*\).*/\1/p' <<<"$sum")
	[ -n "$v" ] && [ "${v%/*}" = "${v#*/}" ] && [ "$(field errors)" = 0 ] &&
		[ "$(field waited)" -gt 0 ] && [ "$(field grown)" = 0 ] &&
		[ "$(field map_failures)" = 0 ] &&
		grep -q '^rnvme: fixed pool: ' "$log" ;;
odd-io)
	grep -qE '^rnvme-io: cases=([1-9][0-9]*) ok=\1 sectors=[1-9]' "$log" &&
		grep -qE '^rnvme-image: sectors=[1-9][0-9]* ok$' "$log" ;;
queues)
	q=$(sed -n 's/.*rust_nvme_pci: rnvme[0-9]*n1 unbound: .* per_queue=\([0-9/]*\) .*/\1/p' "$log" | head -n 1)
	echo "per_queue=$q"
	[ -n "$q" ] && [[ $q == */* ]] && ! grep -qE '(^|/)0(/|$)' <<<"$q" ;;
interrupts) grep -qE 'rust_nvme_pci: rnvme[0-9]+n1 unbound: .* interrupts=[1-9][0-9]*$' "$log" ;;
rebind) grep -q '^rnvme: rebind ok ' "$log" ;;
exclusive) grep -qE '^rnvme: [0-9a-f:.]+ driver=rust_nvme_pci c_driver_functions=0$' "$log" ;;
flushes)
	need_sum
	[ "$(field flushes)" -gt 0 ] ;;
never-ready)
	grep -q 'rust_nvme_pci: controller did not become ready within CAP.TO ([1-9][0-9]* ms)' "$log" &&
		grep -q 'rust_nvme_pci.*probe with driver rust_nvme_pci failed with error -110' "$log" &&
		grep -q '^rnvme: [0-9a-f:.]* not bound to rust_nvme_pci' "$log" && no_disk ;;
empty-ns)
	grep -q 'rust_nvme_pci: namespace 1 has no blocks: no disk' "$log" &&
		grep -q '^rnvme: [0-9a-f:.]* not bound to rust_nvme_pci' "$log" && no_disk ;;
bad-status)
	need_sum
	[ "$(grep -c '^rnvme: region [0-9]*: write failed: .*Input/output error' "$log")" = 1 ] &&
		grep -q 'rust_nvme_pci: queue [0-9]*: command [0-9]* failed with status 0x' "$log" &&
		[ "$(field errors)" = 1 ] &&
		v=$(sed -n 's/.* verified=\([0-9]*\)\/\([0-9]*\).*/\1 \2/p' <<<"$sum") &&
		[ "${v% *}" = $((${v#* } - 1)) ] && grep -q '^rnvme: rebind ok ' "$log" ;;
stray)
	need_sum
	grep -q 'rust_nvme_pci: queue 1: completion for unknown command id [0-9]* (status 0x0): ignored' "$log" &&
		[ "$(field stray)" = 1 ] ;;
timeout)
	need_sum
	grep -q 'rust_nvme_pci: queue [0-9]*: command [0-9]* timed out after [0-9]* ms: stopping the controller' "$log" &&
		grep -qE 'rust_nvme_pci: controller stopped: [1-9][0-9]* requests failed with EIO' "$log" &&
		[ "$(field timeouts)" = 1 ] && grep -qE 'unbound: .* aborted=[1-9]' "$log" &&
		grep -q '^rnvme: rebind ok ' "$log" ;;
map-fail)
	need_sum
	v=$(sed -n 's/.* verified=\([0-9]*\/[0-9]*\).*/\1/p' <<<"$sum")
	[ "${v%/*}" = "${v#*/}" ] && [ "$(field errors)" = 0 ] && [ "$(field map_failures)" -gt 0 ] ;;
*) echo "unknown check $2"; exit 2 ;;
esac
