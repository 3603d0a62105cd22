#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Rust NVMe-like sample ran at boot (it is built in): show its
# parameters and what it printed.

params=/sys/module/nvme_bounce/parameters
if [ ! -d "$params" ]; then
	echo "nvme-bounce: sample not built in (CONFIG_SAMPLE_RUST_NVME_BOUNCE)"
	exit 1
fi
for p in "$params"/*; do
	printf 'nvme_bounce.%-12s %s\n' "${p##*/}" "$(cat "$p")"
done
dmesg | sed -n 's/^\[[^]]*\] //; /nvme-bounce/p'
dmesg | grep -q 'nvme-bounce: ios='
