#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-reports.py LOG: fail on any report of the kernel's checkers in a
boot log -- KASAN, lockdep, RCU (incl. stalls), DMA-API debugging,
kmemleak, BUG, oops, WARN, hung tasks -- except between the markers a test prints around a wrong call it
makes on purpose:

  swiotlb test: deliberate wrong call {
  ...
  swiotlb test: deliberate wrong call }

Prints each report it counts.
"""
import re
import sys

REPORT = re.compile(
    r'BUG: |Oops|KASAN: |Kernel panic|WARNING: |WARNING: possible |'
    r'possible circular locking|inconsistent lock state|suspicious RCU usage|'
    r'DMA-API: (?!preallocated|debugging enabled)|kmemleak: [1-9][0-9]* suspected|UBSAN: |'
    r'general protection fault|blocked for more than [0-9]+ seconds|'
    r'rcu: INFO: .*stall')
BEGIN = 'swiotlb test: deliberate wrong call {'
END = 'swiotlb test: deliberate wrong call }'


def main():
    inside = 0
    found = 0
    with open(sys.argv[1], errors='replace') as f:
        for line in f:
            if BEGIN in line:
                inside += 1
            elif END in line:
                inside = max(inside - 1, 0)
            elif REPORT.search(line):
                if inside:
                    continue
                found += 1
                print(line.rstrip())
    if found:
        print(f'{found} checker reports outside deliberate wrong calls')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
