#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print KUnit's result tree and our boot checks, then one line
"N passed, N failed[, N skipped]". Exit 1 on any failure.

usage: summary.py KUNIT_TOOL_DIR CHECKS_FILE KUNIT_LOG...

Every KUnit log counts: the debug run's cases count again, as what they are,
another execution under the kernel's checkers.

A crashed test counts as failed, and so does every KTAP parse error (a
missing test, a truncated log).
"""
import sys


def main():
    tool_dir, checks_file = sys.argv[1:3]
    sys.path.insert(0, tool_dir)
    import kunit_parser  # pylint: disable=import-outside-toplevel

    passed = failed = skipped = 0
    for kunit_log in sys.argv[3:]:
        with open(kunit_log, errors='replace') as f:
            test = kunit_parser.parse_run_tests(f.readlines())
        counts = test.counts
        passed += counts.passed
        failed += counts.failed + counts.crashed + counts.errors
        skipped += counts.skipped

    print('Boot checks:')
    with open(checks_file) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                continue
            ok = line.startswith('ok ')
            print(f"  [{'PASSED' if ok else 'FAILED'}] {line.split(' ', 1 if ok else 2)[-1]}")
            if ok:
                passed += 1
            else:
                failed += 1

    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
