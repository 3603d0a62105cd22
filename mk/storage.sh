#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The storage boot of `make test` (and `make storage`): upstream's C drivers
# on QEMU's NVMe controller and on a virtio-blk disk that goes through the
# DMA API (iommu_platform=on), both over sparse raw images in build/, with a
# 1 MiB swiotlb pool that every mapping must bounce through. The guest runs
# mk/initramfs/run.d/60-storage.sh: 8 parallel O_DIRECT dd jobs per disk,
# MD5-verified, then it waits for the pools to be given back.
#
# The Rust sample and KUnit stay off (nvme_bounce.count=0, kunit.enable=0),
# so the swiotlb sees only the disks; the Rust PCI sample, built in too, is
# left out (initcall_blacklist=) so that the C driver gets the controller.
# swiotlb_idle_ms=2000 shortens the idle rule, so the pools are back within
# seconds of the last I/O.
#
# make bench boots its two kernels the same way, with an initramfs and a log
# of its own: STORAGE_INITRD (default make run's, built here first) and
# STORAGE_LOG (default build/logs/storage.log).
#
# Disk cache mode: cache=unsafe, i.e. QEMU's writes land in the host's page
# cache and flushes are ignored: what is tested is the guest's DMA path, not
# the host's durability, and the images are thrown away after the boot (the
# build host is shared; host syncs would only slow everyone down).
. "$(dirname "$0")/lib.sh"

log=${STORAGE_LOG:-$LOGS/storage.log}
# STORAGE_IDLE_MS: the idle rule of the boot; empty: the kernel's default.
idle=${STORAGE_IDLE_MS-2000}
initrd=${STORAGE_INITRD:-$BUILD/initramfs.cpio}
[ -n "${STORAGE_INITRD:-}" ] || "$TOP/mk/initramfs.sh"
imgs=()
for d in nvme vblk; do
	img=$BUILD/storage-$d.img
	rm -f "$img"
	truncate -s 256M "$img"
	imgs+=("$img")
done
step "storage: booting with NVMe and virtio-blk disks (swiotlb=${STORAGE_SWIOTLB:-512,force}; log: ${log#"$TOP"/})"
rc=0
"$TOP/mk/qemu.sh" "$log" "${STORAGE_TIMEOUT:-600}" \
	"quiet hung_task_panic=1 swiotlb=${STORAGE_SWIOTLB:-512,force} ${idle:+swiotlb_idle_ms=$idle }kunit.enable=0 nvme_bounce.count=0 initcall_blacklist=__rust_nvme_pci_init ${STORAGE_ARGS:-}" \
	-initrd "$initrd" \
	-drive "if=none,id=nvme0,file=${imgs[0]},format=raw,cache=unsafe" \
	-device nvme,serial=swiotlb-nvme,drive=nvme0 \
	-drive "if=none,id=vblk0,file=${imgs[1]},format=raw,cache=unsafe" \
	-device "virtio-blk-pci,drive=vblk0,disable-legacy=on,iommu_platform=on${STORAGE_VIRTIO_OPTS:-}" || rc=$?
rm -f "${imgs[@]}"
exit "$rc"
