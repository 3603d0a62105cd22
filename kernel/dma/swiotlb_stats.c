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
 *   idle_ms                  (rw) how long a dynamic pool stays unused
 *                            before it is given back
 *
 * Slots in use are counted per CPU (mem->used: slots taken on the CPU less
 * slots given back on it, per pool kind and in all), so that a map or an
 * unmap writes no cache line that other CPUs write too; a reader adds up
 * the CPUs (swiotlb_stats_used()). The high-water marks need to know when
 * the sum goes higher than ever, which no CPU sees alone. So each CPU has a
 * budget per count, the budgets of all CPUs adding up to no more than the
 * mark: while every CPU stays within its budget, the sum stays within the
 * mark, and the mark cannot have moved. A CPU that goes over its budget
 * takes the lock and moves budget from CPUs that have some to spare (a CPU
 * that gave back more than it took has); only when none is left is the sum
 * at a new high, and the mark is raised to it. In a steady load (each CPU
 * giving back what it takes, or within what it held at the peak) nothing is
 * shared; when mappings are made on one CPU and ended on another, the
 * mapping CPU takes the lock whenever it has used up what the other CPU
 * freed.
 *
 * Locking: each CPU's counts are written by that CPU with interrupts off;
 * mem->used_lock (a raw spinlock: the map path takes it with interrupts
 * off, where PREEMPT_RT allows no sleeping lock; held, with interrupts
 * off, for up to four walks of the possible CPUs when a map finds no spare
 * budget anywhere, which happens on every map of a climb to a new high:
 * a cost that grows with the number of CPUs) serialises the moves of budget and the raising of the
 * marks, and no other lock is taken under it. A reader may see the counts a moment behind
 * the allocator: a sum of CPUs is exact when no map or unmap runs meanwhile.
 * Budgets of other CPUs are written under the lock while their CPUs may be
 * reading them: a peak made by CPUs mapping at the same moment as the budgets
 * move may be missed by the mark, never a peak made one map at a time.
 *
 * The table of per-device records is read under RCU and changed under
 * swiotlb_devices_lock (irq-safe; nothing is taken under it). Each CPU
 * remembers the record it used last (swiotlb_dev_recent), so that a map or
 * unmap for the same device as the one before finds its record without a
 * lookup in the table; a record being dropped is first marked as such and
 * taken out of every CPU's memory, then freed after a grace period.
 */

#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/percpu.h>
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
static DEFINE_PER_CPU(struct swiotlb_dev_stats *, swiotlb_dev_recent);

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

/* The record of @dev from the table; with @create, made if missing. */
static struct swiotlb_dev_stats *swiotlb_dev_stats_lookup(struct device *dev, bool create)
{
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_find(dev);
	struct swiotlb_dev_stats *other;
	unsigned long flags;

	if (likely(ds) || !create)
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

/*
 * Remember @ds as this CPU's last record. A record being dropped may have
 * been taken out of every CPU's memory just before this store: then it
 * must not stay. The drop marks the record, then clears the CPUs' memory;
 * this stores, then reads the mark. With a full barrier on each side, either
 * the drop sees the record stored here and clears it, or this sees the mark
 * and takes the record out itself.
 */
static void swiotlb_dev_stats_remember(struct swiotlb_dev_stats *ds)
{
	struct swiotlb_dev_stats **slot = raw_cpu_ptr(&swiotlb_dev_recent);

	WRITE_ONCE(*slot, ds);
	/* The store before the read of the mark: see above. */
	smp_mb();
	if (unlikely(READ_ONCE(ds->dropped)))
		cmpxchg(slot, ds, NULL);
}

/*
 * The record of @dev when it is the one this CPU used last: no table
 * lookup. The caller holds the RCU read lock, which keeps whatever this
 * CPU's memory points to from being freed: a dropped record may still be
 * stored into a CPU's memory by a reader that looked it up before the drop
 * (and take it out again at once), so it is freed only after two grace
 * periods, see swiotlb_dev_stats_drop().
 */
static struct swiotlb_dev_stats *swiotlb_dev_stats_recent(struct device *dev)
{
	struct swiotlb_dev_stats *ds = READ_ONCE(*raw_cpu_ptr(&swiotlb_dev_recent));

	if (likely(ds && ds->dev == dev && !READ_ONCE(ds->dropped)))
		return ds;
	return NULL;
}

/*
 * The record of @dev for a map or unmap: this CPU's last one if it is
 * @dev's, else from the table (then remembered); with @create, made if
 * missing.
 */
static struct swiotlb_dev_stats *swiotlb_dev_stats_fast(struct device *dev, bool create)
{
	struct swiotlb_dev_stats *ds;

	rcu_read_lock();
	ds = swiotlb_dev_stats_recent(dev);
	if (unlikely(!ds)) {
		swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "device record lookup");
		ds = swiotlb_dev_stats_lookup(dev, create);
		if (ds)
			swiotlb_dev_stats_remember(ds);
	}
	rcu_read_unlock();
	return ds;
}

/* The first grace period after a drop has passed: free after a second one. */
static void swiotlb_dev_stats_free_later(struct rcu_head *head)
{
	struct swiotlb_dev_stats *ds = container_of(head, struct swiotlb_dev_stats, rcu);

	kfree_rcu(ds, rcu);
}

/**
 * swiotlb_dev_stats_drop() - forget the record of a device being released
 * @dev:	the device
 */
void swiotlb_dev_stats_drop(struct device *dev)
{
	struct swiotlb_dev_stats *ds;
	unsigned long flags;
	int cpu;

	spin_lock_irqsave(&swiotlb_devices_lock, flags);
	ds = swiotlb_dev_stats_find(dev);
	if (ds) {
		hash_del_rcu(&ds->node);
		WRITE_ONCE(ds->dropped, true);
	}
	spin_unlock_irqrestore(&swiotlb_devices_lock, flags);
	if (!ds)
		return;
	/* Pairs with the barrier in swiotlb_dev_stats_remember(). */
	smp_mb();
	for_each_possible_cpu(cpu)
		cmpxchg(per_cpu_ptr(&swiotlb_dev_recent, cpu), ds, NULL);
	/*
	 * A reader that found @ds in the table before it was deleted may store
	 * it into a CPU's memory after the loop above, and take it out only
	 * later in its read-side section; a second reader may load it from
	 * there meanwhile. After one grace period no such first reader is left,
	 * so no CPU's memory holds @ds; after a second one no reader that
	 * loaded it from there is left.
	 */
	call_rcu(&ds->rcu, swiotlb_dev_stats_free_later);
}

/**
 * swiotlb_dev_event() - count an event of a device
 * @dev:	the device
 * @event:	what happened
 */
void swiotlb_dev_event(struct device *dev, enum swiotlb_dev_event event)
{
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_lookup(dev, true);

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

/* The high-water mark of count @which (a pool kind or %SWIOTLB_USED_ALL). */
static atomic_long_t *swiotlb_used_mark(struct io_tlb_mem *mem, unsigned int which)
{
	return which == SWIOTLB_USED_ALL ? &mem->used_hiwater :
					   &mem->stats.used_hiwater[which];
}

/**
 * swiotlb_stats_init() - set up the per-CPU counts of an allocator
 * @mem:	an allocator other than the default one (whose counts are static)
 *
 * Context: process context; may sleep.
 * Return: 0 or -ENOMEM.
 */
int swiotlb_stats_init(struct io_tlb_mem *mem)
{
	raw_spin_lock_init(&mem->used_lock);
	mem->used = alloc_percpu(struct swiotlb_used);
	return mem->used ? 0 : -ENOMEM;
}

/**
 * swiotlb_stats_exit() - free what swiotlb_stats_init() set up
 * @mem:	the allocator, no longer used
 */
void swiotlb_stats_exit(struct io_tlb_mem *mem)
{
	free_percpu(mem->used);
	mem->used = NULL;
}

/**
 * swiotlb_stats_used() - slots in use in an allocator, added up over the CPUs
 * @mem:	the allocator
 * @which:	a pool kind, or %SWIOTLB_USED_ALL for all kinds together
 *
 * Exact when no map or unmap of @mem runs meanwhile; a moment behind the
 * allocator otherwise. The CPUs are read one after the other: the sum may
 * count the unmap of a mapping made on another CPU and not the map, and go
 * below zero; it reads 0 then, for debugfs, swiotlb_read_counters() and the
 * high-water marks alike.
 *
 * Return: the slots, never less than 0.
 */
long swiotlb_stats_used(struct io_tlb_mem *mem, unsigned int which)
{
	long sum = 0;
	int cpu;

	if (!mem->used)
		return 0;
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(mem->used, cpu)->used[which]);
	return max(sum, 0L);
}

/*
 * @a - @b for a count of one CPU and its budget. Counts and budgets are
 * only ever compared through this difference: on a CPU that only maps,
 * both grow without end and wrap (on 32 bits, after 2^31 slots), while
 * what lies between them stays small.
 */
static long swiotlb_used_diff(long a, long b)
{
	return (long)((unsigned long)a - (unsigned long)b);
}

/*
 * Count @which of this CPU (@mine) went over its budget: move budget to it
 * from CPUs that have more than they use, or, if there is not enough,
 * raise the mark to the new high and leave every CPU the budget it uses.
 * The budgets of all CPUs never add up to more than the mark. Interrupts
 * are off and mem->used_lock is held.
 */
static void swiotlb_used_rebalance(struct io_tlb_mem *mem, struct swiotlb_used *mine,
				   unsigned int which)
{
	long need = swiotlb_used_diff(mine->used[which], mine->budget[which]);
	struct swiotlb_used *u;
	long spare, take;
	int cpu;

	if (need <= 0)
		return;
	for_each_possible_cpu(cpu) {
		u = per_cpu_ptr(mem->used, cpu);
		if (u == mine)
			continue;
		spare = swiotlb_used_diff(READ_ONCE(u->budget[which]), READ_ONCE(u->used[which]));
		if (spare <= 0)
			continue;
		/* What is needed, and half of the rest: fewer moves under drift. */
		take = min(spare, need + (spare - min(spare, need)) / 2);
		WRITE_ONCE(u->budget[which], u->budget[which] - take);
		WRITE_ONCE(mine->budget[which], mine->budget[which] + take);
		need -= take;
		if (need <= 0)
			return;
	}
	/*
	 * No CPU has budget to spare: the sum is at a new high. Every other
	 * CPU was left its use as budget, this one gets its own: the budgets
	 * add up to the sum, which becomes the mark.
	 */
	WRITE_ONCE(mine->budget[which], mine->used[which]);
	swiotlb_raise(swiotlb_used_mark(mem, which), swiotlb_stats_used(mem, which));
}

/* Count @n slots taken (@n > 0) or given back (@n < 0) on this CPU. */
static void swiotlb_used_add(struct io_tlb_mem *mem, enum swiotlb_pool_kind kind, long n)
{
	struct swiotlb_used *u;
	unsigned long flags;

	if (unlikely(!mem->used))
		return;
	local_irq_save(flags);
	u = this_cpu_ptr(mem->used);
	WRITE_ONCE(u->used[kind], u->used[kind] + n);
	WRITE_ONCE(u->used[SWIOTLB_USED_ALL], u->used[SWIOTLB_USED_ALL] + n);
	if (unlikely(swiotlb_used_diff(u->used[kind], READ_ONCE(u->budget[kind])) > 0 ||
		     swiotlb_used_diff(u->used[SWIOTLB_USED_ALL],
				       READ_ONCE(u->budget[SWIOTLB_USED_ALL])) > 0)) {
		swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "counter budget");
		raw_spin_lock(&mem->used_lock);
		swiotlb_used_rebalance(mem, u, kind);
		swiotlb_used_rebalance(mem, u, SWIOTLB_USED_ALL);
		raw_spin_unlock(&mem->used_lock);
	}
	local_irq_restore(flags);
}

/*
 * Start the high-water mark of all kinds again from the slots in use now
 * (debugfs io_tlb_used_hiwater). Every CPU is left its use as budget, so
 * that the budgets add up to the new mark.
 */
static void swiotlb_used_restart(struct io_tlb_mem *mem)
{
	struct swiotlb_used *u;
	unsigned long flags;
	int cpu;

	if (!mem->used)
		return;
	raw_spin_lock_irqsave(&mem->used_lock, flags);
	for_each_possible_cpu(cpu) {
		u = per_cpu_ptr(mem->used, cpu);
		WRITE_ONCE(u->budget[SWIOTLB_USED_ALL], READ_ONCE(u->used[SWIOTLB_USED_ALL]));
	}
	atomic_long_set(&mem->used_hiwater, swiotlb_stats_used(mem, SWIOTLB_USED_ALL));
	raw_spin_unlock_irqrestore(&mem->used_lock, flags);
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
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_fast(dev, true);

	swiotlb_used_add(dev->dma_io_tlb_mem, swiotlb_counted_kind(kind), nslots);
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
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_fast(dev, false);

	swiotlb_used_add(dev->dma_io_tlb_mem, swiotlb_counted_kind(kind), -(long)nslots);
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
	swiotlb_used_restart(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hiwater_fops, hiwater_get, hiwater_set, "%llu\n");

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
	debugfs_create_file("io_tlb_used", 0400, mem->debugfs, mem, &used_fops);
	debugfs_create_file("io_tlb_used_hiwater", 0600, mem->debugfs, mem, &hiwater_fops);
	debugfs_create_file("io_tlb_transient_nslabs", 0400, mem->debugfs,
			    &mem->transient_nslabs, &counter_fops);
	debugfs_create_file("stats", 0400, mem->debugfs, mem, &stats_fops);
	if (mem == &io_tlb_default_mem)
		debugfs_create_file("devices", 0400, mem->debugfs, NULL, &devices_fops);
	debugfs_create_u32("wait_timeout_ms", 0600, mem->debugfs, &mem->wait_timeout_ms);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	debugfs_create_u32("idle_ms", 0600, mem->debugfs, &mem->idle_ms);
#endif
}

static int __init swiotlb_debugfs_init(void)
{
	swiotlb_create_debugfs_files(&io_tlb_default_mem, "swiotlb");
	return 0;
}
late_initcall(swiotlb_debugfs_init);
