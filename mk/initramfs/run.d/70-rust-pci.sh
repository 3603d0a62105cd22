#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Rust PCI sample (rust_nvme_pci) bound an NVMe controller at boot:
# unbind it through sysfs (the driver's data, BAR, interrupt vector and
# handler must all be released) and bind it again (which fails if any of
# them leaked: the BAR region would still be busy, MSI-X still enabled).
# Prints "rust-pci: rebind ok <address>" or "rust-pci: FAILED ...", and the
# sample's kernel messages. Booted by mk/rust-pci.sh; in a guest without a
# controller for it (make run, the storage boot) there is nothing to do.

drv=/sys/bus/pci/drivers/rust_nvme_pci
[ -d $drv ] || { echo "rust-pci: sample not built in or left out"; exit 0; }
addr=
for d in $drv/0000:*; do
	[ -e "$d" ] && addr=${d##*/}
done
[ -n "$addr" ] || { echo "rust-pci: no controller bound to rust_nvme_pci"; exit 0; }

before=$(dmesg | grep -c 'rust_nvme_pci: .* interrupts=')
echo "$addr" >$drv/unbind || { echo "rust-pci: FAILED: unbind $addr"; exit 1; }
[ -e $drv/$addr ] && { echo "rust-pci: FAILED: $addr still bound after unbind"; exit 1; }
echo "$addr" >$drv/bind
dmesg | sed -n 's/^\[[^]]*\] //; /rust_nvme_pci/p'
after=$(dmesg | grep -c 'rust_nvme_pci: .* interrupts=')
if [ -e $drv/$addr ] && [ "$after" -gt "$before" ]; then
	echo "rust-pci: rebind ok $addr"
else
	echo "rust-pci: FAILED: $addr not bound again"
	exit 1
fi
