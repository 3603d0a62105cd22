#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the logs of `make bench` into a Markdown report and a PNG plot.

usage: report.py --out PREFIX --qemu VERSION --args ARGS --rounds N KIND:LOG...

KIND is "base" (upstream's swiotlb) or "ours". Every "bench: <workload>
key=value ..." line of every log is collected; each figure is the median
over the rounds, with the spread (min-max) beside it. Ratios are ours over
upstream: below 1 is better for times, above 1 for throughputs. Each ratio
comes with its spread (the lowest and highest ratio the two ranges allow),
and is marked a win or a loss only when the two ranges do not overlap.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict

LINE = re.compile(r'bench: (\w+) (.*)')
PAIR = re.compile(r'(\w+)=("[^"]*"|\S+)')
NAMES = {'base': 'upstream', 'ours': 'ours'}
# Pools that lookup_oldest and lookup_transient build before they measure
# (kernel/dma/swiotlb_bench.c).
LOOKUP_WORST_POOLS = 64


def parse(path):
    """[(workload, {key: value})] of one log."""
    rows = []
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.search(line)
            if not m:
                continue
            rows.append((m.group(1), {k: v.strip('"') for k, v in PAIR.findall(m.group(2))}))
    return rows


class Series:
    """Values of one figure, per kernel, over the rounds."""

    def __init__(self):
        self.v = defaultdict(list)

    def add(self, kind, value):
        try:
            self.v[kind].append(float(value))
        except (TypeError, ValueError):
            pass

    def med(self, kind):
        return statistics.median(self.v[kind]) if self.v[kind] else None

    def cell(self, kind, fmt='{:.1f}'):
        vals = self.v[kind]
        if not vals:
            return 'n/a'
        med = fmt.format(statistics.median(vals))
        if len(vals) > 1 and min(vals) != max(vals):
            return f'{med} ({fmt.format(min(vals))}–{fmt.format(max(vals))})'
        return med

    def ratio(self):
        b, o = self.med('base'), self.med('ours')
        if b is None or o is None or b == 0:
            return None
        return o / b

    def ratio_spread(self):
        """(lowest, highest) ours / upstream that the two ranges allow, or None."""
        b, o = self.v['base'], self.v['ours']
        if not b or not o or min(b) <= 0:
            return None
        return min(o) / max(b), max(o) / min(b)

    def verdict(self, higher_better=False):
        """'win' or 'loss' when the ranges of the two kernels do not overlap, else ''."""
        b, o = self.v['base'], self.v['ours']
        if not b or not o:
            return ''
        if max(o) < min(b):
            return 'loss' if higher_better else 'win'
        if min(o) > max(b):
            return 'win' if higher_better else 'loss'
        return ''

    def ratio_cell(self, higher_better=False):
        r = self.ratio()
        if r is None:
            return 'n/a'
        cell = f'{r:.2f}'
        sp = self.ratio_spread()
        if sp and (len(self.v['base']) > 1 or len(self.v['ours']) > 1):
            cell += f' ({sp[0]:.2f}–{sp[1]:.2f})'
        v = self.verdict(higher_better)
        return f'{cell} **{v}**' if v else cell


STORAGE_KEYS = ('secs', 'waits', 'wait_attempts', 'transient', 'timeouts', 'failed', 'wait_us',
                'map_failures', 'dynamic_added')
# Kernel command lines of the storage boots: {cmdline: {kinds}}.
storage_args = defaultdict(set)


def collect(logs):
    data = defaultdict(Series)
    errors = []
    for spec in logs:
        kind, path = spec.split(':', 1)
        for work, kv in parse(path):
            if work == 'error':
                errors.append(f'{NAMES[kind]}: {kv}')
            elif work == 'map':
                key = ('map', kv['threads'], kv['granule'], kv['dir'])
                data[key + ('map_us',)].add(kind, kv.get('map_us'))
                data[key + ('unmap_us',)].add(kind, kv.get('unmap_us'))
            elif work == 'held':
                for k in ('map_ns', 'unmap_ns'):
                    data[('held', k)].add(kind, kv.get(k))
            elif work == 'burst':
                for k in ('failed', 'default', 'dynamic', 'transient', 'map_total_us',
                          'map_max_us', 'completion_ms'):
                    data[('burst', kv['mode'], k)].add(kind, kv.get(k))
            elif work == 'memory':
                for k in ('start_slots', 'peak_slots', 'after10s_slots'):
                    # Slots are 2 KiB: report MiB.
                    data[('memory', kv['mode'], k)].add(kind, float(kv[k]) * 2 / 1024)
            elif work == 'lookup':
                key = ('lookup', kv['want_pools'])
                for k in ('pools', 'default_sync_ns', 'newest_sync_ns', 'unmap_ns'):
                    # Nothing held (one pool): no newest mapping, no unmap to time.
                    if k in ('newest_sync_ns', 'unmap_ns') and kv.get('held') == '0':
                        continue
                    data[key + (k,)].add(kind, kv.get(k))
            elif work in ('lookup_oldest', 'lookup_transient'):
                # A round that stopped short of the pools asked for (lookup_oldest needs
                # some 256 MiB of guest memory) measured another case: not compared.
                if int(kv.get('pools', 0)) < LOOKUP_WORST_POOLS:
                    errors.append(f'{NAMES[kind]}: {work} reached {kv.get("pools", 0)} of '
                                  f'{LOOKUP_WORST_POOLS} pools, not compared')
                    continue
                for k, v in kv.items():
                    if k.endswith('_ns') or k in ('pools', 'held'):
                        data[(work, k)].add(kind, v)
            elif work == 'copy':
                key = ('copy', kv['size'])
                for k in ('bounce_MBps', 'memcpy_MBps'):
                    data[key + (k,)].add(kind, kv.get(k))
            elif work == 'boot' and 'bench.storage' in kv.get('cmdline', ''):
                storage_args[kv['cmdline']].add(kind)
            elif work == 'storage':
                # The guest prints a time only when every job verified; check again.
                if kv.get('verified') != kv.get('jobs') or not kv.get('jobs'):
                    errors.append(f'{NAMES[kind]}: storage {kv}')
                    continue
                for k in STORAGE_KEYS + ('jobs', 'bytes'):
                    data[('storage', kv['disk'], k)].add(kind, kv.get(k))
                # Slots are 2 KiB: report MiB.
                data[('storage', kv['disk'], 'pool_mib')].add(kind,
                                                             float(kv['pool_slots']) * 2 / 1024)
            elif work == 'storage_idle':
                data[('storage_idle', 'pool_mib')].add(kind, float(kv['pool_slots']) * 2 / 1024)
                data[('storage_idle', 'of_default')].add(
                    kind, float(kv['pool_slots']) / max(float(kv.get('default_slots') or 0), 1))
    return data, errors


def table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    out += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return '\n'.join(out)


DIRS = {'0': 'bidirectional', '1': 'to device', '2': 'from device'}
SIZES = {'4096': '4 KiB', '65536': '64 KiB', '262144': '256 KiB'}


def report(a, data, errors):
    keys = sorted(data)
    md = [f'# swiotlb benchmark: ours against upstream, {os.path.basename(a.out)}', '']
    rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True,
                         text=True, cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    cpu = ''
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next((l.split(':', 1)[1].strip() for l in f if l.startswith('model name')), '')
    except OSError:
        pass
    md += [
        f'Produced by `make bench` (commit {rev or "?"}), {a.rounds} rounds per kernel, run '
        'alternately (upstream, ours, upstream, ...) on the same QEMU: '
        f'{a.qemu}, TCG (no KVM), `-smp {a.smp} -m 1024'
        + (' -mem-prealloc' if a.prealloc else '') + f'`, host CPU {cpu or "?"}. '
        + ('Guest memory is backed on the host before each boot (`-mem-prealloc`): a first '
           'write to a page no longer pays a host page fault, which would be charged to whichever '
           'kernel writes it first. ' if a.prealloc else '')
        + (f'Kernel arguments of both: `{a.args}` (upstream ignores `swiotlb_idle_ms`). '
           if a.args else '') +
        'Both kernels are Linux 6.12 '
        'configured alike from `configs/base.config`, `configs/storage.config` and '
        '`bench/bench.config`; they differ only in their swiotlb (and the harness, '
        '`kernel/dma/swiotlb_bench.c`, built into both).',
        '',
        'Each cell is the median over the rounds, with the spread (min–max) in brackets. '
        '**ratio** is ours / upstream (of the medians): below 1 is better for times, above 1 '
        'for throughputs; in brackets the lowest and highest ratio the two spreads allow '
        '(ours min / upstream max, ours max / upstream min). A ratio is marked **win** or '
        '**loss** only where the two spreads do not overlap; unmarked, the rounds cannot tell '
        'the kernels apart. '
        'TCG emulates every instruction: absolute times are far from real hardware, only ratios '
        'taken in the same run mean anything.',
        '']
    if errors:
        md += ['**Errors in the logs:** ' + '; '.join(errors), '']

    if not any(k[0] != 'storage' for k in data):
        # BENCH_STORAGE=only: the storage boots alone.
        md += storage_section(data)
        md += [f'Plot: `{os.path.basename(a.out)}.png`.', '']
        return '\n'.join(md)

    md += layout_warning(data)
    md += ['## 1. Map/unmap latency (µs, upstream `dma_map_benchmark`)', '']
    rows = []
    for k in keys:
        if k[0] == 'map' and k[4] == 'map_us':
            m, u = data[k], data[k[:4] + ('unmap_us',)]
            rows.append([k[1], k[2], DIRS.get(k[3], k[3]), m.cell('base'), m.cell('ours'),
                         m.ratio_cell(), u.cell('base'), u.cell('ours'), u.ratio_cell()])
    md += [table(['threads', 'pages', 'direction', 'map upstream', 'map ours', 'ratio',
                  'unmap upstream', 'unmap ours', 'ratio'], rows), '']
    if any(k[0] == 'held' for k in data):
        md += ['### With mappings held', '',
               'One-page mappings to the device, 64 at a time: all 64 are mapped, then all '
               'unmapped (a queue of I/O), where `dma_map_benchmark` ends each mapping before '
               'the next. Mean ns per call.', '']
        rows = [[label, data[('held', k)].cell('base', '{:.0f}'),
                 data[('held', k)].cell('ours', '{:.0f}'), data[('held', k)].ratio_cell()]
                for k, label in (('map_ns', 'map'), ('unmap_ns', 'unmap'))]
        md += [table(['call', 'upstream, ns', 'ours, ns', 'ratio'], rows), '']

    md += ['## 2. Burst: 16 threads x 16 x 64 KiB held (4x the 4 MiB pool), 3 rounds', '',
           'Mappings made from process context (ours: with `DMA_ATTR_MAY_BLOCK`, so they may '
           'wait) and with preemption off. Where the mappings went, how many failed, the time '
           'spent in map calls (waiting included) and the wall time of the burst. '
           '"sleep again" is the sleepable burst run once more after the atomic one, every '
           'path it takes run before in the boot (upstream keeps the pools its first bursts '
           'added; ours gave them back and adds them again: section 3).', '']
    rows = []
    labels = [('failed', 'failed mappings'), ('default', 'in the default pool'),
              ('dynamic', 'in dynamic pools'), ('transient', 'in transient pools'),
              ('map_total_us', 'time in map calls, µs'), ('map_max_us', 'slowest map, µs'),
              ('completion_ms', 'completion time, ms')]
    for mode in ('sleep', 'atomic', 'sleep_again'):
        if not any(k[:2] == ('burst', mode) for k in data):
            continue
        for k, label in labels:
            s = data[('burst', mode, k)]
            ratio = s.ratio_cell() if k in ('map_total_us', 'map_max_us', 'completion_ms') else ''
            rows.append([mode.replace('_', ' '), label, s.cell('base', '{:.0f}'),
                         s.cell('ours', '{:.0f}'), ratio])
    md += [table(['context', 'figure', 'upstream', 'ours', 'ratio'], rows), '']

    md += ['## 3. Bounce memory (MiB: all pools, transient ones included)', '']
    rows = []
    for mode in ('sleep', 'atomic', 'sleep_again'):
        if not any(k[:2] == ('memory', mode) for k in data):
            continue
        for k, label in (('start_slots', 'before the burst'), ('peak_slots', 'peak'),
                         ('after10s_slots', '10 s after')):
            s = data[('memory', mode, k)]
            rows.append([mode.replace('_', ' '), label, s.cell('base'), s.cell('ours'),
                         s.ratio_cell()])
    md += [table(['burst', 'when', 'upstream', 'ours', 'ratio'], rows), '']

    md += ['## 4. Lookup: finding the pool of a mapping with 1, 8 and 64 pools present', '',
           '`sync` is a 64-byte `dma_sync_single_for_cpu()` + `_for_device()` pair (lookup plus a '
           'tiny copy) on a mapping in the default pool and on one in the newest pool; `unmap` '
           'is the mean unmap of the 256 KiB mappings that filled the pools (transient pools '
           'are retired on it).', '']
    rows = []
    for want in ('1', '8', '64'):
        p = data[('lookup', want, 'pools')]
        d, n, u = (data[('lookup', want, k)] for k in ('default_sync_ns', 'newest_sync_ns',
                                                         'unmap_ns'))
        rows.append([want, f"{p.cell('base', '{:.0f}')} / {p.cell('ours', '{:.0f}')}",
                     d.cell('base', '{:.0f}'), d.cell('ours', '{:.0f}'), d.ratio_cell(),
                     n.cell('base', '{:.0f}'), n.cell('ours', '{:.0f}'), n.ratio_cell(),
                     u.cell('base', '{:.0f}'), u.cell('ours', '{:.0f}'), u.ratio_cell()])
    md += [table(['pools wanted', 'pools reached (up / ours)', 'sync default up, ns', 'ours',
                  'ratio', 'sync newest up, ns', 'ours', 'ratio', 'unmap up, ns', 'ours',
                  'ratio'], rows), '']
    md += lookup_worst_section(data)

    md += ['## 5. Copy: bounce throughput against memcpy() of the same size', '',
           'A bidirectional map + unmap copies the buffer twice; MB/s counts both copies. '
           '"of memcpy" is the bounce throughput over a plain `memcpy()` loop of the same size '
           'in the same kernel (the copy limit).', '']
    rows = []
    for size in ('4096', '65536', '262144'):
        b, c = data[('copy', size, 'bounce_MBps')], data[('copy', size, 'memcpy_MBps')]

        def of(kind):
            bm, cm = b.med(kind), c.med(kind)
            return f'{bm / cm:.2f}' if bm and cm else 'n/a'
        rows.append([SIZES.get(size, size), b.cell('base', '{:.0f}'), b.cell('ours', '{:.0f}'),
                     b.ratio_cell(higher_better=True), of('base'), of('ours')])
    md += [table(['size', 'upstream MB/s', 'ours MB/s', 'ratio', 'upstream of memcpy',
                  'ours of memcpy'], rows), '']
    md += storage_section(data)
    md += [f'Plot: `{os.path.basename(a.out)}.png`.', '']
    return '\n'.join(md)


def layout_warning(data):
    """A warning when the two kernels' plain memcpy() differs: under TCG a hot loop
    that straddles a page of guest code is not chained to itself and runs several
    times slower, so a kernel whose memcpy_orig loop crosses a 4 KiB boundary (found
    on 2026-11-26: at 0x...affd0, 0x11f bytes) is slow at everything that copies,
    whatever its swiotlb does. Its timed figures are then not comparable."""
    meds = {}
    for kind in ('base', 'ours'):
        vals = [data[('copy', size, 'memcpy_MBps')].med(kind)
                for size in ('4096', '65536', '262144')]
        vals = [v for v in vals if v]
        meds[kind] = sum(vals) / len(vals) if vals else None
    b, o = meds['base'], meds['ours']
    # Boot to boot, single rounds of one kernel differ by up to 1.26x.
    if not b or not o or 0.67 <= o / b <= 1.5:
        return []
    return [f'**Warning: the two kernels differ in plain `memcpy()`** (mean of the medians: upstream '
            f'{b:.0f} MB/s, ours {o:.0f} MB/s, ratio {o / b:.2f}), a loop that touches no swiotlb. '
            'Under TCG this comes from where code lands (a hot loop across a 4 KiB page of guest '
            'code runs several times slower), not from either swiotlb; every timed figure below '
            'carries it, so compare them only once both kernels copy alike.', '']


def lookup_worst_section(data):
    """Section 4's worst cases for a list walk: the oldest of many dynamic pools, and
    a device with many live transient pools."""
    md = []
    cases = [
        ('lookup_oldest', 'dynamic pools',
         'Mappings that may sleep (ours: `DMA_ATTR_MAY_BLOCK`; upstream has no such attribute) '
         'held until they have landed in 64 dynamic pools: a sync pair and the mean unmap of '
         'the mappings in the *oldest* dynamic pool (the end of the list upstream walks) and in '
         'the newest.'),
        ('lookup_transient', 'live transient pools',
         'With the pools full, mappings made with preemption off land in transient pools of the '
         'device; held until 64 of them are live: a sync pair on the mapping in the oldest '
         'and in the newest transient pool, and the mean unmap of all of them.'),
    ]
    for work, what, text in cases:
        if not any(k[0] == work for k in data):
            continue
        p = data[(work, 'pools')]
        md += [f'### {what.capitalize()}: {p.cell("base", "{:.0f}")} (upstream) / '
               f'{p.cell("ours", "{:.0f}")} (ours) {what} reached', '', text, '']
        rows = []
        for k in sorted({k[1] for k in data if k[0] == work and k[1].endswith('_ns')}):
            s = data[(work, k)]
            rows.append([k[:-3].replace('_', ' '), s.cell('base', '{:.0f}'),
                         s.cell('ours', '{:.0f}'), s.ratio_cell()])
        md += [table(['figure, ns', 'upstream', 'ours', 'ratio'], rows), '']
    return md


def disk_label(disk):
    if disk.startswith('nvme'):
        return f'NVMe ({disk})'
    if disk.startswith('vd'):
        return f'virtio-blk ({disk})'
    return disk


def storage_section(data):
    """Section 6, from the storage boots; nothing when there were none."""
    disks = sorted({k[1] for k in data if k[0] == 'storage'})
    if not disks:
        return []
    # Jobs and bytes per disk, as the guest reported them (the same on every line).
    def every(k):
        return [v for d in disks for vals in data[('storage', d, k)].v.values() for v in vals]
    jobs = statistics.median(every('jobs'))
    per_job = statistics.median(every('bytes')) / jobs / 2**20
    args = '; '.join(f'`{c}` ({", ".join(NAMES[k] for k in sorted(kinds))})'
                     for c, kinds in sorted(storage_args.items())) or 'n/a'
    md = ['## 6. Storage: NVMe and virtio-blk, every mapping bounced', '',
          'A boot of its own per kernel and round, as `make test`\'s storage boot '
          '(`mk/storage.sh`): QEMU\'s `-device nvme` and '
          '`-device virtio-blk-pci,iommu_platform=on` '
          f'over raw images. Kernel command lines: {args}. Upstream\'s swiotlb runs upstream\'s '
          'drivers; ours runs our drivers (`patches/0013`–`0017`: blocking queues, data mapped '
          'with '
          '`DMA_ATTR_MAY_BLOCK`, so they wait for bounce buffers). Per disk, '
          f'{jobs:.0f} `dd` jobs in parallel each write {per_job:.0f} MiB in 1 MiB `O_DIRECT` '
          'writes, read it back and compare MD5 sums (`mk/initramfs/lib/storage-jobs.sh`, shared '
          'with `make test`); '
          'the time is the wall time of all the jobs, writes, reads and read-back MD5 sums, and '
          'counts only when every job verified (otherwise the bench fails). The NVMe disk runs '
          'first, then the virtio disk, in the same boot.', '']
    rows = []
    for d in disks:
        s = data[('storage', d, 'secs')]
        rows.append([disk_label(d), s.cell('base', '{:.2f}'), s.cell('ours', '{:.2f}'),
                     s.ratio_cell()])
    md += [table(['disk', 'upstream, s', 'ours, s', 'ratio'], rows), '']
    md += ['Our swiotlb\'s counters for the disk\'s device over its jobs (upstream has no '
           '`swiotlb/devices` or `stats` in debugfs: n/a), and the bounce memory of all pools '
           'right after the jobs (MiB, on both).', '']
    rows = []
    labels = [('waits', 'waits'),
              ('wait_attempts', 'tries for room while first in line (all devices)'),
              ('transient', 'transient pools'), ('timeouts', 'timed-out waits'),
              ('failed', 'failed mappings'), ('map_failures', 'map failures (all devices)'),
              ('wait_us', 'time waited, sum over waits (all devices), ms'),
              ('dynamic_added', 'dynamic pools added')]
    for d in disks:
        for k, label in labels:
            s = data[('storage', d, k)]
            if k == 'wait_us':
                s = scaled(s, 1e-3)
            rows.append([disk_label(d), label, s.cell('base', '{:.0f}'), s.cell('ours', '{:.0f}')])
        s = data[('storage', d, 'pool_mib')]
        rows.append([disk_label(d), 'bounce memory after the jobs, MiB', s.cell('base'),
                     s.cell('ours')])
    md += [table(['disk', 'figure', 'upstream', 'ours'], rows), '']
    if ('storage_idle', 'pool_mib') in data:
        mib, of = data[('storage_idle', 'pool_mib')], data[('storage_idle', 'of_default')]
        md += ['The bounce memory of all pools 40 s after the last disk\'s jobs, and the same as a '
               'multiple of the default pool of the command line (target for ours: at most 1.05).',
               '',
               table(['figure', 'upstream', 'ours', 'ratio'],
                     [['bounce memory 40 s after the jobs, MiB', mib.cell('base'),
                       mib.cell('ours'), mib.ratio_cell()],
                      ['the same, x the default pool', of.cell('base', '{:.2f}'),
                       of.cell('ours', '{:.2f}'), '']]), '']
    return md


def scaled(series, factor):
    out = Series()
    for kind, vals in series.v.items():
        for v in vals:
            out.add(kind, v * factor)
    return out


def plot(a, data):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit('report: matplotlib missing (Debian package python3-matplotlib, '
                 'for /usr/bin/python3)')
    groups = []
    for k in sorted(data):
        if k[0] == 'map':
            groups.append((f"map t{k[1]} g{k[2]} d{k[3]} {k[4].split('_')[0]}", data[k].ratio()))
    for k in ('map_ns', 'unmap_ns'):
        if ('held', k) in data:
            groups.append((f"held {k.split('_')[0]}", data[('held', k)].ratio()))
    for want in ('1', '8', '64'):
        groups.append((f'sync default, {want} pools', data[('lookup', want, 'default_sync_ns')].ratio()))
        groups.append((f'sync newest, {want} pools', data[('lookup', want, 'newest_sync_ns')].ratio()))
    for work in ('lookup_oldest', 'lookup_transient'):
        for k in sorted({k[1] for k in data if k[0] == work and k[1].endswith('_ns')}):
            groups.append((f"{work.split('_')[1]}: {k[:-3].replace('_', ' ')}",
                           data[(work, k)].ratio()))
    for size in ('4096', '65536', '262144'):
        r = data[('copy', size, 'bounce_MBps')].ratio()
        groups.append((f'copy {SIZES[size]} (1/throughput)', 1 / r if r else None))
    for d in sorted({k[1] for k in data if k[0] == 'storage'}):
        groups.append((f'storage {disk_label(d)}', data[('storage', d, 'secs')].ratio()))
    groups = [(n, r) for n, r in groups if r is not None]
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(groups) + 1.5))
    names = [n for n, _ in groups]
    vals = [r for _, r in groups]
    ax.barh(names, vals, color=['tab:green' if v <= 1 else 'tab:red' for v in vals])
    ax.axvline(1.0, color='black', linewidth=1)
    ax.set_xscale('log')
    ax.invert_yaxis()
    ax.set_xlabel('ours / upstream, time (lower is better), median of rounds')
    ax.set_title(f'swiotlb: ours vs upstream, {os.path.basename(a.out)}')
    fig.tight_layout()
    fig.savefig(a.out + '.png', dpi=100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--qemu', default='')
    ap.add_argument('--args', default='')
    ap.add_argument('--rounds', default='?')
    ap.add_argument('--smp', default='2')
    ap.add_argument('--prealloc', action='store_true',
                    help='the guests ran with -mem-prealloc')
    ap.add_argument('logs', nargs='+')
    a = ap.parse_args()
    data, errors = collect(a.logs)
    md = report(a, data, errors)
    with open(a.out + '.md', 'w') as f:
        f.write(md)
    plot(a, data)
    print(md)
    print(f'\nreport: {a.out}.md and {a.out}.png')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
