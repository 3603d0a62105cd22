#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-rnvme-image.py IMAGE LOG: check, in the disk image of a boot, the
sectors that rnvme-io (mk/tools/rnvme-io.c) wrote through the Rust NVMe
driver: each must hold its own LBA, a case number, and the bytes computed
from both. A request written at the wrong place, or only partly, shows here
even when reading it back through the same driver looked right. Appends
"rnvme-image: sectors=N ok" (or what is wrong) to LOG; exits 1 on a
mismatch, 0 if the log has no rnvme-io run to check."""
import re
import struct
import sys

SECTOR = 512


def expected(lba, case):
    body = bytes((lba * 131 + case * 31 + i) & 0xFF for i in range(16, SECTOR))
    return struct.pack("<QQ", lba, case) + body


def main():
    image, log = sys.argv[1], sys.argv[2]
    with open(log, errors="replace") as f:
        m = re.search(r"^rnvme-io: cases=(\d+) ok=\d+ sectors=(\d+) first=(\d+)", f.read(), re.M)
    if not m:
        return 0
    cases, sectors, first = (int(x) for x in m.groups())
    bad = []
    with open(image, "rb") as f:
        f.seek(first * SECTOR)
        data = f.read(sectors * SECTOR)
    last_case = 0
    for s in range(sectors):
        blk = data[s * SECTOR:(s + 1) * SECTOR]
        lba = first + s
        if len(blk) < SECTOR:
            bad.append(f"sector {lba}: beyond the image")
            break
        case = struct.unpack_from("<Q", blk, 8)[0]
        if case >= cases or case < last_case or blk != expected(lba, case):
            got = struct.unpack_from("<Q", blk, 0)[0]
            bad.append(f"sector {lba}: holds LBA {got} case {case}")
            if len(bad) >= 5:
                break
        else:
            last_case = case
    with open(log, "a") as f:
        if bad:
            f.write(f"rnvme-image: sectors={sectors} FAILED: {'; '.join(bad)}\n")
        else:
            f.write(f"rnvme-image: sectors={sectors} ok\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
