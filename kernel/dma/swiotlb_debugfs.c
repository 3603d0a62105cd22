// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb debugfs files: the counters of swiotlb_stats.c and the knobs of
 * the policy, shown. Built with CONFIG_DEBUG_FS only; nothing here counts.
 *
 * Each allocator has a directory (the default one is "swiotlb", a restricted
 * DMA pool's is named after its device-tree node) with:
 *   io_tlb_nslabs            slots of the default and dynamic pools
 *   io_tlb_used              slots in use, transient pools included
 *   io_tlb_used_hiwater      highest io_tlb_used seen; write 0 to reset
 *   io_tlb_transient_nslabs  slots of the live transient pools (reserved
 *                            pools included)
 *   stats                    per pool kind: slots, used, high-water, pools
 *                            added and freed; transient failures; waits,
 *                            their time and timeouts; mapping failures
 *   devices                  per device: slots used now and at most, transient
 *                            pools made for it, waits, timeouts, failures
 *                            (one table for all allocators)
 *   wait_timeout_ms          (rw) how long a mapping that may sleep waits
 *   idle_ms                  (rw) how long a dynamic pool stays unused
 *                            before it is given back
 *
 * Locking: none of its own. The files read the counters as
 * swiotlb_stats.c allows (atomics, per-CPU sums, the table of devices
 * under RCU); the knobs are single words, read with READ_ONCE() by the
 * core.
 */

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/math64.h>
#include <linux/seq_file.h>

#include "swiotlb_internal.h"

/* One line of the "devices" file. */
static void device_show(const struct swiotlb_dev_stats *ds, void *m)
{
	seq_printf(m, "%-24s %8ld %8ld %9ld %6ld %8ld %8ld\n", ds->name,
		   swiotlb_dev_stats_used(ds), atomic_long_read(&ds->used_hiwater),
		   atomic_long_read(&ds->events[SWIOTLB_DEV_TRANSIENT]),
		   atomic_long_read(&ds->events[SWIOTLB_DEV_WAIT]),
		   atomic_long_read(&ds->events[SWIOTLB_DEV_TIMEOUT]),
		   atomic_long_read(&ds->events[SWIOTLB_DEV_FAILURE]));
}

/* The "devices" file: one line per device swiotlb worked for. */
static int devices_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%-24s %8s %8s %9s %6s %8s %8s\n", "device", "used", "hiwater",
		   "transient", "waits", "timeouts", "failures");
	swiotlb_dev_stats_for_each(device_show, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(devices);

static const char * const swiotlb_kind_names[SWIOTLB_POOL_KINDS] = {
	[SWIOTLB_POOL_DEFAULT] = "default",
	[SWIOTLB_POOL_DYNAMIC] = "dynamic",
	[SWIOTLB_POOL_TRANSIENT] = "transient",
};

/* Slots of all pools of @kind together. */
static unsigned long swiotlb_kind_slots(struct io_tlb_mem *mem, enum swiotlb_pool_kind kind)
{
	unsigned long def = mem->defpool.nslabs;

	switch (kind) {
	case SWIOTLB_POOL_DEFAULT:
		return def;
	case SWIOTLB_POOL_DYNAMIC:
		return READ_ONCE(mem->nslabs) - def;
	default:
		return atomic_long_read(&mem->transient_nslabs);
	}
}

/* The "stats" file: everything at once, for people and for scripts. */
static int stats_show(struct seq_file *m, void *unused)
{
	struct io_tlb_mem *mem = m->private;
	struct swiotlb_stats *st = &mem->stats;
	unsigned int k;

	seq_printf(m, "%-10s %10s %10s %10s %8s %8s\n", "kind", "slots", "used",
		   "hiwater", "added", "freed");
	for (k = 0; k < SWIOTLB_POOL_KINDS; k++)
		seq_printf(m, "%-10s %10lu %10ld %10ld %8ld %8ld\n", swiotlb_kind_names[k],
			   swiotlb_kind_slots(mem, k), swiotlb_stats_used(mem, k),
			   atomic_long_read(&st->used_hiwater[k]),
			   atomic_long_read(&st->pools_added[k]),
			   atomic_long_read(&st->pools_freed[k]));
	seq_printf(m, "transient_failed %ld\n", atomic_long_read(&st->transient_failed));
	seq_printf(m, "waiting %u\n", READ_ONCE(mem->nwaiters));
	seq_printf(m, "waits %ld\n", atomic_long_read(&st->waits));
	seq_printf(m, "wait_attempts %ld\n", atomic_long_read(&st->wait_attempts));
	seq_printf(m, "wait_timeouts %ld\n", atomic_long_read(&st->wait_timeouts));
	seq_printf(m, "wait_us_total %lld\n",
		   div_s64(atomic64_read(&st->wait_ns), NSEC_PER_USEC));
	seq_printf(m, "wait_us_max %lld\n",
		   div_s64(atomic64_read(&st->wait_ns_max), NSEC_PER_USEC));
	seq_printf(m, "map_failures %ld\n", atomic_long_read(&st->map_failures));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* A counter: @data points to its atomic_long_t. */
static int counter_get(void *data, u64 *val)
{
	*val = atomic_long_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(counter_fops, counter_get, NULL, "%llu\n");

/* Slots in use in all pools of the allocator @data. */
static int used_get(void *data, u64 *val)
{
	*val = swiotlb_stats_used(data, SWIOTLB_USED_ALL);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(used_fops, used_get, NULL, "%llu\n");

/* The high-water mark of allocator @data, which only takes 0 (to start again). */
static int hiwater_get(void *data, u64 *val)
{
	*val = atomic_long_read(&((struct io_tlb_mem *)data)->used_hiwater);
	return 0;
}

static int hiwater_set(void *data, u64 val)
{
	if (val)
		return -EINVAL;
	swiotlb_stats_restart_hiwater(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hiwater_fops, hiwater_get, hiwater_set, "%llu\n");

/* The default allocator's directory, "swiotlb": the others go under it. */
static struct dentry *swiotlb_debugfs_root;

static void swiotlb_debugfs_files(struct io_tlb_mem *mem, const char *dirname,
				  struct dentry *parent)
{
	mem->debugfs = debugfs_create_dir(dirname, parent);
	debugfs_create_ulong("io_tlb_nslabs", 0400, mem->debugfs, &mem->nslabs);
	debugfs_create_file("io_tlb_used", 0400, mem->debugfs, mem, &used_fops);
	debugfs_create_file("io_tlb_used_hiwater", 0600, mem->debugfs, mem, &hiwater_fops);
	debugfs_create_file("io_tlb_transient_nslabs", 0400, mem->debugfs,
			    &mem->transient_nslabs, &counter_fops);
	debugfs_create_file("stats", 0400, mem->debugfs, mem, &stats_fops);
	debugfs_create_u32("wait_timeout_ms", 0600, mem->debugfs, &mem->wait_timeout_ms);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	debugfs_create_u32("idle_ms", 0600, mem->debugfs, &mem->idle_ms);
#endif
}

/**
 * swiotlb_debugfs_add_default() - show the default allocator's counters
 * @mem:	the default allocator
 *
 * Its directory is "swiotlb" at the top of debugfs, with the table of
 * devices of all allocators; the directories of the others go under it.
 */
void __init swiotlb_debugfs_add_default(struct io_tlb_mem *mem)
{
	swiotlb_debugfs_files(mem, "swiotlb", NULL);
	debugfs_create_file("devices", 0400, mem->debugfs, NULL, &devices_fops);
	swiotlb_debugfs_root = mem->debugfs;
}

/**
 * swiotlb_create_debugfs_files() - show an allocator's counters in debugfs
 * @mem:	an allocator other than the default one (a restricted DMA pool's)
 * @dirname:	its directory, under the default allocator's (at the top of
 *		debugfs for a pool set up before the late initcall that
 *		creates the default allocator's)
 */
void swiotlb_create_debugfs_files(struct io_tlb_mem *mem, const char *dirname)
{
	swiotlb_debugfs_files(mem, dirname, swiotlb_debugfs_root);
}
