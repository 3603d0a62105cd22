# SPDX-License-Identifier: GPL-2.0
# The storage workload's disks, data and dd jobs, sourced (never run) by
# run.d/60-storage.sh (make test's storage boot, with its checks) and by
# bench/initramfs/init (make bench's storage boots, timed on upstream's
# swiotlb and on ours). JOBS dd jobs in parallel each write MIB MiB of random
# data with 1 MiB O_DIRECT writes at an offset of their own, read it back the
# same way and compare MD5 sums. The data is made once, in RAM, before any
# disk is touched, and serves every disk.

# STORAGE_JOBS=n and STORAGE_MIB=n on the kernel command line (handed to init
# as environment variables) make the workload smaller.
JOBS=${STORAGE_JOBS:-8}
MIB=${STORAGE_MIB:-32}

sw=/sys/kernel/debug/swiotlb
data=/tmp/storage-data

# disks: the NVMe and virtio disks of the guest, one line.
disks() {
	local b d=
	for b in /sys/block/nvme*n1 /sys/block/vd?; do
		[ -e "$b" ] && d="$d ${b##*/}"
	done
	echo $d
}

now() { cut -d' ' -f1 /proc/uptime; }

# pcidev DISK: the PCI device that does the disk's DMA (swiotlb's name for it).
pcidev() {
	readlink -f "/sys/block/$1/device" | tr / '\n' |
		grep -E '^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$' | tail -n 1
}

# devcount DEV: "transient waits timeouts failures" of DEV in swiotlb/devices
# (our swiotlb only: upstream's has no such file).
devcount() {
	awk -v d="$1" '$1 == d { t = $4; w = $5; o = $6; f = $7 }
		END { print t + 0, w + 0, o + 0, f + 0 }' $sw/devices
}

# stat_of KEY: the value of KEY in swiotlb/stats (our swiotlb only).
stat_of() { awk -v k="$1" '$1 == k { print $2 }' $sw/stats; }

# added_of KIND: pools of KIND (default, dynamic, transient) added so far, the
# "added" column of swiotlb/stats (our swiotlb only); nothing if unreadable.
added_of() { awk -v k="$1" '$1 == "kind" { for (i = 1; i <= NF; i++) if ($i == "added") c = i }
	c && $1 == k { print $c; exit }' $sw/stats 2>/dev/null; }

# delta A B: B - A, or nothing if either is empty (a counter that could not
# be read must not pass for 0).
delta() { [ -n "$1" ] && [ -n "$2" ] && echo $(($2 - $1)); }

# fail_pool_memory WHO: from now on every allocation of pool memory fails
# (fail_swiotlb, site 1): the pools can grow no more. Says so as "WHO: fixed
# pool: ..."; fails if the kernel has no fault-injection debugfs.
fail_pool_memory() {
	local f=/sys/kernel/debug/fail_swiotlb
	[ -w $f/sites ] || { echo "$1: FAILED: no $f (CONFIG_FAULT_INJECTION_DEBUG_FS)"; return 1; }
	echo 1 >$f/sites
	echo 0 >$f/verbose
	echo 1 >$f/interval
	echo -1 >$f/times
	echo 100 >$f/probability
	echo "$1: fixed pool: every allocation of pool memory fails"
}

# make_data: the JOBS data files and their MD5 sums.
make_data() {
	local i=0
	mkdir -p $data
	while [ $i -lt $JOBS ]; do
		dd if=/dev/urandom of=$data/$i bs=1M count=$MIB 2>/dev/null
		md5sum <$data/$i | cut -d' ' -f1 >$data/$i.md5
		i=$((i + 1))
	done
}

# job DISK I: write block I of the disk from data file I and read it back.
job() {
	local disk=$1 i=$2 off=$(($2 * MIB)) sum
	if ! dd if=$data/$i of=/dev/$disk bs=1M seek=$off count=$MIB oflag=direct \
		2>$data/$disk.$i.err; then
		echo "storage: $disk job $i: write failed: $(tail -n 1 $data/$disk.$i.err)"
		return
	fi
	sum=$(dd if=/dev/$disk bs=1M skip=$off count=$MIB iflag=direct 2>$data/$disk.$i.err |
		md5sum | cut -d' ' -f1)
	if [ "$sum" = "$(cat $data/$i.md5)" ]; then
		touch $data/$disk.$i.ok
	else
		echo "storage: $disk job $i: read back $sum, wrote $(cat $data/$i.md5): $(tail -n 1 $data/$disk.$i.err)"
	fi
}

# run_jobs DISK: the JOBS jobs on DISK in parallel, until all have ended.
# Sets ok (how many read back what they wrote) and secs (the wall time of
# all the jobs, writes and reads, in seconds with two decimals).
run_jobs() {
	local start end i=0
	rm -f $data/$1.*.ok
	start=$(now)
	while [ $i -lt $JOBS ]; do
		job $1 $i &
		i=$((i + 1))
	done
	wait
	end=$(now)
	ok=$(ls $data/$1.*.ok 2>/dev/null | wc -l)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
}
