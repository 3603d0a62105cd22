#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: two kernels configured alike (configs/base.config +
# bench/bench.config) that differ only in their swiotlb, upstream's
# (build/linux-base) and ours (build/linux), booted alternately on the same
# QEMU with the same arguments, ROUNDS times each; bench/report.py turns the
# logs into bench/results/<date>.md and .png and prints the table.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
BENCH_SECS=${BENCH_SECS:-2}
BENCH_ARGS=${BENCH_ARGS:-"swiotlb=${SWIOTLB_ARG:-2048,force} swiotlb_idle_ms=5000"}
RESULTS=${RESULTS:-$TOP/bench/results}
export CONFIG_FRAGMENTS="$TOP/configs/base.config $TOP/bench/bench.config"

DEPS_EXTRA="python3-matplotlib libc6-dev" "$TOP/mk/deps.sh"

# report: bench/report.py over the logs of every round (Debian's Python, with matplotlib).
report() {
	local logs=() r v
	for r in $(seq 1 "$ROUNDS"); do
		for v in base ours; do
			logs+=("$v:$LOGS/bench-$v-$r.log")
		done
	done
	mkdir -p "$RESULTS"
	step "bench: report"
	/usr/bin/python3 "$TOP/bench/report.py" --out "$RESULTS/$(date +%Y-%m-%d)" \
		--qemu "$(qemu-system-x86_64 --version | head -n 1)" --args "$BENCH_ARGS" \
		--rounds "$ROUNDS" "${logs[@]}"
}

# REPORT_ONLY=1: the report again from the logs of the last run.
if [ -n "${REPORT_ONLY:-}" ]; then
	report
	exit
fi

"$TOP/mk/bench-tree.sh"

# Both kernels, ours first: the baseline then finds nearly everything in ccache.
for v in ours base; do
	src=$KSRC
	[ $v = base ] && src=$BUILD/linux-base
	KSRC=$src KOBJ=$BUILD/obj-bench-$v FRAG=$BUILD/fragment-bench-$v.config \
		BUILD_LOG=$LOGS/build-bench-$v.log "$TOP/mk/config.sh"
	KSRC=$src KOBJ=$BUILD/obj-bench-$v BUILD_LOG=$LOGS/build-bench-$v.log "$TOP/mk/build.sh"
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
cp "$KSRC/include/linux/map_benchmark.h" "$BUILD/bench-inc/linux/"
logged "$LOGS/bench-tool.log" gcc -static -O2 -I"$BUILD/bench-inc" -o "$root/bin/dma_map_benchmark" \
	"$KSRC/tools/testing/selftests/dma/dma_map_benchmark.c"
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) >"$out"

# Alternate: base ours base ours ...
for r in $(seq 1 "$ROUNDS"); do
	for v in base ours; do
		log=$LOGS/bench-$v-$r.log
		step "bench: round $r/$ROUNDS, $([ $v = base ] && echo "upstream's" || echo our) swiotlb (log: ${log#"$TOP"/})"
		KOBJ=$BUILD/obj-bench-$v QEMU_QUIET=1 "$TOP/mk/qemu.sh" "$log" "${BENCH_TIMEOUT:-600}" \
			"quiet $BENCH_ARGS bench.secs=$BENCH_SECS" -initrd "$out" -device edu ||
			die "the $v kernel did not finish its run; see $log"
		grep -q '^bench: done' "$log" || die "no 'bench: done' in $log"
	done
done
report
