// SPDX-License-Identifier: GPL-2.0
/*
 * Parameters of the Rust NVMe PCI driver sample (rust_nvme_pci.rs).
 *
 * This kernel's Rust module! macro has no parameters. The values live in
 * Rust atomics (samples/rust/nvme_pci/params.rs), exported under the names
 * below; this file only registers them under the "rnvme." prefix, so they
 * are set on the kernel command line (rnvme.io_queues=2) and read back in
 * /sys/module/rnvme/parameters/. They are read-only after boot: the driver
 * reads them at probe.
 *
 * The inject_* parameters make the driver misbehave on purpose, for the
 * bad-input checks of make test; 0 (the default) turns each off.
 */

#include <linux/moduleparam.h>

#include "nvme_pci_params.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "rnvme."

module_param_named(io_queues, rnvme_io_queues, uint, 0444);
MODULE_PARM_DESC(io_queues, "I/O queue pairs at most (1-16; default 16): one per CPU up to that");

module_param_named(depth, rnvme_depth, uint, 0444);
MODULE_PARM_DESC(depth, "entries per I/O queue (2-1024, at most the controller's MQES; default 64)");

module_param_named(timeout_ms, rnvme_timeout_ms, uint, 0444);
MODULE_PARM_DESC(timeout_ms, "time an I/O command may take before it is aborted, in ms (default 30000)");

module_param_named(inject_lost, rnvme_inject_lost, uint, 0444);
MODULE_PARM_DESC(inject_lost, "the Nth I/O command is never given to the controller, so it times out");

module_param_named(inject_bad_nsid, rnvme_inject_bad_nsid, uint, 0444);
MODULE_PARM_DESC(inject_bad_nsid, "the Nth I/O command names a namespace that does not exist, so it fails");

module_param_named(inject_stray_cid, rnvme_inject_stray_cid, uint, 0444);
MODULE_PARM_DESC(inject_stray_cid, "1: at probe, send a flush under a command id no request has");

module_param_named(inject_never_ready, rnvme_inject_never_ready, uint, 0444);
MODULE_PARM_DESC(inject_never_ready, "1: at probe, wait for the controller to become ready without enabling it");

module_param_named(inject_empty_ns, rnvme_inject_empty_ns, uint, 0444);
MODULE_PARM_DESC(inject_empty_ns, "1: take namespace 1 as having 0 blocks, as Identify could say");
