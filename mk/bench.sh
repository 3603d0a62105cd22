#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: two kernels configured alike (configs/base.config +
# configs/storage.config + bench/bench.config) that differ only in their
# swiotlb, upstream's (build/linux-base) and ours (build/linux), booted
# alternately on the same QEMU with the same arguments, ROUNDS times each;
# bench/report.py turns the logs into bench/results/<date>.md and .png and
# prints the table. Each round also boots each kernel as make test's storage
# boot does (mk/storage.sh: an NVMe and a virtio-blk disk, swiotlb=512,force),
# but with the kernel's own idle rule (30 s), not the 2 s of make test, which
# gives pools back in the lull between the two disks, and times the dd jobs
# of its workload per disk; BENCH_STORAGE=0 leaves
# these boots out, BENCH_STORAGE=only makes only these. BENCH_SMP lists the
# CPU counts of the guests (default 2; "2 4" boots every kernel with -smp 2
# and with -smp 4 in each round, and writes one report per count, the -smp 4
# one as bench/results/<date>-smp4.md). Then the C-vs-Rust NVMe row
# (mk/bench-rnvme.sh, -smp 2; BENCH_RNVME=0 leaves it out, =only runs it
# alone).
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-5}
BENCH_SMP=${BENCH_SMP:-2}
BENCH_SECS=${BENCH_SECS:-2}
BENCH_ARGS=${BENCH_ARGS:-"swiotlb=${SWIOTLB_ARG:-2048,force} swiotlb_idle_ms=5000"}
BENCH_STORAGE=${BENCH_STORAGE:-1}
# BENCH_RNVME: the C-vs-Rust NVMe row (mk/bench-rnvme.sh); 0 leaves it out,
# only runs it alone.
BENCH_RNVME=${BENCH_RNVME:-1}
# BENCH_PREALLOC: every boot of the bench with its guest memory backed
# before it starts (QEMU's -mem-prealloc; 0 leaves it lazily backed). A
# freshly booted guest has touched little of its memory: the first write to
# each new page then costs a host page fault (milliseconds for a 2 MiB huge
# page), charged to whichever kernel code writes it first, which a bounce
# pool being cleared or filled often is. That is the host's cost, not
# either swiotlb's.
BENCH_PREALLOC=${BENCH_PREALLOC:-1}
if [ "$BENCH_PREALLOC" = 0 ]; then
	export QEMU_PREALLOC=
else
	export QEMU_PREALLOC=1
fi
RESULTS=${RESULTS:-$TOP/bench/results}
export CONFIG_FRAGMENTS="$TOP/configs/base.config $TOP/configs/storage.config $TOP/bench/bench.config"

DEPS_EXTRA="python3-matplotlib libc6-dev" "$TOP/mk/deps.sh"

# smp_tag N: what the logs and report of -smp N are told apart by ("" for 2).
smp_tag() {
	[ "$1" = 2 ] || echo "-smp$1"
}

# report N: bench/report.py over the logs of every round with -smp N
# (Debian's Python, with matplotlib).
report() {
	local logs=() r v t
	t=$(smp_tag "$1")
	for r in $(seq 1 "$ROUNDS"); do
		for v in base ours; do
			[ "$BENCH_STORAGE" = only ] || logs+=("$v:$LOGS/bench-$v-$r$t.log")
			[ "$BENCH_STORAGE" = 0 ] || logs+=("$v:$LOGS/bench-storage-$v-$r$t.log")
		done
	done
	mkdir -p "$RESULTS"
	step "bench: report (-smp $1)"
	/usr/bin/python3 "$TOP/bench/report.py" \
		--out "$RESULTS/$(date +%Y-%m-%d)$([ "$BENCH_STORAGE" != only ] || echo -storage)$t" \
		--qemu "$(qemu-system-x86_64 --version | head -n 1)" \
		--args "$([ "$BENCH_STORAGE" = only ] || echo "$BENCH_ARGS")" \
		--rounds "$ROUNDS" --smp "$1" ${QEMU_PREALLOC:+--prealloc} "${logs[@]}"
}

report_all() {
	local n rc=0
	for n in $BENCH_SMP; do
		report "$n" || rc=1
	done
	return $rc
}

# check_storage LOG: both disks ran and every job of each read back what it
# wrote (the guest prints an error instead of a time for a disk where one
# did not).
check_storage() {
	local bad
	bad=$(grep -a '^bench: error' "$1" || true)
	[ -z "$bad" ] || die "storage boot: $bad (see $1)"
	grep -aq '^bench: storage disk=nvme' "$1" && grep -aq '^bench: storage disk=vd' "$1" ||
		die "storage boot: no time for an NVMe and a virtio disk in $1"
	awk '/^bench: storage disk=/ { v = j = ""; for (i = 3; i <= NF; i++) {
			if ($i ~ /^verified=/) v = substr($i, 10); if ($i ~ /^jobs=/) j = substr($i, 6) }
		if (j == "" || j == 0 || v != j) bad = 1 } END { exit bad }' "$1" ||
		die "storage boot: a disk's jobs were not all verified in $1"
}

# REPORT_ONLY=1: the report again from the logs of the last run.
if [ -n "${REPORT_ONLY:-}" ]; then
	report_all
	exit
fi

[ "$BENCH_RNVME" = only ] || "$TOP/mk/bench-tree.sh"

# Both kernels, ours first: the baseline then finds nearly everything in ccache.
for v in ours base; do
	[ "$BENCH_RNVME" = only ] && break
	src=$KSRC
	[ $v = base ] && src=$BUILD/linux-base
	KSRC=$src KOBJ=$BUILD/obj-bench-$v FRAG=$BUILD/fragment-bench-$v.config \
		BUILD_LOG=$LOGS/build-bench-$v.log "$TOP/mk/config.sh"
	KSRC=$src KOBJ=$BUILD/obj-bench-$v BUILD_LOG=$LOGS/build-bench-$v.log "$TOP/mk/build.sh"
done

# Under TCG a copy loop that straddles a page of guest code runs ~4x slower:
# both kernels must have memcpy, memmove and memset within one page each
# (patches/0023), or the bench measures the link order, not the swiotlbs.
for v in ours base; do
	[ "$BENCH_RNVME" = only ] && break
	llvm-nm -S "$BUILD/obj-bench-$v/vmlinux" | python3 -c '
import sys
k, bad, seen = sys.argv[1], 0, set()
for line in sys.stdin:
    f = line.split()
    if len(f) == 4 and f[3] in ("memcpy_orig", "__memmove", "memset_orig"):
        start, size = int(f[0], 16), int(f[1], 16)
        seen.add(f[3])
        if start >> 12 != (start + size - 1) >> 12:
            print(f"{k} kernel: {f[3]} at {f[0]} ({size} bytes) straddles a page")
            bad = 1
if len(seen) != 3:
    print(f"{k} kernel: memcpy_orig, __memmove or memset_orig not found")
    bad = 1
sys.exit(bad)' "$v" || die "bench: a copy loop straddles a page of code (see above)"
done

# The initramfs: busybox, bench/initramfs/init, upstream's dma_map_benchmark tool.
root=$BUILD/bench-initramfs.d
out=$BUILD/bench-initramfs.cpio
step "bench: initramfs with dma_map_benchmark (static)"
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp} "$BUILD/bench-inc/linux"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$TOP/bench/initramfs/init" "$root/init"
mkdir -p "$root/lib"
cp "$TOP/mk/initramfs/lib/storage-jobs.sh" "$root/lib/"
cp "$KSRC/include/linux/map_benchmark.h" "$BUILD/bench-inc/linux/"
logged "$LOGS/bench-tool.log" gcc -static -O2 -I"$BUILD/bench-inc" -o "$root/bin/dma_map_benchmark" \
	"$KSRC/tools/testing/selftests/dma/dma_map_benchmark.c"
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) >"$out"

# Alternate: base ours base ours ..., each CPU count of BENCH_SMP in turn.
for r in $(seq 1 "$ROUNDS"); do
	[ "$BENCH_RNVME" = only ] && break
	for n in $BENCH_SMP; do
		t=$(smp_tag "$n")
		for v in base ours; do
			[ "$BENCH_STORAGE" = only ] && break
			log=$LOGS/bench-$v-$r$t.log
			step "bench: round $r/$ROUNDS, -smp $n, $([ $v = base ] && echo "upstream's" || echo our) swiotlb (log: ${log#"$TOP"/})"
			KOBJ=$BUILD/obj-bench-$v QEMU_QUIET=1 QEMU_SMP=$n "$TOP/mk/qemu.sh" "$log" \
				"${BENCH_TIMEOUT:-600}" "quiet $BENCH_ARGS bench.secs=$BENCH_SECS" \
				-initrd "$out" -device edu ||
				die "the $v kernel did not finish its run; see $log"
			grep -q '^bench: done' "$log" || die "no 'bench: done' in $log"
		done
		[ "$BENCH_STORAGE" = 0 ] && continue
		for v in base ours; do
			log=$LOGS/bench-storage-$v-$r$t.log
			step "bench: round $r/$ROUNDS, -smp $n, storage, $([ $v = base ] && echo "upstream's swiotlb and drivers" ||
				echo "our swiotlb and drivers") (log: ${log#"$TOP"/})"
			KOBJ=$BUILD/obj-bench-$v QEMU_QUIET=1 QEMU_SMP=$n STORAGE_LOG=$log STORAGE_INITRD=$out \
				STORAGE_ARGS=bench.storage STORAGE_IDLE_MS= "$TOP/mk/storage.sh" ||
				die "the $v kernel did not finish its storage run; see $log"
			grep -q '^bench: done' "$log" || die "no 'bench: done' in $log"
			check_storage "$log"
		done
	done
done
[ "$BENCH_RNVME" = only ] || report_all
[ "$BENCH_RNVME" = 0 ] || ROUNDS=$ROUNDS BENCH_INITRD=$out "$TOP/mk/bench-rnvme.sh"
