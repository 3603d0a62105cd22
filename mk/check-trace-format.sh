#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-trace-format.sh LOG: the swiotlb_bounced tracepoint keeps the fields
# and format that tools have parsed since upstream defined it (dev_name,
# dma_mask, dev_addr, size, force; "dev_name: %s dma_mask=%llx ..."), with
# ours after them. Reads what mk/initramfs/run.d/20-trace-format.sh printed.
set -euo pipefail

log=$1
lines=$(sed -n 's/^trace-format: //p' "$log")
[ -n "$lines" ] || { echo "no trace-format lines in $log"; exit 1; }
fields=$(sed -n 's/^[[:space:]]*field:\([^;]*\);.*/\1/p' <<<"$lines" | grep -v ' common_')
want='__data_loc char[] dev_name
u64 dma_mask
dma_addr_t dev_addr
size_t size
bool force'
got=$(head -n 5 <<<"$fields")
if [ "$got" != "$want" ]; then
	printf 'fields, first five:\n%s\nwanted:\n%s\n' "$got" "$want"
	exit 1
fi
grep -qF 'print fmt: "dev_name: %s dma_mask=%llx dev_addr=%llx size=%zu %s' <<<"$lines" || {
	grep 'print fmt' <<<"$lines"
	exit 1
}
