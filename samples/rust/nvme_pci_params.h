/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parameters of the Rust NVMe PCI driver sample: Rust atomics
 * (samples/rust/nvme_pci/params.rs, exported under these names) that
 * nvme_pci_params.c registers as module parameters.
 */
#ifndef _SAMPLES_RUST_NVME_PCI_PARAMS_H
#define _SAMPLES_RUST_NVME_PCI_PARAMS_H

extern unsigned int rnvme_io_queues;
extern unsigned int rnvme_depth;
extern unsigned int rnvme_timeout_ms;
extern unsigned int rnvme_inject_lost;
extern unsigned int rnvme_inject_bad_nsid;
extern unsigned int rnvme_inject_stray_cid;
extern unsigned int rnvme_inject_never_ready;
extern unsigned int rnvme_inject_empty_ns;

#endif /* _SAMPLES_RUST_NVME_PCI_PARAMS_H */
