#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-sample.sh LOG WHAT: check the summary line of the Rust NVMe-like
# sample in a boot log. WHAT is one of
#   printed   the line is there
#   intact    errors=0, ios>0 and verified=ios
#   overflow  the pool overflowed both ways: waited>0 and transient>0
#   steady    no stall report: the device never went STALL_MS without
#             completing anything the driver waited for
set -euo pipefail

log=$1
line=$(grep -o 'nvme-bounce: ios=.*' "$log" | tail -n 1 || true)
[ -n "$line" ] || { echo "no nvme-bounce summary in $log"; exit 1; }
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p; s/^nvme-bounce: $1=\([0-9]*\).*/\1/p" <<<"$line" | head -n 1; }
ios=$(field ios) verified=$(field verified) errors=$(field errors)
waited=$(field waited) transient=$(field transient)
echo "$line"
case $2 in
printed) ;;
intact) [ "$errors" = 0 ] && [ "$ios" -gt 0 ] && [ "$verified" = "$ios" ] ;;
overflow) [ "$waited" -gt 0 ] && [ "$transient" -gt 0 ] ;;
steady) ! grep -m 3 "nvme-bounce: stalled\|nvme-bounce: queue [0-9]*: \(driver\|controller\) " "$log" ;;
*) echo "unknown check $2"; exit 2 ;;
esac
