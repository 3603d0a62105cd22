// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb statistics: every counter of the core, counted here and nowhere
 * else. The other files of the core call the swiotlb_stats_*() functions
 * of this file at the events they count (a mapping taking or giving back
 * slots, a pool added, retired or freed, a transient pool that could not
 * be had, a wait and its end, a mapping that failed); nothing else writes
 * a counter. Built whatever the configuration: swiotlb_read_counters()
 * and the tests read the counters without debugfs, whose files
 * (swiotlb_debugfs.c) only show them.
 *
 * Slots in use are counted per CPU (struct swiotlb_share: slots taken on
 * the CPU less slots given back on it), for an allocator per pool kind and
 * in all (mem->used) and for each device (its record's used), so that a
 * map or an unmap writes no cache line that other CPUs write too (nor
 * takes an atomic); a reader adds up the CPUs (swiotlb_stats_used(),
 * swiotlb_dev_stats_used()). The high-water marks need to know when
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
 * Locking: each CPU's shares are written by that CPU with interrupts off;
 * the count's lock (mem->used_lock, or a device record's used_lock: raw
 * spinlocks, since the map path takes them with interrupts off, where
 * PREEMPT_RT allows no sleeping lock; held, with interrupts off, for up to
 * two walks of the possible CPUs per count when a map finds no spare budget
 * anywhere, which happens on every map of a climb to a new high: such a
 * map walks them up to six times, for its pool kind, all kinds and its
 * device, a cost that grows with the number of CPUs) serialises the moves
 * of budget and the raising of the mark, and no other lock is taken under
 * it. A reader
 * may see the counts a moment behind the allocator: a sum of CPUs is exact
 * when no map or unmap runs meanwhile. Budgets of other CPUs are written
 * under the lock while their CPUs may be reading them: a peak made by CPUs
 * mapping at the same moment as the budgets move may be missed by the mark,
 * never a peak made one map at a time. Event counters are atomics, written
 * without a lock.
 *
 * The table of per-device records is read under RCU and changed under
 * swiotlb_devices_lock (irq-safe; nothing is taken under it). Each CPU
 * remembers the record it used last (swiotlb_dev_recent), so that a map or
 * unmap for the same device as the one before finds its record without a
 * lookup in the table; a record being dropped is first marked as such and
 * taken out of every CPU's memory, then freed after a grace period. A map
 * or unmap reads that memory with interrupts off, which is an RCU read-side
 * section as much as rcu_read_lock() is (the two grace periods of
 * swiotlb_dev_stats_drop() wait for it too): it needs interrupts off for
 * the per-CPU counts anyway. A record is looked up, or made, outside that
 * section: a PREEMPT_RT kernel allocates nothing with interrupts off.
 */

#include <linux/hashtable.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "swiotlb_internal.h"

/* ---- Counts kept in per-CPU shares ---- */

/*
 * High-water marks: raise the mark to @val unless it is that high already.
 * One for the slot counts (atomic_long_t), one for wait times (atomic64_t:
 * nanoseconds overflow a 32-bit long).
 */
static void swiotlb_raise(atomic_long_t *mark, long val)
{
	long old = atomic_long_read(mark);

	while (val > old && !atomic_long_try_cmpxchg(mark, &old, val))
		;
}

static void swiotlb_raise64(atomic64_t *mark, s64 val)
{
	s64 old = atomic64_read(mark);

	while (val > old && !atomic64_try_cmpxchg(mark, &old, val))
		;
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
 * A count kept in per-CPU shares (see the top of this file): the sum of
 * the CPUs' shares, never less than 0. Exact when the count does not change
 * meanwhile; a moment behind it otherwise. The CPUs are read one after the
 * other: the sum may count the unmap of a mapping made on another CPU and
 * not the map, and go below zero; it reads 0 then.
 */
static long swiotlb_share_sum(struct swiotlb_share __percpu *count)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(count, cpu)->used);
	return max(sum, 0L);
}

/*
 * Add @n (< 0 to give back) to this CPU's share of @count. Interrupts are
 * off. Return: %true if the share went over its budget, when the caller
 * must take the count's lock and call swiotlb_share_rebalance().
 */
static bool swiotlb_share_add(struct swiotlb_share __percpu *count, long n)
{
	struct swiotlb_share *mine = this_cpu_ptr(count);

	lockdep_assert_irqs_disabled();
	WRITE_ONCE(mine->used, mine->used + n);
	return swiotlb_used_diff(mine->used, READ_ONCE(mine->budget)) > 0;
}

/*
 * This CPU's share of @count went over its budget: move budget to it from
 * CPUs that have more than they use, or, if there is not enough, raise
 * @mark to the new high and leave every CPU the budget it uses. The budgets
 * of all CPUs never add up to more than the mark. Interrupts are off and
 * the count's lock is held.
 */
static void swiotlb_share_rebalance(struct swiotlb_share __percpu *count, atomic_long_t *mark)
{
	struct swiotlb_share *mine = this_cpu_ptr(count);
	long need = swiotlb_used_diff(mine->used, mine->budget);
	struct swiotlb_share *u;
	long spare, take;
	int cpu;

	if (need <= 0)
		return;
	for_each_possible_cpu(cpu) {
		u = per_cpu_ptr(count, cpu);
		if (u == mine)
			continue;
		spare = swiotlb_used_diff(READ_ONCE(u->budget), READ_ONCE(u->used));
		if (spare <= 0)
			continue;
		/* What is needed, and half of the rest: fewer moves under drift. */
		take = min(spare, need + (spare - min(spare, need)) / 2);
		WRITE_ONCE(u->budget, u->budget - take);
		WRITE_ONCE(mine->budget, mine->budget + take);
		need -= take;
		if (need <= 0)
			return;
	}
	/*
	 * No CPU has budget to spare: the sum is at a new high. Every other
	 * CPU was left its use as budget, this one gets its own: the budgets
	 * add up to the sum, which becomes the mark.
	 */
	WRITE_ONCE(mine->budget, mine->used);
	swiotlb_raise(mark, swiotlb_share_sum(count));
}

/*
 * Start @mark again from the sum of @count: every CPU is left its use as
 * budget, so that the budgets add up to the new mark. The count's lock is
 * held, interrupts off.
 */
static void swiotlb_share_restart(struct swiotlb_share __percpu *count, atomic_long_t *mark)
{
	struct swiotlb_share *u;
	int cpu;

	for_each_possible_cpu(cpu) {
		u = per_cpu_ptr(count, cpu);
		WRITE_ONCE(u->budget, READ_ONCE(u->used));
	}
	atomic_long_set(mark, swiotlb_share_sum(count));
}

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
	/* Without it too, the device is not counted (as without the record). */
	ds->used = alloc_percpu_gfp(struct swiotlb_share, GFP_ATOMIC | __GFP_NOWARN);
	if (!ds->used) {
		kfree(ds);
		return NULL;
	}
	raw_spin_lock_init(&ds->used_lock);
	ds->dev = dev;
	strscpy(ds->name, dev_name(dev), sizeof(ds->name));

	spin_lock_irqsave(&swiotlb_devices_lock, flags);
	other = swiotlb_dev_stats_find(dev);
	if (!other)
		hash_add_rcu(swiotlb_devices, &ds->node, (unsigned long)dev);
	spin_unlock_irqrestore(&swiotlb_devices_lock, flags);
	if (other) {
		free_percpu(ds->used);
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
 * lookup. The caller has interrupts off, an RCU read-side section that
 * keeps whatever this CPU's memory points to from being freed (see the top
 * of this file): a dropped record may still be
 * stored into a CPU's memory by a reader that looked it up before the drop
 * (and take it out again at once), so it is freed only after two grace
 * periods, see swiotlb_dev_stats_drop().
 */
static struct swiotlb_dev_stats *swiotlb_dev_stats_recent(struct device *dev)
{
	struct swiotlb_dev_stats *ds;

	lockdep_assert_irqs_disabled();
	ds = READ_ONCE(*raw_cpu_ptr(&swiotlb_dev_recent));
	if (likely(ds && ds->dev == dev && !READ_ONCE(ds->dropped)))
		return ds;
	return NULL;
}

/*
 * The record of @dev when this CPU's last one is not: from the table (then
 * remembered); with @create, made if missing. Called with interrupts as
 * the caller had them, not inside the counting section (see the top of this
 * file). The record returned lives as long as @dev, which the caller's
 * mapping keeps.
 */
static struct swiotlb_dev_stats *swiotlb_dev_stats_slow(struct device *dev, bool create)
{
	struct swiotlb_dev_stats *ds;

	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "device record lookup");
	rcu_read_lock();
	ds = swiotlb_dev_stats_lookup(dev, create);
	if (ds)
		swiotlb_dev_stats_remember(ds);
	rcu_read_unlock();
	return ds;
}

/* The second grace period after a drop has passed. */
static void swiotlb_dev_stats_free(struct rcu_head *head)
{
	struct swiotlb_dev_stats *ds = container_of(head, struct swiotlb_dev_stats, rcu);

	free_percpu(ds->used);
	kfree(ds);
}

/* The first grace period after a drop has passed: free after a second one. */
static void swiotlb_dev_stats_free_later(struct rcu_head *head)
{
	call_rcu(head, swiotlb_dev_stats_free);
}

/**
 * swiotlb_dev_stats_used() - slots a device's mappings hold, added up over
 * the CPUs
 * @ds:		the device's record
 *
 * Return: a snapshot, as swiotlb_stats_used() for an allocator.
 */
long swiotlb_dev_stats_used(const struct swiotlb_dev_stats *ds)
{
	return swiotlb_share_sum(ds->used);
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

/* Count an event of @dev. */
static void swiotlb_dev_event(struct device *dev, enum swiotlb_dev_event event)
{
	struct swiotlb_dev_stats *ds = swiotlb_dev_stats_lookup(dev, true);

	if (ds)
		atomic_long_inc(&ds->events[event]);
}

/**
 * swiotlb_dev_stats_for_each() - call @fn on the record of every device
 * @fn:		called under RCU: must not sleep
 * @arg:	passed to @fn
 */
void swiotlb_dev_stats_for_each(void (*fn)(const struct swiotlb_dev_stats *ds, void *arg),
				void *arg)
{
	struct swiotlb_dev_stats *ds;
	unsigned int bkt;

	rcu_read_lock();
	hash_for_each_rcu(swiotlb_devices, bkt, ds, node)
		fn(ds, arg);
	rcu_read_unlock();
}

/* ---- Per allocator ---- */

/* The slot counts of the default allocator, per CPU. */
DEFINE_PER_CPU(struct swiotlb_used, swiotlb_default_used);

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
 * allocator otherwise, and never below 0 (see swiotlb_share_sum()), for
 * debugfs, swiotlb_read_counters() and the high-water marks alike.
 *
 * Return: the slots.
 */
long swiotlb_stats_used(struct io_tlb_mem *mem, unsigned int which)
{
	if (!mem->used)
		return 0;
	return swiotlb_share_sum(&mem->used->c[which]);
}

/*
 * Count @n slots taken (@n > 0) or given back (@n < 0) on this CPU, in the
 * allocator's count of @kind and of all kinds. Interrupts are off.
 */
static void swiotlb_used_add(struct io_tlb_mem *mem, enum swiotlb_pool_kind kind, long n)
{
	bool over;

	if (unlikely(!mem->used))
		return;
	over = swiotlb_share_add(&mem->used->c[kind], n);
	over |= swiotlb_share_add(&mem->used->c[SWIOTLB_USED_ALL], n);
	if (unlikely(over)) {
		swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "counter budget");
		raw_spin_lock(&mem->used_lock);
		swiotlb_share_rebalance(&mem->used->c[kind], swiotlb_used_mark(mem, kind));
		swiotlb_share_rebalance(&mem->used->c[SWIOTLB_USED_ALL],
					swiotlb_used_mark(mem, SWIOTLB_USED_ALL));
		raw_spin_unlock(&mem->used_lock);
	}
}

/* The same for a device's count; interrupts are off. */
static void swiotlb_dev_used_add(struct swiotlb_dev_stats *ds, long n)
{
	if (unlikely(swiotlb_share_add(ds->used, n))) {
		swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "counter budget");
		raw_spin_lock(&ds->used_lock);
		swiotlb_share_rebalance(ds->used, &ds->used_hiwater);
		raw_spin_unlock(&ds->used_lock);
	}
}

/**
 * swiotlb_stats_restart_hiwater() - start the high-water mark of all kinds
 * again from the slots in use now
 * @mem:	the allocator
 *
 * For debugfs io_tlb_used_hiwater.
 */
void swiotlb_stats_restart_hiwater(struct io_tlb_mem *mem)
{
	unsigned long flags;

	if (!mem->used)
		return;
	raw_spin_lock_irqsave(&mem->used_lock, flags);
	swiotlb_share_restart(&mem->used->c[SWIOTLB_USED_ALL], &mem->used_hiwater);
	raw_spin_unlock_irqrestore(&mem->used_lock, flags);
}

/*
 * Count @n slots taken (@n > 0) or given back by @dev from a pool of kind
 * @kind: in the allocator's counts and the device's record (made if
 * missing with @create).
 */
static void swiotlb_stats_count(struct device *dev, enum swiotlb_pool_kind kind, long n,
				bool create)
{
	struct swiotlb_dev_stats *ds;
	unsigned long flags;

	local_irq_save(flags);
	swiotlb_used_add(dev->dma_io_tlb_mem, swiotlb_counted_kind(kind), n);
	/* Interrupts off: an RCU read-side section for this CPU's memory. */
	ds = swiotlb_dev_stats_recent(dev);
	if (likely(ds))
		swiotlb_dev_used_add(ds, n);
	local_irq_restore(flags);
	if (likely(ds))
		return;
	ds = swiotlb_dev_stats_slow(dev, create);
	if (!ds)
		return;
	local_irq_save(flags);
	swiotlb_dev_used_add(ds, n);
	local_irq_restore(flags);
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
	swiotlb_stats_count(dev, kind, nslots, true);
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
	swiotlb_stats_count(dev, kind, -(long)nslots, false);
}

/**
 * swiotlb_stats_pool_added() - count a pool added to an allocator
 * @pool:	the pool, published (or put in its allocator's list)
 *
 * A transient or reserved pool's slots count in mem->transient_nslabs
 * until it is retired; a transient pool counts for its device too.
 */
void swiotlb_stats_pool_added(struct io_tlb_pool *pool)
{
	struct io_tlb_mem *mem = pool->mem;

	atomic_long_inc(&mem->stats.pools_added[swiotlb_counted_kind(pool->kind)]);
	if (swiotlb_pool_owned(pool))
		atomic_long_add(pool->nslabs, &mem->transient_nslabs);
	if (pool->kind == SWIOTLB_POOL_TRANSIENT)
		swiotlb_dev_event(pool->owner, SWIOTLB_DEV_TRANSIENT);
}

/**
 * swiotlb_stats_pool_retired() - count a pool taken out of use
 * @pool:	the pool, unpublished, to be freed after a grace period
 */
void swiotlb_stats_pool_retired(struct io_tlb_pool *pool)
{
	if (swiotlb_pool_owned(pool))
		atomic_long_sub(pool->nslabs, &pool->mem->transient_nslabs);
}

/**
 * swiotlb_stats_pool_freed() - count a retired pool freed
 * @mem:	its allocator
 * @kind:	its kind
 */
void swiotlb_stats_pool_freed(struct io_tlb_mem *mem, enum swiotlb_pool_kind kind)
{
	atomic_long_inc(&mem->stats.pools_freed[swiotlb_counted_kind(kind)]);
}

/**
 * swiotlb_stats_transient_failed() - count a transient or reserved pool
 * that could not be had
 * @mem:	the allocator it was for
 */
void swiotlb_stats_transient_failed(struct io_tlb_mem *mem)
{
	atomic_long_inc(&mem->stats.transient_failed);
}

/**
 * swiotlb_stats_wait_begin() - count a mapping of @dev that waits for room
 * @dev:	device of the mapping
 */
void swiotlb_stats_wait_begin(struct device *dev)
{
	atomic_long_inc(&dev->dma_io_tlb_mem->stats.waits);
	swiotlb_dev_event(dev, SWIOTLB_DEV_WAIT);
}

/**
 * swiotlb_stats_wait_attempt() - count a try for room by a waiter
 * @mem:	the allocator
 */
void swiotlb_stats_wait_attempt(struct io_tlb_mem *mem)
{
	atomic_long_inc(&mem->stats.wait_attempts);
}

/**
 * swiotlb_stats_wait_end() - count the end of a wait
 * @dev:	device of the mapping that waited
 * @ns:		how long it waited
 * @served:	%false if it ended without room (timed out)
 */
void swiotlb_stats_wait_end(struct device *dev, u64 ns, bool served)
{
	struct swiotlb_stats *st = &dev->dma_io_tlb_mem->stats;

	atomic64_add(ns, &st->wait_ns);
	swiotlb_raise64(&st->wait_ns_max, ns);
	if (served)
		return;
	atomic_long_inc(&st->wait_timeouts);
	swiotlb_dev_event(dev, SWIOTLB_DEV_TIMEOUT);
}

/**
 * swiotlb_stats_no_room() - count a mapping (or a whole list) of @dev that
 * found no room
 * @dev:	device of the mapping
 */
void swiotlb_stats_no_room(struct device *dev)
{
	atomic_long_inc(&dev->dma_io_tlb_mem->stats.map_failures);
	swiotlb_dev_event(dev, SWIOTLB_DEV_FAILURE);
}

/**
 * swiotlb_stats_unreachable() - count a mapping whose bounce buffer @dev
 * cannot reach
 * @dev:	device of the mapping
 */
void swiotlb_stats_unreachable(struct device *dev)
{
	atomic_long_inc(&dev->dma_io_tlb_mem->stats.map_failures);
}

/**
 * swiotlb_read_counters() - a snapshot of the counters of @dev's allocator
 * @dev:	a device
 * @c:	filled in
 *
 * Each counter is read on its own: the snapshot is not atomic as a whole.
 *
 * Context: any.
 * Return: 0, or -ENODEV (and @c zeroed) if @dev has no bounce allocator.
 */
int swiotlb_read_counters(struct device *dev, struct swiotlb_counters *c)
{
	struct io_tlb_mem *mem = swiotlb_dev_mem(dev);
	struct swiotlb_stats *st;
	int k;

	memset(c, 0, sizeof(*c));
	if (!mem)
		return -ENODEV;
	st = &mem->stats;
	for (k = 0; k < SWIOTLB_POOL_KINDS; k++) {
		c->used[k] = swiotlb_stats_used(mem, k);
		c->used_hiwater[k] = atomic_long_read(&st->used_hiwater[k]);
		c->pools_added[k] = atomic_long_read(&st->pools_added[k]);
		c->pools_freed[k] = atomic_long_read(&st->pools_freed[k]);
	}
	c->transient_failed = atomic_long_read(&st->transient_failed);
	c->waits = atomic_long_read(&st->waits);
	c->wait_timeouts = atomic_long_read(&st->wait_timeouts);
	c->wait_ns = atomic64_read(&st->wait_ns);
	c->wait_ns_max = atomic64_read(&st->wait_ns_max);
	c->map_failures = atomic_long_read(&st->map_failures);
	return 0;
}
EXPORT_SYMBOL_GPL(swiotlb_read_counters);
