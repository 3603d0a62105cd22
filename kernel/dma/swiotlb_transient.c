// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb pools that belong to one device: transient pools and
 * reservations. Built with CONFIG_SWIOTLB_DYNAMIC only (the stubs are in
 * swiotlb_internal.h).
 *
 * A transient pool (%SWIOTLB_POOL_TRANSIENT) is memory for exactly one
 * mapping that found no room, taken as its caller's context allows and
 * freed again after an RCU grace period once that mapping is gone. A
 * reservation (%SWIOTLB_POOL_RESERVED) is a pool a driver asks for its
 * device (swiotlb_dev_pool_reserve()): any number of the device's mappings
 * try it before the shared pools, and it lives until the reservation ends
 * and its last mapping goes. Reservations sit on the device's list,
 * dev->dma_io_tlb_pools, where its maps look for room; a transient pool
 * sits on no list: its one mapping's unmap and syncs find it through the
 * address index (swiotlb_dynamic.c), so retiring it takes no lock of the
 * device.
 *
 * Because a device's own pools come first and a mapping holds them, this
 * file is also where room is taken across all the pools a device may use
 * and given back (swiotlb_pools_take(), swiotlb_pools_give()): the
 * allocator's pools below it (swiotlb_pool.c) know nothing of a device's.
 *
 * Locking: dev->dma_io_tlb_lock (irq-safe) serialises changes to the
 * device's list of reservations (swiotlb_pool_publish(),
 * swiotlb_pool_retire()); readers
 * walk it under RCU. A reservation's reference count (pool->refs) decides
 * when it goes: a mapper takes its reference before it looks for slots, so
 * a pool whose count reached zero is never used again.
 */

#define pr_fmt(fmt) "swiotlb: " fmt

#include <linux/dma-direct.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/rculist.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"

/*
 * Memory for a transient pool of @req: a block from swiotlb_get_memory(),
 * and in *@skip the slots at its start to pass over so that the run has the
 * alignment @req needs. A block starts on a page at least (the page
 * allocator's on a multiple of its size), so an alignment of a page or less
 * costs no spare slot where the block's DMA address is page-aligned: only
 * the slots that put the buffer's offset bits (@req->match_mask) in place
 * are added. A wider alignment, or a DMA offset inside a page (found once
 * the block is there), takes the alignment's worth of spare slots.
 */
static struct page *swiotlb_transient_block(struct device *dev, const struct swiotlb_req *req,
					    gfp_t gfp, void **block, size_t *bytes,
					    bool *atomic_pool, u64 *skip)
{
	u64 mask = (req->align_mask | req->match_mask) >> IO_TLB_SHIFT;
	u64 want = ((req->orig & req->match_mask) >> IO_TLB_SHIFT) & mask;
	u64 spare = mask < SWIOTLB_SLOTS_PER_PAGE ? want : mask;
	u64 limit = swiotlb_dev_limit(dev);
	struct page *page;
	dma_addr_t dma;

	for (;;) {
		*bytes = (req->nslots + spare) << IO_TLB_SHIFT;
		page = swiotlb_get_memory(dev, *bytes, limit, gfp, true, block, atomic_pool);
		if (!page)
			return NULL;
		dma = phys_to_dma_unencrypted(dev, page_to_phys(page));
		*skip = (want - (dma >> IO_TLB_SHIFT)) & mask;
		if (*skip <= spare)
			return page;
		/* Memory of one mapping never needed sharing back (atomic pool, or none). */
		swiotlb_put_memory(*block, *bytes, *atomic_pool);
		spare = mask;
	}
}

/**
 * swiotlb_transient_create() - a pool for exactly one mapping
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 * @gfp:	GFP_NOWAIT for callers that cannot sleep; SWIOTLB_GFP_AT_ONCE
 *		for a caller that may sleep and finds another adding a pool;
 *		GFP_KERNEL otherwise (called in a memalloc_noio_save() scope
 *		on the I/O path)
 *
 * The pool is exactly @req->nslots long, in a block that has room for the
 * alignment @req needs (swiotlb_transient_block()). It is published and
 * holds the mapping when this returns, cleared around the buffer only: the
 * caller fills the buffer next (swiotlb_fill()).
 *
 * Return: the pool, or %NULL (counted as a transient failure).
 */
struct io_tlb_pool *swiotlb_transient_create(struct device *dev,
					     const struct swiotlb_req *req,
					     int *head, gfp_t gfp)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *pool = NULL;
	bool atomic_pool;
	struct page *page;
	size_t bytes;
	void *block;
	u64 skip;

	page = swiotlb_transient_block(dev, req, gfp, &block, &bytes, &atomic_pool, &skip);
	if (!page)
		goto failed;
	pool = swiotlb_pool_wrap(mem, block, bytes, atomic_pool, page,
				 block + (skip << IO_TLB_SHIFT), req->nslots, 1,
				 SWIOTLB_POOL_TRANSIENT, gfp);
	if (!pool) {
		/* Memory of one mapping never needed sharing back (atomic pool, or none). */
		swiotlb_put_memory(block, bytes, atomic_pool);
		goto failed;
	}
	pool->owner = dev;
	atomic_set(&pool->refs, 1);
	swiotlb_test_point(SWIOTLB_TEST_UNCLEARED, pool);
	*head = swiotlb_slots_alloc(dev, pool, 0, req);
	if (*head < 0) {
		/* A device segment boundary inside the block, or its DMA limit. */
		swiotlb_pool_discard(pool, gfp);
		goto failed;
	}
	/* The pool is the run: all but what the caller's fill writes. */
	swiotlb_slots_clear_around(pool, *head, req);
	swiotlb_pool_publish(pool);
	swiotlb_mark_dev(dev);
	swiotlb_stats_take(dev, SWIOTLB_POOL_TRANSIENT, req->nslots);
	return pool;

failed:
	swiotlb_stats_transient_failed(mem);
	return NULL;
}

/* ---- Pools a driver reserves for its device ---- */

/*
 * A reserved pool (%SWIOTLB_POOL_RESERVED) belongs to one device, as a
 * transient pool does, but holds any number of its mappings and lives as
 * long as the reservation or any of them: @refs
 * counts the reservation and each live mapping. Mappers take their
 * reference before looking for slots, so a pool whose count reached zero is
 * never used again; the last one out retires it (RCU-deferred free).
 */
void swiotlb_dev_pool_put(struct io_tlb_pool *pool)
{
	if (atomic_dec_and_test(&pool->refs))
		swiotlb_pool_retire(pool);
}

/*
 * Room in a pool @dev reserved, taken with a reference. The device's list
 * holds its reservations only (its transient pools are in the index
 * alone), so the walk costs nothing however many of those are live. A
 * device that never had a pool of its own costs the map path one flag
 * read, no RCU section.
 */
static struct io_tlb_pool *swiotlb_reserved_room(struct device *dev,
						 const struct swiotlb_req *req,
						 unsigned int area, int *head)
{
	struct io_tlb_pool *pool, *found = NULL;

	if (!READ_ONCE(dev->dma_uses_io_tlb))
		return NULL;
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &dev->dma_io_tlb_pools, node) {
		if (!atomic_inc_not_zero(&pool->refs))
			continue;
		*head = swiotlb_slots_alloc(dev, pool, area, req);
		if (*head >= 0) {
			found = pool;
			break;
		}
		swiotlb_dev_pool_put(pool);
	}
	rcu_read_unlock();
	return found;
}

/**
 * swiotlb_pools_take() - take slots for a bounce buffer from the pools
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 *
 * Tries the device's reservations, then its allocator's default and dynamic
 * pools (swiotlb_mem_take()), each from the area of this CPU. What happens
 * when none has room is the wait policy's business (swiotlb_policy_take()).
 * Without CONFIG_SWIOTLB_DYNAMIC only the default pool exists, and this is
 * swiotlb_mem_take() (swiotlb_internal.h).
 *
 * Return: the pool holding the mapping, or %NULL.
 */
struct io_tlb_pool *swiotlb_pools_take(struct device *dev, const struct swiotlb_req *req,
				       int *head)
{
	struct io_tlb_pool *pool;

	pool = swiotlb_reserved_room(dev, req, raw_smp_processor_id(), head);
	if (!pool)
		return swiotlb_mem_take(dev, req, head);
	/*
	 * The mapping's reference keeps @pool; see swiotlb_pools_give(). No
	 * swiotlb_mark_dev(): the reservation set the flag, and it stays; no
	 * last_used either, which only a dynamic pool's shrinking reads.
	 */
	swiotlb_stats_take(dev, pool->kind, req->nslots);
	return pool;
}

/*
 * End the mapping headed by @head in its transient pool, and the pool with
 * it. The pool was made for that mapping alone and nobody else takes its
 * slots, so their book-keeping is not undone (no area lock, no bitmap): the
 * pool goes as it is. Of two unmaps of the mapping that both found the
 * pool live (a driver's bug), the one that drops the pool's reference ends
 * it and the other changes nothing: the pool is not retired twice. Nothing
 * makes such a race safe where the pool is freed before the second unmap
 * reads it (a lookup's RCU section ends when it returns), as for any
 * mapping unmapped twice.
 */
static enum swiotlb_gave swiotlb_transient_give(struct device *dev, struct io_tlb_pool *pool,
						int head)
{
	struct swiotlb_slot *rec = &pool->slots[head];
	unsigned int n = rec->nslots;

	if (!atomic_dec_and_test(&pool->refs))
		return SWIOTLB_GAVE_NOTHING;
	/* As swiotlb_slots_free(): a racing sync more likely copies nothing. */
	WRITE_ONCE(rec->orig_addr, SWIOTLB_NO_ORIG);
	swiotlb_test_point(SWIOTLB_TEST_FREED, pool);
	swiotlb_stats_give(dev, SWIOTLB_POOL_TRANSIENT, n);
	swiotlb_pool_retire(pool);
	return SWIOTLB_GAVE_POOL;
}

/**
 * swiotlb_pools_give() - give the slots of the mapping headed by @head back
 * @dev:	device of the mapping
 * @pool:	its pool
 * @head:	its head slot
 *
 * As swiotlb_pool_give(); and a pool of the device itself loses the
 * mapping's hold on it: a transient pool goes with its mapping, a reserved
 * pool drops the mapping's reference. Either is freed after an RCU grace
 * period, so a lookup that found it may still read it. Without
 * CONFIG_SWIOTLB_DYNAMIC this is swiotlb_pool_give() (swiotlb_internal.h).
 *
 * Return: %SWIOTLB_GAVE_NOTHING, changing nothing, if @head heads no live
 * mapping; %SWIOTLB_GAVE_POOL if the pool went with the mapping (a
 * transient pool: nobody can use the slots); else %SWIOTLB_GAVE_ROOM.
 */
enum swiotlb_gave swiotlb_pools_give(struct device *dev, struct io_tlb_pool *pool, int head)
{
	/* Read first: once the slots are back, a dynamic pool may go. */
	enum swiotlb_pool_kind kind = pool->kind;

	if (kind == SWIOTLB_POOL_TRANSIENT)
		return swiotlb_transient_give(dev, pool, head);
	if (!swiotlb_pool_give(dev, pool, head))
		return SWIOTLB_GAVE_NOTHING;
	switch (kind) {
	case SWIOTLB_POOL_RESERVED:
		/* The mapping's reference: a reserved pool lives until here. */
		swiotlb_dev_pool_put(pool);
		return SWIOTLB_GAVE_ROOM;
	default:
		return SWIOTLB_GAVE_ROOM;
	}
}

/**
 * swiotlb_dev_has_reservation() - has @dev reserved a pool of its own?
 * @dev:	a device that bounces
 *
 * Return: a snapshot: %true if the device's list (of reservations only)
 * is not empty.
 */
bool swiotlb_dev_has_reservation(struct device *dev)
{
	return READ_ONCE(dev->dma_uses_io_tlb) && !list_empty(&dev->dma_io_tlb_pools);
}

/**
 * swiotlb_dev_pool_reserve() - reserve bounce memory for one device
 * @dev:	the device; its mappings try this pool before any other
 * @bytes:	size of the pool, rounded up to whole slots
 *
 * For a driver that knows how much it keeps in flight and would rather not
 * compete for the shared pools. The pool counts as a transient pool in the
 * statistics. Give it back with swiotlb_dev_pool_release() before @dev is
 * released.
 *
 * Context: process context; sleeps.
 * Return: the pool, or an ERR_PTR(): -ENODEV if @dev does not bounce,
 * -EINVAL for a size of zero or above what one allocation can give,
 * -EOPNOTSUPP if @dev's allocator cannot add pools, -ENOMEM, or -ERANGE if
 * the memory obtained is beyond @dev's DMA mask.
 */
struct io_tlb_pool *swiotlb_dev_pool_reserve(struct device *dev, size_t bytes)
{
	struct io_tlb_mem *mem = swiotlb_dev_mem(dev);
	unsigned long nslabs = DIV_ROUND_UP(bytes, IO_TLB_SIZE);
	struct io_tlb_pool *pool;

	might_sleep();
	if (!mem || !READ_ONCE(mem->nslabs))
		return ERR_PTR(-ENODEV);
	if (!bytes || nslabs > SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER)
		return ERR_PTR(-EINVAL);
	if (!READ_ONCE(mem->can_grow))
		return ERR_PTR(-EOPNOTSUPP);

	pool = swiotlb_pool_create(dev, mem, nslabs, nslabs, 1, SWIOTLB_POOL_RESERVED,
				   GFP_KERNEL);
	if (!pool) {
		swiotlb_stats_transient_failed(mem);
		return ERR_PTR(-ENOMEM);
	}
	if (phys_to_dma_unencrypted(dev, pool->end - 1) > swiotlb_dev_limit(dev)) {
		swiotlb_pool_destroy(pool);
		return ERR_PTR(-ERANGE);
	}
	pool->owner = dev;
	atomic_set(&pool->refs, 1);
	swiotlb_pool_publish(pool);
	swiotlb_mark_dev(dev);
	return pool;
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_reserve);

/**
 * swiotlb_dev_pool_release() - end a reservation
 * @pool:	from swiotlb_dev_pool_reserve()
 *
 * No new mapping goes into @pool. Mappings still in it stay valid; the
 * pool is freed, after an RCU grace period, once the last is unmapped.
 * @pool must not be used by the caller afterwards.
 *
 * Context: any.
 */
void swiotlb_dev_pool_release(struct io_tlb_pool *pool)
{
	if (WARN_ON_ONCE(pool->kind != SWIOTLB_POOL_RESERVED))
		return;
	swiotlb_slots_seal(pool);
	swiotlb_dev_pool_put(pool);
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_release);
