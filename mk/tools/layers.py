#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the swiotlb core's files call one another in layers.

Reads the symbols each object of the core defines and uses (nm), and
fails if a file uses a symbol of a file at or above its own layer: every
call, and every use of a variable, goes down LAYERS. A cycle among the files
is then impossible. Also fails if the headers of kernel/dma include one
another in a cycle. Prints every edge with the symbols behind it when asked
(-v), and every offending edge always.

Usage: layers.py OBJDIR [SRCDIR] [-v]
"""
import os
import re
import subprocess
import shutil
import sys

# llvm-nm reads the objects of every architecture we build.
NM = shutil.which("llvm-nm") or "nm"

# Top to bottom: a file may use only the files of later lines. Files on one
# line are one layer and may not use one another.
LAYERS = [
    ["swiotlb_test_device"],        # test devices with allocators of their own
    ["swiotlb_boot"],               # sets every allocator up
    ["swiotlb_debugfs"],            # shows the counters and knobs
    ["swiotlb_sg"],                 # scatterlists mapped whole
    ["swiotlb"],                    # the mapping API
    ["swiotlb_wait"],               # the policy when the pools are full
    ["swiotlb_transient"],          # a device's own pools
    ["swiotlb_dynamic"],            # dynamic pools, the address index
    ["swiotlb_pool"],               # an allocator's list of pools
    ["swiotlb_slots"],              # slots inside one pool
    ["swiotlb_stats"],              # counters
    ["swiotlb_fault"],              # fault injection
    ["swiotlb_trace"],              # tracepoints, test hooks
]


def symbols(path):
    """(defined, used): global symbols, weak and common ones included."""
    out = subprocess.run([NM, path], capture_output=True, text=True,
                         check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] in "Uwv":
            used.add(f[1])
        elif len(f) == 3 and f[1] in "TDBRGSCVWu":
            defined.add(f[2])
    return defined, used


def include_cycles(srcdir):
    graph = {}
    for name in os.listdir(srcdir):
        if name.startswith("swiotlb") and name.endswith(".h"):
            with open(os.path.join(srcdir, name)) as fh:
                graph[name] = set(re.findall(r'#include\s+"([^"]+)"', fh.read()))
    bad = []

    def walk(node, path):
        for nxt in graph.get(node, ()):
            if nxt in path:
                bad.append(" -> ".join(path + [nxt]))
            else:
                walk(nxt, path + [nxt])
    for node in graph:
        walk(node, [node])
    return bad


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv[1:]
    objdir = args[0]
    rank = {f: i for i, layer in enumerate(LAYERS) for f in layer}
    objs = {}
    # The objects the kernel links now (kernel/dma/built-in.a, a thin
    # archive): an object left behind by a file since renamed is not one.
    archive = os.path.join(objdir, "built-in.a")
    if os.path.exists(archive):
        members = subprocess.run(["llvm-ar", "t", archive], capture_output=True,
                                 text=True, check=True).stdout.split()
        names = sorted({os.path.basename(m) for m in members})
    else:
        names = sorted(os.listdir(objdir))
    for name in names:
        stem, ext = os.path.splitext(name)
        if ext != ".o" or not stem.startswith("swiotlb") or "kunit" in stem \
                or stem.startswith("swiotlb_bad_offsets") \
                or stem in ("swiotlb_core", "swiotlb_bench"):
            continue
        if stem not in rank:
            print(f"layers: {name} is in no layer of mk/tools/layers.py")
            return 1
        objs[stem] = symbols(os.path.join(objdir, name))
    if "swiotlb" not in objs:
        print(f"layers: no swiotlb objects in {objdir}: build first")
        return 1
    bad = 0
    for f, (_, used) in objs.items():
        for g, (defined, _) in objs.items():
            syms = sorted(used & defined) if f != g else []
            if not syms:
                continue
            up = rank[g] <= rank[f]
            if up or verbose:
                print(f"{'UP ' if up else '   '}{f} -> {g}: {' '.join(syms)}")
            bad += up
    if len(args) > 1:
        for cycle in include_cycles(args[1]):
            print(f"include cycle: {cycle}")
            bad += 1
    print(f"layers: {len(objs)} files, {bad} edge(s) against the layers")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
