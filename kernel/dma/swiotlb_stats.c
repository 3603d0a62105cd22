// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb statistics: the counters behind debugfs and their files.
 *
 * Each allocator has a directory (the default one is "swiotlb", a restricted
 * DMA pool's is named after its device-tree node) with:
 *   io_tlb_nslabs            slots of the default and dynamic pools
 *   io_tlb_used              slots in use, transient pools included
 *   io_tlb_used_hiwater      highest io_tlb_used seen; write 0 to reset
 *   io_tlb_transient_nslabs  slots of the live transient pools
 *   stats                    per pool kind: slots, used, high-water, pools
 *                            added and freed; transient failures; waits,
 *                            their time and timeouts; mapping failures
 *   devices                  per device: slots used now and at most, transient
 *                            pools made for it, waits, timeouts, failures
 *                            (one table for all allocators)
 *   wait_timeout_ms          (rw) how long a mapping that may sleep waits
 *   idle_pool_ms             (rw) how long a dynamic pool stays unused
 *                            before it is given back
 *
 * Locking: the counters are atomics, updated after the slot allocator has
 * done its work; a reader may see them a moment behind it. The table of
 * per-device records is read under RCU and changed under
 * swiotlb_devices_lock (irq-safe; nothing is taken under it).
 */

#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/hashtable.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/init.h>
#include <linux/seq_file.h>

#include "swiotlb_internal.h"

/* ---- Per device ---- */

/*
 * One record per device that bounced, failed or waited, created on the
 * spot (GFP_ATOMIC: mappings come from any context; without memory the
 * device is simply not counted) and dropped when the device is released.
 * Lookups are lock-free under RCU; the lock serialises changes.
 */
static DEFINE_HASHTABLE(swiotlb_devices, 6);
static DEFINE_SPINLOCK(swiotlb_devices_lock);

/**
 * swiotlb_dev_stats_find() - the record of @dev, if it has one
 * @dev:	the device
 *
 * Return: the record; it lives until @dev is released.
 */
struct swiotlb_dev_stats *swiotlb_dev_stats_find(struct device *dev)
{
	struct swiotlb_dev_stats *ds, *found = NULL;

	rcu_read_lock();
	hash_for_each_possible_rcu(swiotlb_devices, ds, node, (unsigned long)dev) {
		if (ds->dev == dev) {
			found = ds;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static struct swiotlb_dev_stats *swiotlb_dev_stats_get(struct device *dev)
{
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_find(dev);
	struct swiotlb_dev_stats *other;
	unsigned long flags;

	if (likely(ds))
		return ds;
	if (swiotlb_should_fail(SWIOTLB_FAIL_DEV_STATS, sizeof(*ds)))
		return NULL;
	ds = kzalloc(sizeof(*ds), GFP_ATOMIC | __GFP_NOWARN);
	if (!ds)
		return NULL;
	ds->dev = dev;
	strscpy(ds->name, dev_name(dev), sizeof(ds->name));

	spin_lock_irqsave(&swiotlb_devices_lock, flags);
	other = swiotlb_dev_stats_find(dev);
	if (!other)
		hash_add_rcu(swiotlb_devices, &ds->node, (unsigned long)dev);
	spin_unlock_irqrestore(&swiotlb_devices_lock, flags);
	if (other) {
		kfree(ds);
		ds = other;
	}
	return ds;
}

/**
 * swiotlb_dev_stats_drop() - forget the record of a device being released
 * @dev:	the device
 */
void swiotlb_dev_stats_drop(struct device *dev)
{
	struct swiotlb_dev_stats *ds;
	unsigned long flags;

	spin_lock_irqsave(&swiotlb_devices_lock, flags);
	ds = swiotlb_dev_stats_find(dev);
	if (ds)
		hash_del_rcu(&ds->node);
	spin_unlock_irqrestore(&swiotlb_devices_lock, flags);
	if (ds)
		kfree_rcu(ds, rcu);
}

/**
 * swiotlb_dev_event() - count an event of a device
 * @dev:	the device
 * @event:	what happened
 */
void swiotlb_dev_event(struct device *dev, enum swiotlb_dev_event event)
{
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_get(dev);

	if (ds)
		atomic_long_inc(&ds->events[event]);
}

/* ---- Per allocator ---- */

static void swiotlb_raise(atomic_long_t *mark, long val)
{
	long old = atomic_long_read(mark);

	while (val > old && !atomic_long_try_cmpxchg(mark, &old, val))
		;
}

/**
 * swiotlb_stats_take() - count slots taken by @dev from a pool of kind @kind
 * @dev:	device of the mapping
 * @kind:	kind of the pool
 * @nslots:	slots taken
 */
void swiotlb_stats_take(struct device *dev, enum swiotlb_pool_kind kind,
			unsigned int nslots)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_get(dev);

	swiotlb_raise(&mem->used_hiwater, atomic_long_add_return(nslots, &mem->total_used));
	swiotlb_raise(&mem->stats.used_hiwater[kind],
		      atomic_long_add_return(nslots, &mem->stats.used[kind]));
	if (ds)
		swiotlb_raise(&ds->used_hiwater, atomic_long_add_return(nslots, &ds->used));
}

/**
 * swiotlb_stats_give() - count slots given back by @dev to a pool of kind @kind
 * @dev:	device of the mapping
 * @kind:	kind of the pool
 * @nslots:	slots given back
 */
void swiotlb_stats_give(struct device *dev, enum swiotlb_pool_kind kind,
			unsigned int nslots)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_find(dev);

	atomic_long_sub(nslots, &mem->total_used);
	atomic_long_sub(nslots, &mem->stats.used[kind]);
	if (ds)
		atomic_long_sub(nslots, &ds->used);
}

/* The "devices" file: one line per device swiotlb worked for. */
static int devices_show(struct seq_file *m, void *unused)
{
	struct swiotlb_dev_stats *ds;
	unsigned int bkt;

	seq_printf(m, "%-24s %8s %8s %9s %6s %8s %8s\n", "device", "used", "hiwater",
		   "transient", "waits", "timeouts", "failures");
	rcu_read_lock();
	hash_for_each_rcu(swiotlb_devices, bkt, ds, node)
		seq_printf(m, "%-24s %8ld %8ld %9ld %6ld %8ld %8ld\n", ds->name,
			   atomic_long_read(&ds->used), atomic_long_read(&ds->used_hiwater),
			   atomic_long_read(&ds->events[SWIOTLB_DEV_TRANSIENT]),
			   atomic_long_read(&ds->events[SWIOTLB_DEV_WAIT]),
			   atomic_long_read(&ds->events[SWIOTLB_DEV_TIMEOUT]),
			   atomic_long_read(&ds->events[SWIOTLB_DEV_FAILURE]));
	rcu_read_unlock();
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
			   swiotlb_kind_slots(mem, k), atomic_long_read(&st->used[k]),
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

/* A high-water mark, which only takes 0 (to start again). */
static int hiwater_set(void *data, u64 val)
{
	if (val)
		return -EINVAL;
	atomic_long_set(data, 0);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hiwater_fops, counter_get, hiwater_set, "%llu\n");

/**
 * swiotlb_create_debugfs_files() - show an allocator's counters in debugfs
 * @mem:	the allocator
 * @dirname:	its directory, under the default allocator's (or at the
 *		top for the default allocator itself)
 */
void swiotlb_create_debugfs_files(struct io_tlb_mem *mem, const char *dirname)
{
	struct dentry *parent = mem == &io_tlb_default_mem ? NULL :
				io_tlb_default_mem.debugfs;

	mem->debugfs = debugfs_create_dir(dirname, parent);
	debugfs_create_ulong("io_tlb_nslabs", 0400, mem->debugfs, &mem->nslabs);
	debugfs_create_file("io_tlb_used", 0400, mem->debugfs, &mem->total_used,
			    &counter_fops);
	debugfs_create_file("io_tlb_used_hiwater", 0600, mem->debugfs, &mem->used_hiwater,
			    &hiwater_fops);
	debugfs_create_file("io_tlb_transient_nslabs", 0400, mem->debugfs,
			    &mem->transient_nslabs, &counter_fops);
	debugfs_create_file("stats", 0400, mem->debugfs, mem, &stats_fops);
	if (mem == &io_tlb_default_mem)
		debugfs_create_file("devices", 0400, mem->debugfs, NULL, &devices_fops);
	debugfs_create_u32("wait_timeout_ms", 0600, mem->debugfs, &mem->wait_timeout_ms);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	debugfs_create_u32("idle_pool_ms", 0600, mem->debugfs, &mem->idle_ms);
#endif
}

static int __init swiotlb_debugfs_init(void)
{
	swiotlb_create_debugfs_files(&io_tlb_default_mem, "swiotlb");
	return 0;
}
late_initcall(swiotlb_debugfs_init);
