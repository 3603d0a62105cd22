#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Rust NVMe driver sample (rust_nvme_pci) on QEMU's NVMe controller:
# make run's boot and make test's rnvme boots (mk/run.sh, mk/rust-pci.sh).
#
# Workload: JOBS dd writers in parallel, each writing MIB MiB of random data
# with 1 MiB O_DIRECT writes into a region of its own of /dev/rnvme0n1; when
# all have ended, as many readers read the regions back the same way, and
# each region's MD5 sum is compared with what was written. Then the driver is
# unbound (the disk goes, the controller is disabled and its queues freed)
# and bound again (which fails if the BAR region or the interrupt leaked),
# and one line sums it all up:
#
#   rnvme: ios=2048 flushes=1 bytes=268435456 verified=8/8 errors=0 bounced=2048
#          waited=35 transient=0 grown=3 map_failures=0 timeouts=0 stray=0
#          secs=9.81                                      (one line)
#
# Before the unbind, rnvme-io writes and reads back sectors at odd buffer
# offsets and lengths past the regions ("rnvme-io: cases=8 ok=8 ...").
#
# ios, bytes, errors, bounced, map_failures, timeouts and stray are the
# driver's counters (its unbind message); waited and transient the swiotlb's
# for the controller (debugfs swiotlb/devices), grown the dynamic pools added
# meanwhile (swiotlb/stats; the controller is the only device doing I/O). With rnvme.inject_* on the
# command line (make test's bad-input boots) the same runs, and the checks
# (mk/check-rnvme.sh) expect what each fault must do.
#
# RNVME_JOBS=n and RNVME_MIB=n on the kernel command line (which the kernel
# hands to init as environment variables) change the workload; with
# RNVME_FIXED_POOL=1 no pool memory can be added (fail_swiotlb fails every
# such allocation) during the workload, so maps that wait can time out.

. /lib/storage-jobs.sh

JOBS=${RNVME_JOBS:-8}
MIB=${RNVME_MIB:-32}

drv=/sys/bus/pci/drivers/rust_nvme_pci
[ -d $drv ] || { echo "rnvme: driver not built in or left out"; exit 0; }
msgs() { dmesg | sed -n 's/^\[[^]]*\] //; /rust_nvme_pci/p'; }
addr=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/class)" = 0x010802 ] && addr=${d##*/}
done
[ -n "$addr" ] || { echo "rnvme: no NVMe controller in this guest"; exit 0; }
# Which driver has the controller, from sysfs (the C driver's own messages
# are quiet).
echo "rnvme: $addr driver=$(basename "$(readlink /sys/bus/pci/devices/$addr/driver)" 2>/dev/null)" \
	"c_driver_functions=$(ls /sys/bus/pci/drivers/nvme 2>/dev/null | grep -c '^0000:')"
if [ ! -e $drv/$addr ]; then
	echo "rnvme: $addr not bound to rust_nvme_pci"
	msgs
	exit 0
fi
disk=$(ls /sys/block | grep -m 1 '^rnvme')
[ -n "$disk" ] || { echo "rnvme: FAILED: bound but no disk"; msgs; exit 1; }

# err FILE: the line of dd's messages in FILE that tells what went wrong.
err() { grep -m 1 -iE 'error|fail' "$1" || tail -n 1 "$1"; }

before=$(devcount $addr)
a0=$(added_of dynamic)
make_data
if [ "${RNVME_FIXED_POOL:-0}" = 1 ]; then
	fail_pool_memory rnvme || exit 1
fi
start=$(now)
i=0
while [ $i -lt $JOBS ]; do
	# The first writer ends with fsync: a flush, which the disk's write cache
	# (VWC) makes the block layer send.
	sync=
	[ $i = 0 ] && sync=conv=fsync
	dd if=$data/$i of=/dev/$disk bs=1M seek=$((i * MIB)) count=$MIB oflag=direct $sync \
		2>$data/w.$i.err || echo "rnvme: region $i: write failed: $(err $data/w.$i.err)" &
	i=$((i + 1))
done
wait
i=0
while [ $i -lt $JOBS ]; do
	(dd if=/dev/$disk bs=1M skip=$((i * MIB)) count=$MIB iflag=direct 2>$data/r.$i.err |
		md5sum | cut -d' ' -f1 >$data/r.$i.md5) &
	i=$((i + 1))
done
wait
secs=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
ok=0
i=0
while [ $i -lt $JOBS ]; do
	if [ "$(cat $data/r.$i.md5)" = "$(cat $data/$i.md5)" ]; then
		ok=$((ok + 1))
	else
		echo "rnvme: region $i: read back $(cat $data/r.$i.md5), wrote $(cat $data/$i.md5): $(err $data/r.$i.err)"
	fi
	i=$((i + 1))
done
# Odd buffer offsets and lengths, past the regions (mk/tools/rnvme-io.c); the
# host checks what it wrote in the image after the boot.
if [ -x /bin/rnvme-io ]; then
	rnvme-io /dev/$disk $((JOBS * MIB + 1))
fi
after=$(devcount $addr)
a1=$(added_of dynamic)
rm -rf $data
[ "${RNVME_FIXED_POOL:-0}" = 1 ] && echo 0 >/sys/kernel/debug/fail_swiotlb/probability

echo "$addr" >$drv/unbind || { echo "rnvme: FAILED: unbind $addr"; exit 1; }
[ -e $drv/$addr ] && { echo "rnvme: FAILED: $addr still bound after unbind"; exit 1; }
line=$(msgs | grep " unbound: " | tail -n 1)
val() { echo "$line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
set -- $before
w0=$2 t0=$1
set -- $after
echo "rnvme: ios=$(val ios) flushes=$(val flushes) bytes=$(val bytes) verified=$ok/$JOBS errors=$(val errors) bounced=$(val bounced) waited=$(($2 - w0)) transient=$(($1 - t0)) grown=$(delta "$a0" "$a1") map_failures=$(val map_failures) timeouts=$(val timeouts) stray=$(val stray) secs=$secs"

echo "$addr" >$drv/bind
msgs
if [ -e $drv/$addr ] && ls /sys/block | grep -q '^rnvme'; then
	echo "rnvme: rebind ok $addr"
else
	echo "rnvme: rebind FAILED $addr"
fi
