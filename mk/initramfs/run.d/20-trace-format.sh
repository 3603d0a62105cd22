#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The format of the swiotlb_bounced tracepoint, which tools parse: make test
# checks that upstream's fields and the start of its format are kept.

fmt=/sys/kernel/debug/tracing/events/swiotlb/swiotlb_bounced/format
[ -f "$fmt" ] || fmt=/sys/kernel/tracing/events/swiotlb/swiotlb_bounced/format
if [ ! -f "$fmt" ]; then
	echo "trace-format: no $fmt"
	exit 1
fi
sed 's/^/trace-format: /' "$fmt"
