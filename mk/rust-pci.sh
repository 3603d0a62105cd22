#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Rust PCI boot of `make test` (and `make rust-pci`): QEMU's NVMe
# controller over a small raw image in build/, bound by the Rust sample
# samples/rust/rust_nvme_pci.rs instead of the C driver, which is left out
# with initcall_blacklist=nvme_init (both are built in). The sample prints
# what it found at probe; the guest's run.d/70-rust-pci.sh unbinds it and
# binds it again. KUnit and the bounce sample stay off; the mappings bounce
# as in every boot (swiotlb=...,force), though the sample only uses
# coherent memory.
. "$(dirname "$0")/lib.sh"

"$TOP/mk/initramfs.sh"
img=$BUILD/rust-pci-nvme.img
rm -f "$img"
truncate -s 16M "$img"
step "rust-pci: booting with an NVMe controller for the Rust sample (log: ${LOGS#"$TOP"/}/rust-pci.log)"
rc=0
"$TOP/mk/qemu.sh" "$LOGS/rust-pci.log" "${RUST_PCI_TIMEOUT:-300}" \
	"hung_task_panic=1 swiotlb=${SWIOTLB_ARG:-2048,force} kunit.enable=0 nvme_bounce.count=0 initcall_blacklist=nvme_init ${RUST_PCI_ARGS:-}" \
	-initrd "$BUILD/initramfs.cpio" \
	-drive "if=none,id=nvme0,file=$img,format=raw,cache=unsafe" \
	-device nvme,serial=rust-pci-0001,drive=nvme0 || rc=$?
rm -f "$img"
exit "$rc"
