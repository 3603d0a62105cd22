#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The C-vs-Rust NVMe report of `make bench` (mk/bench-rnvme.sh).

usage: report_rnvme.py --out PREFIX --qemu VERSION DRIVER:LOG...

DRIVER is "c" (upstream's nvme driver) or "rust" (samples/rust/rust_nvme_pci.rs).
From each log's "bench: storage disk=... bytes=N secs=S ..." line: the data
moved, written and read back (2 N bytes), over the wall time S, in MB/s.
Writes PREFIX.md and prints it.
"""
import argparse
import re
import statistics
import subprocess
import os

LINE = re.compile(r'^bench: storage (.*)$', re.M)
PAIR = re.compile(r'(\w+)=(\S+)')
NAMES = {'c': "upstream's C `nvme` driver", 'rust': 'the Rust driver (`rust_nvme_pci`)'}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--qemu', default='?')
    ap.add_argument('--prealloc', action='store_true',
                    help='the guests ran with -mem-prealloc')
    ap.add_argument('logs', nargs='+')
    a = ap.parse_args()
    mbps = {'c': [], 'rust': []}
    waits = {'c': [], 'rust': []}
    tries = {'c': [], 'rust': []}
    waited_ms = {'c': [], 'rust': []}
    mib = 0
    for spec in a.logs:
        drv, path = spec.split(':', 1)
        with open(path, errors='replace') as f:
            m = LINE.search(f.read())
        if not m:
            raise SystemExit(f'report_rnvme: no storage line in {path}')
        kv = dict(PAIR.findall(m.group(1)))
        if kv.get('verified') != kv.get('jobs'):
            raise SystemExit(f'report_rnvme: not every job verified in {path}')
        if not kv.get('dev') or 'waits' not in kv:
            raise SystemExit(f'report_rnvme: no swiotlb counters of the disk\'s device in {path}')
        mbps[drv].append(2 * float(kv['bytes']) / float(kv['secs']) / 1e6)
        waits[drv].append(float(kv['waits']))
        tries[drv].append(float(kv['wait_attempts']))
        waited_ms[drv].append(float(kv['wait_us']) / 1000)
        mib = float(kv['bytes']) / 2**20

    def cell(vals, fmt='{:.1f}'):
        if not vals:
            return 'n/a'
        med = fmt.format(statistics.median(vals))
        return f'{med} ({fmt.format(min(vals))}–{fmt.format(max(vals))})' if len(vals) > 1 else med

    c, r = mbps['c'], mbps['rust']
    ratio = statistics.median(r) / statistics.median(c) if c and r else None
    if ratio is None:
        verdict = 'n/a'
    elif min(r) > max(c):
        verdict = 'Rust faster (the ranges do not overlap)'
    elif max(r) < min(c):
        verdict = 'Rust slower (the ranges do not overlap)'
    else:
        verdict = 'the ranges overlap: no difference shown'
    target = 'n/a' if ratio is None else ('met' if ratio >= 0.8 else 'missed')
    rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    md = [f'# NVMe: the Rust driver against the C driver, {os.path.basename(a.out)}', '',
          f'Produced by `make bench` (`mk/bench-rnvme.sh`, commit {rev or "?"}), {len(c)} rounds, '
          f'the two drivers alternately on the same QEMU ({a.qemu}, TCG, `-smp 2 -m 1024'
          f'{" -mem-prealloc" if a.prealloc else ""}`): QEMU\'s '
          '`-device nvme` over a 512 MiB raw image, the same kernel (`make test`\'s: our swiotlb, '
          'both drivers built in, the other kept off with `initcall_blacklist=`), '
          '`swiotlb=512,force` (a 1 MiB pool: every request bounces, and waits when the pool is '
          'full). Workload: 8 `dd` jobs in parallel each write 32 MiB in 1 MiB `O_DIRECT` writes, '
          'read it back the same way and compare MD5 sums (`mk/initramfs/lib/storage-jobs.sh`); '
          f'throughput = {mib:.0f} MiB written + {mib:.0f} MiB read over the wall time of the jobs '
          '(MD5 sums included). Median of the rounds, spread (min–max) in brackets. The swiotlb '
          'counters are the disk\'s device\'s (waits) and the whole swiotlb\'s (tries for room '
          'while first in line, time waited summed over the waits).', '',
          '| driver | MB/s | waits for bounce buffers | tries for room | time waited, ms |',
          '|---|---|---|---|---|',
          f"| {NAMES['c']} | {cell(c)} | {cell(waits['c'], '{:.0f}')} | "
          f"{cell(tries['c'], '{:.0f}')} | {cell(waited_ms['c'], '{:.0f}')} |",
          f"| {NAMES['rust']} | {cell(r)} | {cell(waits['rust'], '{:.0f}')} | "
          f"{cell(tries['rust'], '{:.0f}')} | {cell(waited_ms['rust'], '{:.0f}')} |", '',
          f"**Rust / C: {'n/a' if ratio is None else f'{ratio:.2f}'}** ({verdict}); "
          f'target at least 0.80: {target}.', '']
    with open(a.out + '.md', 'w') as f:
        f.write('\n'.join(md))
    print('\n'.join(md))


if __name__ == '__main__':
    main()
