#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Real storage through the swiotlb: on every NVMe and virtio disk of the
# guest, JOBS dd jobs in parallel each write MIB MiB of random data with
# 1 MiB O_DIRECT writes at an offset of their own, read it back the same way
# and compare MD5 sums (/lib/storage-jobs.sh, which make bench's storage
# boots share). Per disk it prints
#
#   storage: disk=nvme0n1 dev=0000:00:04.0 jobs=8 verified=8 bytes=268435456
#            secs=12.34 waits=40 transient=0 maywait_transient=0 timeouts=0
#            failed=0 map_failures=0 dynamic_added=3       (one line)
#
# with the swiotlb counters of the disk's DMA device over the workload (from
# debugfs swiotlb/devices; map_failures and the dynamic pools added, by the
# worker or by a mapping that may sleep, from swiotlb/stats: the disks run
# one after the other, so those are this disk's), and, once the
# dynamic pools have been idle, a line
#
#   storage: pool disk=nvme0n1 default=512 slots=512 transient_slots=0
#            ratio=1.000 idle_secs=4                       (one line)
#
# maywait_transient counts the transient pools made while a mapping of the
# device waited (trace events swiotlb_wait_begin/_end and swiotlb_pool_add,
# matched by task): a waiter gets one only once adding a pool failed. A
# mapping that may sleep may also take one before it would wait, while
# another caller adds a pool; those count in transient= only.
#
# With storage_fixed_pool on the kernel command line, no pool can be added
# (fail_swiotlb fails every allocation of pool memory): the default pool is
# all there is, and a mapping that may sleep can only wait for unmaps.
#
# `make test` boots with one disk of each kind (mk/test.sh, storage boot);
# `make run` has none, and this script says so and does nothing.

. /lib/storage-jobs.sh

IDLE_WAIT=60	# seconds the pools get to go back to the default pool

tr=/sys/kernel/tracing

disks=$(disks)
if [ -z "$disks" ]; then
	echo "storage: no NVMe or virtio disk in this guest, nothing to do (make test's storage boot has them)"
	exit 0
fi
[ -f $sw/devices ] || { echo "storage: FAILED: no $sw/devices"; exit 1; }

# Trace the waits and the pools added, to tell who got a transient pool.
tracing=0
[ -d $tr/events ] || mount -t tracefs tracefs $tr 2>/dev/null
if [ -d $tr/events/swiotlb ]; then
	echo 8192 >$tr/buffer_size_kb
	for e in swiotlb_wait_begin swiotlb_wait_end swiotlb_pool_add; do
		echo 1 >$tr/events/swiotlb/$e/enable
	done
	tracing=1
else
	echo "storage: no swiotlb trace events (CONFIG_FTRACE): maywait_transient cannot be told"
fi

# maywait_transient DEV: transient pools for DEV added by a task while it
# waited for room for DEV.
maywait_transient() {
	[ $tracing = 1 ] || { echo -1; return; }
	awk -v d="$1" '
		{ task = $1; sub(/.*-/, "", task) }
		/ swiotlb_wait_begin: / && index($0, ": " d ": waiting") { waiting[task] = 1 }
		/ swiotlb_wait_end: / && index($0, ": " d ": ") { delete waiting[task] }
		/ swiotlb_pool_add: transient pool / && $NF == d && (task in waiting) { n++ }
		END { print n + 0 }' $tr/trace
}

if grep -qw storage_fixed_pool /proc/cmdline; then
	fail_pool_memory storage || exit 1
fi

echo "storage: disks: $disks; making $JOBS x $MIB MiB of random data"
make_data

status=0
for disk in $disks; do
	dev=$(pcidev $disk)
	base=$(awk '$1 == "default" { print $2 }' $sw/stats)
	set -- $(devcount "$dev")
	t0=$1 w0=$2 o0=$3 f0=$4
	m0=$(stat_of map_failures)
	a0=$(added_of dynamic)
	[ $tracing = 1 ] && echo >$tr/trace
	run_jobs $disk
	set -- $(devcount "$dev")
	echo "storage: disk=$disk dev=$dev jobs=$JOBS verified=$ok" \
		"bytes=$((JOBS * MIB * 1048576))" \
		"secs=$secs" \
		"waits=$(($2 - w0)) transient=$(($1 - t0))" \
		"maywait_transient=$(maywait_transient "$dev")" \
		"timeouts=$(($3 - o0)) failed=$(($4 - f0))" \
		"map_failures=$(($(stat_of map_failures) - m0))" \
		"dynamic_added=$(delta "$a0" "$(added_of dynamic)")"
	grep "^ *$dev " $sw/devices | sed 's/^/storage: devices: /'
	[ "$ok" = "$JOBS" ] || status=1

	# Give the dynamic and transient pools the time the idle rule needs.
	idle=$(now)
	while :; do
		slots=$(cat $sw/io_tlb_nslabs)
		tslots=$(cat $sw/io_tlb_transient_nslabs)
		gone=$(awk -v s="$slots" -v t="$tslots" -v b="$base" \
			'BEGIN { print (s + t <= 1.05 * b) ? 1 : 0 }')
		waited=$(awk -v a="$idle" -v b="$(now)" 'BEGIN { printf "%d", b - a }')
		[ "$gone" = 1 ] || [ "$waited" -ge $IDLE_WAIT ] && break
		sleep 1
	done
	echo "storage: pool disk=$disk default=$base slots=$slots transient_slots=$tslots" \
		"ratio=$(awk -v s="$slots" -v t="$tslots" -v b="$base" 'BEGIN { printf "%.3f", (s + t) / b }')" \
		"idle_secs=$waited"
done
rm -rf $data
[ $tracing = 1 ] && echo 0 >$tr/events/swiotlb/enable
exit $status
