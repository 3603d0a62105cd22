#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-rust-pci.sh LOG WHAT: check the Rust PCI sample's lines in the log
# of mk/rust-pci.sh. WHAT is one of
#   probed      it bound QEMU's controller (1b36:0010) and read a version
#               1.x from VS and a non-zero CAP.TO
#   identify    Identify Controller came back: QEMU's model, the serial the
#               boot gave the disk
#   interrupt   the completion raised an interrupt (MSI-X, MSI or INTx) that
#               the handler counted
#   rebind      unbinding released everything: the sample bound again
#               (run.d/70-rust-pci.sh) and said it was unbound in between
#   exclusive   the C NVMe driver did not take the controller
set -euo pipefail

log=$1
line=$(grep -o 'rust_nvme_pci: 1b36:0010 .*' "$log" | head -n 1 || true)
[ -n "$line" ] || { echo "no rust_nvme_pci probe line in $log"; exit 1; }
echo "$line"
case $2 in
probed) grep -qE ' vs=1\.[0-9]+\.[0-9]+ mqes=[1-9][0-9]* to_ms=[1-9][0-9]* ' <<<"$line" ;;
identify) grep -qF 'model="QEMU NVMe Ctrl" serial="rust-pci-0001"' <<<"$line" ;;
interrupt) grep -qE ' irq=(msix|msi|intx) .* interrupts=[1-9][0-9]*$' <<<"$line" ;;
rebind)
	[ "$(grep -c 'rust_nvme_pci: 1b36:0010 .*interrupts=' "$log")" -ge 2 ] &&
		grep -q 'rust_nvme_pci: unbound after [0-9]* interrupts' "$log" &&
		grep -q '^rust-pci: rebind ok ' "$log" ;;
exclusive) ! grep -qE '^(\[[^]]*\] )?nvme nvme[0-9]' "$log" ;;
*) echo "unknown check $2"; exit 2 ;;
esac
