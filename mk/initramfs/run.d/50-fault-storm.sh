#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# On the debug kernel of `make test` (swiotlb_fault_storm on its command
# line): run the swiotlb_stress suite once more while the kernel's own
# fault injection, failslab and fail_page_alloc, fails at random the
# allocations made on the swiotlb's call paths (pool memory, pool
# book-keeping, device records): the stack-trace filter confines the
# failures to call chains that pass through the swiotlb's code, so the rest
# of the kernel allocates as usual. The suite must still find every byte
# intact and every counter back where it started. Prints one line
# "fault-storm: ok, ..." or "fault-storm: FAILED ...". Elsewhere, nothing
# to do.

grep -qw swiotlb_fault_storm /proc/cmdline || exit 0
d=/sys/kernel/debug
suite=$d/kunit/swiotlb_stress
fail() {
	echo "fault-storm: FAILED: $*"
	exit 1
}
[ -w $suite/run ] || fail "no $suite/run (CONFIG_KUNIT_DEBUGFS?)"
for a in failslab fail_page_alloc; do
	[ -w $d/$a/require-start ] ||
		fail "no $d/$a/require-start (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER?)"
done

# The swiotlb's code: from its first function to its last in the kernel
# text. Its objects are linked next to each other; a range much larger than
# they are means some other code got in, and the run would be meaningless.
# The KUnit suites, linked after the core, name no function swiotlb_*: the
# stress suite's own allocations must not fall in the range.
stext=$(awk '$3 == "_stext" { print $1 }' /proc/kallsyms)
etext=$(awk '$3 == "_etext" { print $1 }' /proc/kallsyms)
set -- $(awk -v lo="$stext" -v hi="$etext" \
	'$2 ~ /^[tT]$/ && $3 ~ /^_*swiotlb_/ && $1 >= lo && $1 < hi { print $1 }' \
	/proc/kallsyms | sort | sed -n '1p;$p')
[ $# -eq 2 ] || fail "no swiotlb functions in /proc/kallsyms"
start=$1 end=$2
# (Kernel addresses are negative in the shell's 64-bit arithmetic; their
# difference is right all the same.)
size=$((0x$end - 0x$start))
[ "$size" -gt 0 ] && [ "$size" -lt 262144 ] ||
	fail "swiotlb code from $start to $end ($size bytes) is not one block"

budget=1000000
for a in failslab fail_page_alloc; do
	echo "0x$start" >$d/$a/require-start
	echo "0x$end" >$d/$a/require-end
	echo 32 >$d/$a/stacktrace-depth
	echo N >$d/$a/task-filter
	echo N >$d/$a/ignore-gfp-wait
	echo 0 >$d/$a/verbose
	echo 1 >$d/$a/interval
	echo $budget >$d/$a/times
	echo "${STORM_PERCENT:-50}" >$d/$a/probability
done
echo 0 >$d/fail_page_alloc/min-order

# KUnit's own lines would read as a second test run in the boot log: keep
# them off the console (KERN_INFO) while reports of the checkers
# (KERN_WARNING and up) still reach it.
read -r level rest </proc/sys/kernel/printk
echo 5 >/proc/sys/kernel/printk
echo "${STORM_OPS:-3000}" >/sys/module/swiotlb_core_kunit/parameters/stress_ops
echo run >$suite/run
echo "$level" >/proc/sys/kernel/printk

for a in failslab fail_page_alloc; do
	echo 0 >$d/$a/probability
done
slab=$((budget - $(cat $d/failslab/times)))
page=$((budget - $(cat $d/fail_page_alloc/times)))

sed -n 's/^ *# random_maps_from_many_threads_keep_every_byte: /fault-storm: stress: /p' \
	$suite/results
grep -q '^ok 1 swiotlb_stress' $suite/results ||
	{ sed 's/^/fault-storm| /' $suite/results; fail "swiotlb_stress did not pass"; }
[ $((slab + page)) -gt 0 ] || fail "no allocation was failed: nothing was tested"
echo "fault-storm: ok, swiotlb_stress passed with $slab slab and $page page allocations failed (swiotlb code $start-$end)"
