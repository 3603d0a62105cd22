#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-storage.sh LOG WHAT: check the lines of the storage workload
# (mk/initramfs/run.d/60-storage.sh) in a boot log. WHAT is one of
#   disks      both disks ran: one line for an NVMe and one for a virtio disk
#   verified   every job of every disk read back what it wrote
#   waited     every disk's mappings waited for bounce buffers (waits>0):
#              the boot with a fixed pool (storage_fixed_pool), where waiting
#              is the only way to room
#   overflowed every disk's mappings found the pools full and were served
#              by pools added for them or by waiting (dynamic_added + waits
#              > 0): the default boot, where pools may be added at once
#   none-added no dynamic pool was added during any disk's workload
#   no-transient  no transient pool was made for a mapping while it waited
#              (maywait_transient=0; -1, no trace events, fails): a mapping
#              that may sleep takes one only before it would wait, while
#              another caller adds a pool, or once growth failed
#   no-failure no mapping failed and none timed out (failed=0, timeouts=0,
#              map_failures=0), and the kernel never said the pool was full
#   shrunk     after each disk, once the pools were idle, the bounce memory
#              was at most 1.05 times the default pool
set -euo pipefail

log=$1
lines=$(grep -o 'storage: disk=.*' "$log" || true)
[ -n "$lines" ] || { echo "no 'storage: disk=' line in $log"; exit 1; }
echo "$lines"

# fail_if COND [TEXT]: fail when the awk condition COND, on the fields of a
# line (f["name"] is the value of name=), holds for any line of TEXT (the
# disk lines by default).
fail_if() {
	awk '{ delete f; for (i = 1; i <= NF; i++) { n = index($i, "=")
		if (n) f[substr($i, 1, n - 1)] = substr($i, n + 1) } }
		'"$1"' { bad = 1 } END { exit bad }' <<<"${2:-$lines}"
}

case $2 in
disks)
	grep -q 'disk=nvme' <<<"$lines" && grep -q 'disk=vd' <<<"$lines" ;;
verified)
	fail_if 'f["jobs"] == "" || f["jobs"] == 0 || f["verified"] != f["jobs"]' ;;
waited)
	fail_if 'f["waits"] == "" || f["waits"] <= 0' ;;
none-added)
	fail_if 'f["dynamic_added"] == "" || f["dynamic_added"] != 0' ;;
overflowed)
	fail_if 'f["waits"] == "" || f["dynamic_added"] == "" || f["waits"] + f["dynamic_added"] <= 0' ;;
no-transient)
	fail_if 'f["maywait_transient"] == "" || f["maywait_transient"] != 0' ;;
no-failure)
	fail_if 'f["failed"] != 0 || f["timeouts"] != 0 || f["map_failures"] != 0' &&
		! grep -E 'swiotlb buffer is full|no bounce buffer' "$log" ;;
shrunk)
	pools=$(grep -o 'storage: pool .*' "$log" || true)
	echo "$pools"
	[ -n "$pools" ] && [ "$(wc -l <<<"$pools")" -eq "$(wc -l <<<"$lines")" ] &&
		fail_if 'f["default"] == "" || f["slots"] + f["transient_slots"] > 1.05 * f["default"]' "$pools" ;;
*) echo "unknown check $2"; exit 2 ;;
esac
