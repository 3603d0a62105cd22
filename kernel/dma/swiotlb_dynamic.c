// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb dynamic pools: memory for pools made after boot, the address
 * index that finds them, and their life cycle. Built with
 * CONFIG_SWIOTLB_DYNAMIC only (the stubs are in swiotlb_internal.h).
 *
 * A dynamic pool is added to an allocator whose pools ran short
 * (swiotlb_dynamic_add(), which the wait layer calls from its worker or
 * from a mapping that may sleep) and given back once it has been idle
 * (swiotlb_shrink_one()). A single mapping that may sleep adds one in two
 * steps (swiotlb_dynamic_add_first(), swiotlb_dynamic_ready()): in between
 * the pool is in the address index, holding that mapping, but not in the
 * allocator's list, so no other mapping can take its slots before its
 * memory is cleared; its slots in use are counted, its size not yet. The
 * same memory, index and retirement serve the pools that belong to one
 * device (swiotlb_transient.c).
 *
 * Finding the pool of a bounce address (swiotlb_find_pool()) costs the same
 * however many pools there are: the default pool is a range check, and
 * every other pool is entered in a hash table of 256 KiB chunks of physical
 * address space, one entry per chunk it overlaps. A lookup hashes the chunk
 * of the address and walks one short bucket under RCU, never taking a lock.
 *
 * Locking (all spinlocks irq-safe: mappings come from any context):
 *   mem->pools_lock       the list mem->pools and mem->nslabs
 *   swiotlb_index_lock    writers of the address index (a pool enters it
 *                         before its allocator's list, or alone)
 *   dev->dma_io_tlb_lock  the device's list of its reservations
 * None is taken under another. Readers of these lists and of the index use
 * RCU; a pool is freed after a grace period, by the RCU callback itself, or
 * from a work item (queue_rcu_work(), in process context) where its memory
 * was shared with the host of a confidential guest: giving it back may
 * sleep.
 */

#define pr_fmt(fmt) "swiotlb: " fmt

#include <linux/cc_platform.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/gfp.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/rculist.h>
#include <linux/sched/mm.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"

/* ---- Memory for dynamic and transient pools ---- */

/*
 * Must new bounce memory be shared with the host (set_memory_decrypted()
 * does something: a confidential guest, or a host with memory encryption)?
 * Then memory for one mapping comes from the atomic DMA pools (see
 * swiotlb_get_memory()).
 */
bool swiotlb_must_share(void)
{
	return cc_platform_has(CC_ATTR_MEM_ENCRYPT) || swiotlb_test_unencrypted;
}

/* Can @dev reach @size bytes at @phys through its streaming mask? */
static bool swiotlb_atomic_pool_ok(struct device *dev, phys_addr_t phys, size_t size)
{
	return phys_to_dma_unencrypted(dev, phys) + size - 1 <= swiotlb_dev_limit(dev);
}

/*
 * Pages for @bytes of bounce memory at or below @limit, shared with the host
 * of a confidential guest; *@atomic_pool says where they came from. When the
 * buffer lands too high, try again from a lower zone.
 *
 * Sharing pages with the host (set_memory_decrypted()) may sleep, splits
 * the direct map and costs a page-state change: worth it for a pool that
 * serves many mappings, not for one. So where memory must be shared (a
 * confidential guest, a host with memory encryption), memory for a single
 * mapping (@per_mapping), or for a caller that cannot sleep, comes from the
 * atomic DMA pool, which is shared once and for all.
 */
struct page *swiotlb_get_memory(struct device *dev, size_t bytes, u64 limit,
				gfp_t gfp, bool per_mapping, void **vaddr,
				bool *atomic_pool)
{
	struct swiotlb_test_memory what = {
		.dev = dev,
		.bytes = bytes,
		.gfp = current_gfp_context(gfp),
		.per_mapping = per_mapping,
	};
	unsigned int order = get_order(bytes);
	gfp_t zone = 0;
	struct page *page;

	*atomic_pool = false;
	if (swiotlb_should_fail(SWIOTLB_FAIL_MEMORY, bytes))
		return NULL;
	if (limit <= zone_dma_limit)
		zone = __GFP_DMA;
	else if (limit <= DMA_BIT_MASK(32))
		zone = __GFP_DMA32;

	if (dev && swiotlb_must_share() && (per_mapping || !gfpflags_allow_blocking(gfp))) {
		what.from_atomic_pool = true;
		swiotlb_test_point(SWIOTLB_TEST_MEMORY, &what);
		if (!IS_ENABLED(CONFIG_DMA_COHERENT_POOL))
			return NULL;
		page = dma_alloc_from_pool(dev, bytes, vaddr, (gfp & ~GFP_ZONEMASK) | zone,
					   swiotlb_atomic_pool_ok);
		*atomic_pool = !!page;
		return page;
	}
	swiotlb_test_point(SWIOTLB_TEST_MEMORY, &what);

	for (;;) {
		page = alloc_pages((gfp & ~GFP_ZONEMASK) | zone, order);
		if (!page)
			return NULL;
		if (page_to_phys(page) + bytes - 1 <= limit)
			break;
		__free_pages(page, order);
		if (!zone && IS_ENABLED(CONFIG_ZONE_DMA32) && limit < DMA_BIT_MASK(64))
			zone = __GFP_DMA32;
		else if (zone != __GFP_DMA && IS_ENABLED(CONFIG_ZONE_DMA))
			zone = __GFP_DMA;
		else
			return NULL;
	}

	*vaddr = page_address(page);
	if (set_memory_decrypted((unsigned long)*vaddr, PFN_UP(bytes))) {
		/* Memory in an unknown state is leaked, not reused. */
		if (!set_memory_encrypted((unsigned long)*vaddr, PFN_UP(bytes)))
			__free_pages(page, order);
		return NULL;
	}
	return page;
}

/* Give back what swiotlb_get_memory() gave. Sleeps unless @atomic_pool. */
void swiotlb_put_memory(void *vaddr, size_t bytes, bool atomic_pool)
{
	if (IS_ENABLED(CONFIG_DMA_COHERENT_POOL) && atomic_pool) {
		dma_free_from_pool(NULL, vaddr, bytes);
		return;
	}
	if (!set_memory_encrypted((unsigned long)vaddr, PFN_UP(bytes)))
		free_pages((unsigned long)vaddr, get_order(bytes));
}

/* ---- The address index ---- */

#define SWIOTLB_CHUNK_SHIFT	(IO_TLB_SHIFT + ilog2(IO_TLB_SEGSIZE))
#define SWIOTLB_INDEX_BITS	10

/**
 * struct swiotlb_chunk - entry of the address index
 * @node:	in the bucket of @key
 * @key:	physical address >> %SWIOTLB_CHUNK_SHIFT
 * @pool:	a pool overlapping that chunk
 */
struct swiotlb_chunk {
	struct hlist_node node;
	unsigned long key;
	struct io_tlb_pool *pool;
};

static struct hlist_head swiotlb_index[1 << SWIOTLB_INDEX_BITS];
static DEFINE_SPINLOCK(swiotlb_index_lock);

static struct hlist_head *swiotlb_bucket(unsigned long key)
{
	return &swiotlb_index[hash_long(key, SWIOTLB_INDEX_BITS)];
}

static unsigned int swiotlb_nchunks(phys_addr_t start, phys_addr_t end)
{
	return ((end - 1) >> SWIOTLB_CHUNK_SHIFT) - (start >> SWIOTLB_CHUNK_SHIFT) + 1;
}

/**
 * __swiotlb_find_pool() - look a bounce address up in the index
 * @dev:	device the address was mapped for
 * @paddr:	the address
 *
 * The slow half of swiotlb_find_pool(), for pools other than the default
 * one. Lock-free; a pool found stays valid while its mapping is live.
 *
 * Return: the pool of @dev's allocator holding @paddr, or %NULL.
 */
struct io_tlb_pool *__swiotlb_find_pool(struct device *dev, phys_addr_t paddr)
{
	unsigned long key = paddr >> SWIOTLB_CHUNK_SHIFT;
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *found = NULL;
	struct swiotlb_chunk *c;

	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "lookup in the address index");
	rcu_read_lock();
	hlist_for_each_entry_rcu(c, swiotlb_bucket(key), node) {
		if (c->key == key && paddr >= c->pool->start &&
		    paddr < c->pool->end && c->pool->mem == mem) {
			found = c->pool;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static void swiotlb_index_add(struct io_tlb_pool *pool)
{
	unsigned long first = pool->start >> SWIOTLB_CHUNK_SHIFT;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&swiotlb_index_lock, flags);
	for (i = 0; i < pool->nchunks; i++) {
		pool->chunks[i].key = first + i;
		pool->chunks[i].pool = pool;
		hlist_add_head_rcu(&pool->chunks[i].node, swiotlb_bucket(first + i));
	}
	spin_unlock_irqrestore(&swiotlb_index_lock, flags);
}

static void swiotlb_index_del(struct io_tlb_pool *pool)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&swiotlb_index_lock, flags);
	for (i = 0; i < pool->nchunks; i++)
		hlist_del_rcu(&pool->chunks[i].node);
	spin_unlock_irqrestore(&swiotlb_index_lock, flags);
}

/* ---- Dynamic and transient pools ---- */

/*
 * Wrap a pool of @nslabs slots at @vaddr/@page around a block of memory
 * (@block, @block_bytes) obtained from swiotlb_get_memory(). Its memory is
 * not cleared: that is the caller's business (swiotlb_slots_clear()).
 */
struct io_tlb_pool *swiotlb_pool_wrap(struct io_tlb_mem *mem, void *block,
				      size_t block_bytes, bool atomic_pool,
				      struct page *page,
				      void *vaddr, unsigned long nslabs,
				      unsigned int nareas,
				      enum swiotlb_pool_kind kind, gfp_t gfp)
{
	phys_addr_t start = page_to_phys(page) + (vaddr - block);
	phys_addr_t end = start + ((phys_addr_t)nslabs << IO_TLB_SHIFT);
	unsigned int nchunks = swiotlb_nchunks(start, end);
	/* The index entries follow the book-keeping, whose size ends in bytes. */
	size_t meta = ALIGN(swiotlb_meta_size(nslabs, nareas),
			    __alignof__(struct swiotlb_chunk));
	struct io_tlb_pool *pool;
	void *block_meta;

	if (swiotlb_should_fail(SWIOTLB_FAIL_META, meta))
		return NULL;
	pool = kzalloc(sizeof(*pool), gfp);
	if (!pool)
		return NULL;
	/*
	 * Not cleared: swiotlb_slots_layout() writes what needs it, and the
	 * index entries are written as the pool enters the index. Under
	 * QEMU's TCG, clearing the records of a default-sized pool took
	 * longer than the rest of adding it. kvmalloc() does not take
	 * __GFP_NORETRY (swiotlb_grow_now() passes it).
	 */
	block_meta = kvmalloc(meta + array_size(nchunks, sizeof(*pool->chunks)),
			      gfp & ~__GFP_NORETRY);
	if (!block_meta) {
		kfree(pool);
		return NULL;
	}
	swiotlb_slots_layout(pool, block_meta, start, vaddr, nslabs, nareas);
	pool->chunks = block_meta + meta;
	pool->nchunks = nchunks;
	pool->kind = kind;
	pool->late_alloc = true;
	pool->mem = mem;
	pool->last_used = jiffies;
	pool->block = block;
	pool->block_bytes = block_bytes;
	pool->block_atomic = atomic_pool;
	return pool;
}

/*
 * Retired pools are freed here, and the wait layer grows allocators and
 * clears the pools mappings added here too (swiotlb_grow(),
 * swiotlb_grow_ready()): WQ_MEM_RECLAIM because all of it is on behalf of
 * the I/O path, and the memory given back may be what reclaim needs.
 */
struct workqueue_struct *swiotlb_wq;

static int __init swiotlb_wq_init(void)
{
	/* Unbound: a pool being cleared need not wait for the CPU that added it. */
	swiotlb_wq = alloc_workqueue("swiotlb", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return swiotlb_wq ? 0 : -ENOMEM;
}
postcore_initcall(swiotlb_wq_init);

/* Free @pool and its memory; sleeps only if the memory was shared with the host. */
static void swiotlb_pool_free_all(struct io_tlb_pool *pool)
{
	swiotlb_put_memory(pool->block, pool->block_bytes, pool->block_atomic);
	kvfree(pool->areas);
	kfree(pool);
}

/* Free a retired pool and count it. */
static void swiotlb_pool_free(struct io_tlb_pool *pool)
{
	struct io_tlb_mem *mem = pool->mem;
	enum swiotlb_pool_kind kind = pool->kind;

	swiotlb_pool_free_all(pool);
	swiotlb_stats_pool_freed(mem, kind);
}

static void swiotlb_pool_free_work(struct work_struct *work)
{
	swiotlb_pool_free(container_of(to_rcu_work(work), struct io_tlb_pool, free_work));
}

static void swiotlb_pool_free_rcu(struct rcu_head *head)
{
	swiotlb_pool_free(container_of(head, struct io_tlb_pool, free_rcu));
}

/**
 * swiotlb_pools_settle() - wait until every retired pool is freed
 *
 * Context: process context; sleeps.
 */
void swiotlb_pools_settle(void)
{
	rcu_barrier();
	flush_workqueue(swiotlb_wq ?: system_wq);
}

/**
 * swiotlb_pool_destroy() - free a pool nobody can see any more
 * @pool:	a dynamic or transient pool, unpublished or never published
 *
 * Context: process context; may sleep (giving memory back to the host of a
 * confidential guest does). See swiotlb_pool_discard() for other contexts.
 */
void swiotlb_pool_destroy(struct io_tlb_pool *pool)
{
	might_sleep();
	swiotlb_pool_free_all(pool);
}

static void swiotlb_pool_discard_work(struct work_struct *work)
{
	swiotlb_pool_destroy(container_of(work, struct io_tlb_pool, free_work.work));
}

/**
 * swiotlb_pool_discard() - free a pool that was never published
 * @pool:	from swiotlb_pool_create() or a transient pool's making
 * @gfp:	the flags of the caller's context: whether it may sleep
 *
 * Frees @pool at once where sleeping is allowed, else from a work item.
 * Not counted as freed: it was never counted as added.
 *
 * Context: any.
 */
void swiotlb_pool_discard(struct io_tlb_pool *pool, gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp)) {
		swiotlb_pool_destroy(pool);
		return;
	}
	INIT_WORK(&pool->free_work.work, swiotlb_pool_discard_work);
	queue_work(swiotlb_wq ?: system_wq, &pool->free_work.work);
}

/* swiotlb_pool_create(), the memory left as it was. */
static struct io_tlb_pool *swiotlb_pool_make(struct device *dev, struct io_tlb_mem *mem,
					     unsigned long nslabs, unsigned long min_nslabs,
					     unsigned int nareas, enum swiotlb_pool_kind kind,
					     gfp_t gfp)
{
	struct io_tlb_pool *pool;
	bool atomic_pool;
	struct page *page;
	size_t bytes;
	void *vaddr;

	nslabs = min(nslabs, SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER);
	for (;;) {
		bytes = nslabs << IO_TLB_SHIFT;
		page = swiotlb_get_memory(dev, bytes, mem->grow_limit, gfp, false, &vaddr,
					  &atomic_pool);
		if (page)
			break;
		if (nslabs <= min_nslabs)
			return NULL;
		nslabs = max(ALIGN(nslabs / 2, IO_TLB_SEGSIZE), min_nslabs);
	}
	pool = swiotlb_pool_wrap(mem, vaddr, bytes, atomic_pool, page, vaddr, nslabs,
				 swiotlb_fit_nareas(nslabs, nareas), kind, gfp);
	if (!pool)
		swiotlb_put_memory(vaddr, bytes, atomic_pool);
	return pool;
}

/**
 * swiotlb_pool_create() - allocate a dynamic pool
 * @dev:	device it is for, if any (decides how memory is shared)
 * @mem:	allocator it will belong to
 * @nslabs:	slots wanted; halved on failure
 * @min_nslabs:	fewest slots worth having
 * @nareas:	areas wanted
 * @kind:	%SWIOTLB_POOL_DYNAMIC, %SWIOTLB_POOL_RESERVED, or another kind
 *		for tests
 * @gfp:	allocation flags
 *
 * The pool's memory is cleared; the pool is not published (see
 * swiotlb_pool_publish()).
 *
 * Return: the pool, or %NULL.
 */
struct io_tlb_pool *swiotlb_pool_create(struct device *dev, struct io_tlb_mem *mem,
					unsigned long nslabs, unsigned long min_nslabs,
					unsigned int nareas, enum swiotlb_pool_kind kind,
					gfp_t gfp)
{
	struct io_tlb_pool *pool;

	pool = swiotlb_pool_make(dev, mem, nslabs, min_nslabs, nareas, kind, gfp);
	if (pool)
		swiotlb_slots_clear(pool, 0, pool->nslabs);
	return pool;
}

/*
 * Put a reservation on its owner's list (@add) or take it off; the list
 * holds reservations only, so the device's maps look through nothing else.
 */
static void swiotlb_owner_list(struct io_tlb_pool *pool, bool add)
{
	struct device *owner = pool->owner;
	unsigned long flags;

	if (pool->kind != SWIOTLB_POOL_RESERVED)
		return;
	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "device's list of pools");
	spin_lock_irqsave(&owner->dma_io_tlb_lock, flags);
	if (add)
		list_add_rcu(&pool->node, &owner->dma_io_tlb_pools);
	else
		list_del_rcu(&pool->node);
	spin_unlock_irqrestore(&owner->dma_io_tlb_lock, flags);
}

/**
 * swiotlb_pool_publish() - make a new pool usable and findable
 * @pool:	from swiotlb_pool_create() or a transient pool
 *
 * A reservation goes on its owner's list, where the device's maps look for
 * room; a dynamic pool on its allocator's. A transient pool goes on no list:
 * only its own mapping uses it, and that mapping's unmap and syncs find it
 * through the index.
 */
void swiotlb_pool_publish(struct io_tlb_pool *pool)
{
	swiotlb_index_add(pool);
	trace_swiotlb_pool_add(pool);
	if (swiotlb_pool_owned(pool)) {
		swiotlb_owner_list(pool, true);
		swiotlb_stats_pool_added(pool);
	} else {
		swiotlb_add_pool(pool->mem, pool);
	}
}

/**
 * swiotlb_pool_retire() - unpublish a pool and free it after a grace period
 * @pool:	a published dynamic or transient pool with no live mapping
 */
void swiotlb_pool_retire(struct io_tlb_pool *pool)
{
	swiotlb_index_del(pool);
	trace_swiotlb_pool_remove(pool);
	swiotlb_stats_pool_retired(pool);
	if (swiotlb_pool_owned(pool))
		swiotlb_owner_list(pool, false);
	else
		swiotlb_del_pool(pool->mem, pool);
	/*
	 * Memory that was shared with the host goes back to being private,
	 * which may sleep: in a work item. Other memory is freed by the RCU
	 * callback itself, without waking a worker per pool (an unmap retires
	 * a transient pool).
	 */
	if (pool->block_atomic || !swiotlb_must_share()) {
		call_rcu(&pool->free_rcu, swiotlb_pool_free_rcu);
		return;
	}
	INIT_RCU_WORK(&pool->free_work, swiotlb_pool_free_work);
	queue_rcu_work(swiotlb_wq ?: system_wq, &pool->free_work);
}

/**
 * swiotlb_dynamic_nslabs() - slots of the dynamic pools an allocator adds
 * @mem:	the allocator
 *
 * Return: mem->grow_nslabs, or the default pool's size if 0; a pool may
 * come out smaller (at most SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER, and
 * halved while memory is short).
 */
static unsigned long swiotlb_dynamic_nslabs(struct io_tlb_mem *mem)
{
	return READ_ONCE(mem->grow_nslabs) ?: swiotlb_default_nslabs;
}

/* A dynamic pool of swiotlb_dynamic_nslabs() slots, its memory not cleared. */
static struct io_tlb_pool *swiotlb_dynamic_make(struct io_tlb_mem *mem, gfp_t gfp)
{
	unsigned long nslabs = swiotlb_dynamic_nslabs(mem);

	return swiotlb_pool_make(NULL, mem, nslabs, min(nslabs, SWIOTLB_MIN_NSLABS),
				 swiotlb_default_nareas, SWIOTLB_POOL_DYNAMIC, gfp);
}

/**
 * swiotlb_dynamic_add() - add a dynamic pool to an allocator
 * @mem:	an allocator that can grow
 * @gfp:	allocation flags: GFP_KERNEL from the worker, flags that do
 *		not wait for I/O or reclaim from a mapping
 *
 * The one way the policy grows an allocator: a pool of
 * swiotlb_dynamic_nslabs() slots (fewer, down to 1 MiB, if memory is
 * short), published at once. Whom to wake, and when to try again, is the
 * caller's business.
 *
 * Context: process context; may sleep if @gfp allows.
 * Return: %true if a pool was added.
 */
bool swiotlb_dynamic_add(struct io_tlb_mem *mem, gfp_t gfp)
{
	struct io_tlb_pool *pool = swiotlb_dynamic_make(mem, gfp);

	if (!pool)
		return false;
	swiotlb_slots_clear(pool, 0, pool->nslabs);
	swiotlb_pool_publish(pool);
	return true;
}

/**
 * swiotlb_dynamic_add_first() - add a dynamic pool whose first mapping is
 * the caller's, and clear the rest of it later
 * @dev:	device of the mapping; its allocator can grow
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping, or -1
 * @gfp:	allocation flags, as for swiotlb_dynamic_add()
 *
 * The pool swiotlb_dynamic_add() would add, but its memory is not all
 * cleared on the caller's path: the mapping takes its run in the new pool
 * first, only that run is cleared (around the buffer, which the caller's
 * fill writes: swiotlb_slots_clear_around()), and the pool goes into the
 * address index (the mapping can be synced and unmapped) but not yet into
 * the allocator's list: no other mapping can take slots from it until
 * swiotlb_dynamic_ready() has cleared the rest. Clearing megabytes is most
 * of what adding a pool costs (milliseconds); the caller who found the
 * pools full no longer waits for it.
 *
 * If the mapping does not fit in the new pool (*@head is -1), the pool is
 * cleared and published at once, as by swiotlb_dynamic_add().
 *
 * Context: process context; may sleep if @gfp allows.
 * Return: the pool, or %NULL if none was added. With *@head >= 0 the
 * caller must see to swiotlb_dynamic_ready() (from any process context).
 */
struct io_tlb_pool *swiotlb_dynamic_add_first(struct device *dev, const struct swiotlb_req *req,
					      int *head, gfp_t gfp)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *pool;

	*head = -1;
	pool = swiotlb_dynamic_make(mem, gfp);
	if (!pool)
		return NULL;
	swiotlb_test_point(SWIOTLB_TEST_UNCLEARED, pool);
	*head = swiotlb_slots_alloc(dev, pool, raw_smp_processor_id(), req);
	if (*head < 0) {
		swiotlb_slots_clear(pool, 0, pool->nslabs);
		swiotlb_pool_publish(pool);
		return pool;
	}
	swiotlb_slots_clear_around(pool, *head, req);
	swiotlb_index_add(pool);
	trace_swiotlb_pool_add(pool);
	swiotlb_mark_dev(dev);
	swiotlb_stats_take(dev, SWIOTLB_POOL_DYNAMIC, req->nslots);
	return pool;
}

/**
 * swiotlb_dynamic_ready() - clear the rest of a pool from
 * swiotlb_dynamic_add_first() and let every mapping use it
 * @pool:	that pool, its first mapping live or given back meanwhile
 *
 * Context: process context; may sleep (reschedules while it clears up to
 * the whole pool).
 */
void swiotlb_dynamic_ready(struct io_tlb_pool *pool)
{
	swiotlb_test_point(SWIOTLB_TEST_CLEARING, pool);
	swiotlb_slots_clear_free(pool);
	swiotlb_add_pool(pool->mem, pool);
}

/* The newest dynamic pool unused for mem->idle_ms, or NULL. */
static struct io_tlb_pool *swiotlb_idle_pool(struct io_tlb_mem *mem)
{
	unsigned long idle = msecs_to_jiffies(READ_ONCE(mem->idle_ms));
	struct io_tlb_pool *pool, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node) {
		if (pool->kind == SWIOTLB_POOL_DYNAMIC && !swiotlb_slots_used(pool) &&
		    time_after_eq(jiffies, READ_ONCE(pool->last_used) + idle))
			found = pool;
	}
	rcu_read_unlock();
	return found;
}

/**
 * swiotlb_shrink_one() - give an idle dynamic pool back
 * @mem:	the allocator
 *
 * The newest dynamic pool unused for mem->idle_ms goes, if what remains
 * would be at most half full (so that a steady load does not make pools
 * come and go). The default pool stays. Whether anybody waits for room is
 * the caller's question (swiotlb_shrink()).
 *
 * Context: process context; one caller at a time.
 * Return: %true if a pool was given back.
 */
bool swiotlb_shrink_one(struct io_tlb_mem *mem)
{
	struct io_tlb_pool *pool = swiotlb_idle_pool(mem);

	if (!pool || 2 * swiotlb_mem_used(mem) > READ_ONCE(mem->nslabs) - pool->nslabs)
		return false;
	/* A mapping may have come meanwhile: then the pool stays. */
	if (!swiotlb_slots_close(pool))
		return false;
	swiotlb_pool_retire(pool);
	return true;
}
