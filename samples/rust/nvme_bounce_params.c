// SPDX-License-Identifier: GPL-2.0
/*
 * Parameters of the Rust NVMe-like bounce sample (rust_nvme_bounce.rs).
 *
 * The Rust module! macro of this kernel has no module parameters, so they
 * are declared here, under the "nvme_bounce." prefix: set them on the kernel
 * command line (nvme_bounce.depth=32) and read them back in
 * /sys/module/nvme_bounce/parameters/. The sample reads the variables once,
 * when it starts.
 */

#include <linux/moduleparam.h>

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "nvme_bounce."

unsigned int nvme_bounce_queues = 2;
module_param_named(queues, nvme_bounce_queues, uint, 0444);
MODULE_PARM_DESC(queues, "I/O queue pairs (1-8)");

unsigned int nvme_bounce_depth = 8;
module_param_named(depth, nvme_bounce_depth, uint, 0444);
MODULE_PARM_DESC(depth, "commands in flight per queue (1-64)");

unsigned int nvme_bounce_io_kb = 32;
module_param_named(io_kb, nvme_bounce_io_kb, uint, 0444);
MODULE_PARM_DESC(io_kb, "bytes per I/O, in KiB (1-256)");

unsigned int nvme_bounce_count = 256;
module_param_named(count, nvme_bounce_count, uint, 0444);
MODULE_PARM_DESC(count, "blocks written and read back; 0 skips the run");

char *nvme_bounce_mode = "mixed";
module_param_named(mode, nvme_bounce_mode, charp, 0444);
MODULE_PARM_DESC(mode,
		 "mixed: writes may sleep, read-backs are mapped atomically from the completion path; sleep: every map may sleep; atomic: no map sleeps");

unsigned int nvme_bounce_pool_kb = 128;
module_param_named(pool_kb, nvme_bounce_pool_kb, uint, 0444);
MODULE_PARM_DESC(pool_kb, "the simulated device's own bounce pool, in KiB");

unsigned int nvme_bounce_reserve_kb;
module_param_named(reserve_kb, nvme_bounce_reserve_kb, uint, 0444);
MODULE_PARM_DESC(reserve_kb, "bounce memory the driver reserves for its device, in KiB (0: none)");

unsigned int nvme_bounce_latency_us = 100;
module_param_named(latency_us, nvme_bounce_latency_us, uint, 0444);
MODULE_PARM_DESC(latency_us, "simulated time the controller takes per command, in microseconds");
