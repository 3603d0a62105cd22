#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The C-vs-Rust row of `make bench` (BENCH_RNVME=0 leaves it out, =only runs
# it alone): QEMU's NVMe controller driven by upstream's C nvme driver or by
# the Rust NVMe driver sample (samples/rust/rust_nvme_pci.rs), on the same
# kernel (make test's: our swiotlb, both drivers built in, the other one kept
# off with initcall_blacklist=) and the same swiotlb=512,force, alternately
# (C, Rust, C, ...) for ROUNDS rounds. Each boot runs the storage workload of
# make test and make bench (/lib/storage-jobs.sh: 8 dd jobs of 32 MiB, 1 MiB
# O_DIRECT writes, then reads, MD5-checked) on its one disk. Throughput is
# the data moved (written and read) over the wall time of the jobs; the
# report, bench/results/<date>-rnvme.md, gives the median and the spread of
# each driver and their ratio, Rust over C (target: at least 0.8).
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-5}
RESULTS=${RESULTS:-$TOP/bench/results}
initrd=${BENCH_INITRD:-$BUILD/bench-initramfs.cpio}
[ -f "$initrd" ] || die "no $initrd: mk/bench.sh builds it"
# make test's kernel, configured from configs/*.config whatever the caller
# (mk/bench.sh exports the benchmark kernels' fragments).
unset CONFIG_FRAGMENTS FRAG KOBJ
. "$TOP/mk/lib.sh"
"$TOP/mk/config.sh"
"$TOP/mk/build.sh"

img=$BUILD/bench-rnvme.img
logs=()
for r in $(seq 1 "$ROUNDS"); do
	for drv in c rust; do
		log=$LOGS/bench-rnvme-$drv-$r.log
		case $drv in
		c) args="initcall_blacklist=__rust_nvme_pci_init" ;;
		rust) args="initcall_blacklist=nvme_init bench.rnvme" ;;
		esac
		rm -f "$img" "$log"
		truncate -s 512M "$img"
		step "bench: round $r/$ROUNDS, NVMe with the $([ $drv = c ] && echo "C" || echo "Rust") driver (log: ${log#"$TOP"/})"
		QEMU_QUIET=1 "$TOP/mk/qemu.sh" "$log" "${BENCH_TIMEOUT:-600}" \
			"quiet hung_task_panic=1 swiotlb=512,force kunit.enable=0 nvme_bounce.count=0 bench.storage $args" \
			-initrd "$initrd" \
			-drive "if=none,id=nvme0,file=$img,format=raw,cache=unsafe" \
			-device nvme,serial=bench-rnvme,drive=nvme0 ||
			die "the $drv driver's boot did not finish; see $log"
		grep -aq '^bench: error' "$log" && die "$(grep -a '^bench: error' "$log") (see $log)"
		grep -aqE "^bench: storage disk=$([ $drv = c ] && echo nvme || echo rnvme)[0-9]+n1 .*verified=8 " "$log" ||
			die "no verified run of the $drv driver in $log"
		logs+=("$drv:$log")
	done
done
rm -f "$img"
mkdir -p "$RESULTS"
step "bench: C-vs-Rust report"
/usr/bin/python3 "$TOP/bench/report_rnvme.py" --out "$RESULTS/$(date +%Y-%m-%d)-rnvme" \
	--qemu "$(qemu-system-x86_64 --version | head -n 1)" ${QEMU_PREALLOC:+--prealloc} "${logs[@]}"
