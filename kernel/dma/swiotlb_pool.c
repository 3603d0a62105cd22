// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb pools of an allocator: adding them, removing them, and finding
 * room in them.
 *
 * An allocator (struct io_tlb_mem) has its default pool and, with
 * CONFIG_SWIOTLB_DYNAMIC, the dynamic pools added when it ran short (its
 * list mem->pools). swiotlb_mem_take() tries them in order, each from the
 * area of this CPU; swiotlb_pool_give() gives a mapping's slots back. The
 * pools a device has of its own (transient and reserved pools, tried
 * first) are the business of the layers above (swiotlb_transient.c, which
 * drops them, and swiotlb_dynamic.c, which retires pools); what happens
 * when no pool has room (growing, waiting) is the wait layer's. Nothing
 * here calls any of them, nor wakes anybody.
 *
 * Locking (all spinlocks irq-safe: mappings come from any context):
 *   mem->pools_lock       the list mem->pools and mem->nslabs
 * Readers of the list walk it under RCU; the slots of each pool are the
 * slot allocator's (area locks, swiotlb_slots.c).
 */

#define pr_fmt(fmt) "swiotlb: " fmt

#include <linux/dma-direct.h>
#include <linux/rculist.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"

/*
 * The size of the default pool and of the dynamic pools added later, and
 * the areas they get: set from the command line and by the architecture
 * (swiotlb_boot.c), before the default pool.
 */
unsigned long swiotlb_default_nslabs = IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT;
unsigned int swiotlb_default_nareas;

/* ---- Pools of an allocator ---- */

/**
 * swiotlb_add_pool() - put a laid-out pool in an allocator's list
 * @mem:	the allocator
 * @pool:	a pool from swiotlb_slots_setup() (or the wrapping of a new block)
 *		whose free slots are cleared: any mapping may take them from now
 *		on, and a device sees the whole run it is given
 *
 * Also how the allocators of tests and test devices get their fixed pool.
 */
void swiotlb_add_pool(struct io_tlb_mem *mem, struct io_tlb_pool *pool)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	unsigned long flags;
#endif

	pool->mem = mem;
	swiotlb_stats_pool_added(pool);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	spin_lock_irqsave(&mem->pools_lock, flags);
	list_add_tail_rcu(&pool->node, &mem->pools);
	WRITE_ONCE(mem->nslabs, mem->nslabs + pool->nslabs);
	spin_unlock_irqrestore(&mem->pools_lock, flags);
#else
	mem->nslabs = pool->nslabs;
#endif
}

/* The reverse: readers that still hold @pool keep it until a grace period. */
void swiotlb_del_pool(struct io_tlb_mem *mem, struct io_tlb_pool *pool)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	unsigned long flags;

	spin_lock_irqsave(&mem->pools_lock, flags);
	list_del_rcu(&pool->node);
	WRITE_ONCE(mem->nslabs, mem->nslabs - pool->nslabs);
	spin_unlock_irqrestore(&mem->pools_lock, flags);
#else
	mem->nslabs = 0;
#endif
}

/*
 * Can a buffer for @req start at the beginning of @pool, within its limit?
 * If not, no run of the pool will do: they all lie higher.
 */
static bool swiotlb_pool_reachable(struct device *dev, struct io_tlb_pool *pool,
				   const struct swiotlb_req *req)
{
	return !req->limit ||
	       swiotlb_req_end(req, phys_to_dma_unencrypted(dev, pool->start)) <= req->limit;
}

/**
 * swiotlb_reaches_pools() - can a mapping for @req use a pool of its allocator?
 * @dev:	a device that bounces
 * @req:	the mapping; only dma-direct callers have a limit
 *
 * A device whose DMA mask lies below every pool gains nothing from room
 * freed in them, and hardly from a new dynamic pool either: those are
 * placed below the allocator's limit, not the device's.
 *
 * Return: %true if a pool may hold the buffer within its limit.
 */
bool swiotlb_reaches_pools(struct device *dev, const struct swiotlb_req *req)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *pool;
	bool reaches = false;

#ifdef CONFIG_SWIOTLB_DYNAMIC
	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "walk of the pools for reach");
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node) {
		if (swiotlb_pool_reachable(dev, pool, req)) {
			reaches = true;
			break;
		}
	}
	rcu_read_unlock();
#else
	pool = &mem->defpool;
	reaches = swiotlb_pool_reachable(dev, pool, req);
#endif
	return reaches;
}

/**
 * swiotlb_pools_lowest() - where the lowest of an allocator's pools starts
 * @dev:	a device that bounces
 *
 * One walk of the pools for a caller with many buffers to place: a buffer
 * reaches a pool (swiotlb_reaches_pools()) exactly when it can start at
 * the lowest one, which swiotlb_req_reaches() tells from this address.
 *
 * Return: the DMA address (as @dev sees it) of the lowest pool's first
 * slot, or U64_MAX if the allocator has no pool.
 */
u64 swiotlb_pools_lowest(struct device *dev)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	u64 lowest = U64_MAX;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct io_tlb_pool *pool;

	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "walk of the pools for reach");
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node)
		lowest = min_t(u64, lowest, phys_to_dma_unencrypted(dev, pool->start));
	rcu_read_unlock();
#else
	lowest = phys_to_dma_unencrypted(dev, mem->defpool.start);
#endif
	return lowest;
}

#ifdef CONFIG_SWIOTLB_DYNAMIC
/**
 * swiotlb_mark_dev() - make @dev's lookups consult the address index
 * @dev:	a device that has just got a mapping outside the default pool,
 *		or a pool of its own (a reservation)
 *
 * Called once the pool is in the index (a dynamic pool from its birth, a
 * device's own pool when published). Once set, the flag stays.
 */
void swiotlb_mark_dev(struct device *dev)
{
	/* The index entry becomes visible before the flag... */
	smp_wmb();
	if (!READ_ONCE(dev->dma_uses_io_tlb))
		WRITE_ONCE(dev->dma_uses_io_tlb, true);
	/*
	 * ...and both before the caller hands the address on, say to another
	 * CPU that will unmap it. Pairs with smp_rmb() in swiotlb_find_pool().
	 */
	smp_mb();
}
#endif

#ifdef CONFIG_SWIOTLB_DYNAMIC
/* swiotlb_mem_take() past the default pool: the dynamic pools, in order. */
static struct io_tlb_pool *swiotlb_dynamic_take(struct device *dev, const struct swiotlb_req *req,
						unsigned int area, int *head)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *pool, *found = NULL;

	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "walk of the dynamic pools");
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node) {
		/*
		 * Only a dma-direct caller has a limit, the one dma_capable()
		 * will check: runs beyond it are of no use to it, and a pool
		 * that starts beyond it has none other. Other callers (Xen,
		 * whose pool is placed by pseudo-physical address; dma-iommu,
		 * whose mask limits the IOVA) take any pool.
		 */
		if (pool == &mem->defpool || !swiotlb_pool_reachable(dev, pool, req))
			continue;
		*head = swiotlb_slots_alloc(dev, pool, area, req);
		if (*head >= 0) {
			found = pool;
			break;
		}
	}
	rcu_read_unlock();
	if (found) {
		swiotlb_mark_dev(dev);
		if (time_after(jiffies, READ_ONCE(found->last_used)))
			WRITE_ONCE(found->last_used, jiffies);
	}
	return found;
}
#endif

/**
 * swiotlb_mem_take() - take slots for a bounce buffer from an allocator's pools
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 *
 * Tries the allocator's default and dynamic pools in order, starting each
 * at the area of this CPU. A device's own pools come first, and are tried
 * by swiotlb_pools_take(), the caller of this; what happens when none has
 * room is the wait policy's business (swiotlb_policy_take()).
 *
 * Return: the pool holding the mapping, or %NULL.
 */
struct io_tlb_pool *swiotlb_mem_take(struct device *dev, const struct swiotlb_req *req,
				     int *head)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	unsigned int area = raw_smp_processor_id();
	struct io_tlb_pool *found = NULL;

	/*
	 * The default pool heads the list and is never retired: it is tried
	 * first without entering an RCU section, which the map path of most
	 * mappings then never pays for. (swiotlb_exit() takes it out before
	 * anything maps, and leaves it zeroed: no area, no slot found. Its
	 * fields are read without the ordering the list gave: a late default
	 * pool, swiotlb_init_late(), is set up before any device maps.)
	 */
	*head = -1;
	if (swiotlb_pool_reachable(dev, &mem->defpool, req)) {
		*head = swiotlb_slots_alloc(dev, &mem->defpool, area, req);
		if (*head >= 0)
			found = &mem->defpool;
	}
#ifdef CONFIG_SWIOTLB_DYNAMIC
	if (!found)
		found = swiotlb_dynamic_take(dev, req, area, head);
#endif
	if (found)
		swiotlb_stats_take(dev, found->kind, req->nslots);
	return found;
}

/**
 * swiotlb_pool_give() - give the slots of the mapping headed by @head back
 * @dev:	device of the mapping
 * @pool:	its pool
 * @head:	its head slot
 *
 * Once the slots are back, a dynamic pool may be given back and freed at
 * any moment (it may have been idle for longer than the mapping lived):
 * the caller reads nothing of @pool after this returned non-zero, unless a
 * reference of the mapping keeps the pool (a device's own pools, which
 * swiotlb_pools_give() drops). Waking waiters is the mapping API's
 * business.
 *
 * Return: the number of slots given back; 0, changing nothing, if @head
 * heads no live mapping.
 */
unsigned int swiotlb_pool_give(struct device *dev, struct io_tlb_pool *pool, int head)
{
	enum swiotlb_pool_kind kind = pool->kind;
	unsigned int n = swiotlb_slots_free(pool, head);

	if (n) {
		swiotlb_test_point(SWIOTLB_TEST_FREED, pool);
		swiotlb_stats_give(dev, kind, n);
	}
	return n;
}

/**
 * swiotlb_mem_used() - slots in use in an allocator's pools
 * @mem:	the allocator
 *
 * Counts the default and dynamic pools, not the transient ones.
 *
 * Return: a snapshot.
 */
unsigned long swiotlb_mem_used(struct io_tlb_mem *mem)
{
	unsigned long used = swiotlb_slots_used(&mem->defpool);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct io_tlb_pool *pool;

	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node)
		if (pool != &mem->defpool)
			used += swiotlb_slots_used(pool);
	rcu_read_unlock();
#endif
	return used;
}

/**
 * swiotlb_mem_used_locked() - slots in use in an allocator's pools, read
 * under their area locks
 * @mem:	the allocator
 *
 * As swiotlb_mem_used(), for a waiter that decides on the count whether to
 * try: see swiotlb_wake_after_free().
 *
 * Context: any; takes the area locks one at a time.
 * Return: a snapshot.
 */
unsigned long swiotlb_mem_used_locked(struct io_tlb_mem *mem)
{
	unsigned long used = swiotlb_slots_used_locked(&mem->defpool);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct io_tlb_pool *pool;

	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node)
		if (pool != &mem->defpool)
			used += swiotlb_slots_used_locked(pool);
	rcu_read_unlock();
#endif
	return used;
}

/**
 * swiotlb_dev_pool_info() - a snapshot of a pool
 * @pool:	a pool the caller keeps alive (a reservation, say)
 * @info:	filled in
 *
 * Context: any.
 */
void swiotlb_dev_pool_info(struct io_tlb_pool *pool, struct swiotlb_pool_info *info)
{
	info->kind = swiotlb_counted_kind(pool->kind);
	info->nslabs = pool->nslabs;
	info->used = swiotlb_slots_used(pool);
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_info);

#ifndef CONFIG_SWIOTLB_DYNAMIC
struct io_tlb_pool *swiotlb_dev_pool_reserve(struct device *dev, size_t bytes)
{
	return ERR_PTR(-EOPNOTSUPP);
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_reserve);

void swiotlb_dev_pool_release(struct io_tlb_pool *pool)
{
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_release);
#endif
