// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb scatterlists mapped whole: swiotlb_map_sg().
 *
 * A caller that may sleep and whose device bounces every mapping gets a
 * bounce buffer for every entry of its list or for none, and waits for the
 * room of the whole list at once, holding no slot while it waits (in the
 * same queue as single mappings, swiotlb_wait.c): two lists that each hold
 * part of a full pool never wait for each other. The entries are mapped
 * with the helpers of the single-mapping path (swiotlb.c).
 *
 * Locking: none here, as in swiotlb.c: the slot allocator, the pools and
 * the wait queue take their own locks, and a list is its caller's alone.
 */

#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/pci-p2pdma.h>
#include <linux/sched/mm.h>
#include <linux/scatterlist.h>
#include <linux/swiotlb.h>

#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"

/* A scatterlist mapped whole or not at all; see swiotlb_map_sg(). */
struct swiotlb_list {
	struct scatterlist *sgl;
	int nents;
	enum dma_data_direction dir;
	unsigned long attrs;
	unsigned long nslots;	/* of all entries together */
	u64 lowest;		/* swiotlb_pools_lowest(), once per call */
	bool out_of_reach;	/* some entry reaches no pool */
	bool waiting;		/* in the queue: see swiotlb_list_may_fit() */
};

/*
 * Give back the bounce buffers of the first @n entries (their dma_address
 * still physical), taken in this same attempt and never handed out.
 *
 * A list in the queue wakes nobody here: as the oldest waiter nobody has
 * queued behind it for want of these slots, and waking itself would only
 * make it try again at once; out of turn (every waiter tries once when a
 * pool is added), swiotlb_wait_for() wakes the oldest after the failed
 * attempt. A list that has not queued yet
 * wakes the oldest waiter, as any unmap would: that waiter may have queued
 * during the attempt, finding the pools full because of these very slots,
 * and gone to sleep (it costs one read of mem->nwaiters when nobody waits).
 */
static void swiotlb_list_undo(struct device *dev, struct swiotlb_list *l, int n)
{
	struct io_tlb_pool *pool;
	struct scatterlist *sg;
	int i;

	for_each_sg(l->sgl, sg, n, i) {
		pool = swiotlb_find_pool(dev, sg->dma_address);
		trace_swiotlb_unmap(dev, sg->dma_address, sg->length, pool->kind);
		swiotlb_end_mapping(dev, pool, swiotlb_slots_head(pool, sg->dma_address),
				    !l->waiting);
	}
}

/*
 * Is there room for the whole list, as far as counting slots can tell?
 * Without it an attempt would take entries only to give them back, and
 * meanwhile leave callers that cannot wait a fuller pool than there is.
 * Pools a device reserved, and transient pools (once growth failed, where
 * a new pool may be out of the device's reach, or for entries out of reach
 * of the pools), are not counted: then it tries. When
 * the slots are not there, a dynamic pool is added at once if memory
 * allows (swiotlb_grow_now()), and it tries.
 */
static bool swiotlb_list_may_fit(struct device *dev, const struct swiotlb_list *l)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	if ((IS_ENABLED(CONFIG_SWIOTLB_DYNAMIC) && l->out_of_reach) ||
	    swiotlb_dev_has_reservation(dev) ||
	    (swiotlb_can_grow(mem) &&
	     (swiotlb_grow_failed(mem) || !swiotlb_growth_serves(dev, swiotlb_dev_limit(dev)))))
		return true;
	if (swiotlb_mem_used(mem) + l->nslots <= READ_ONCE(mem->nslabs))
		return true;
	/*
	 * A waiter must not sleep on a count read without the area locks:
	 * slots given back meanwhile would wake nobody. Count again under
	 * them (see swiotlb_wake_after_free()).
	 */
	if (l->waiting &&
	    swiotlb_mem_used_locked(mem) + l->nslots <= READ_ONCE(mem->nslabs))
		return true;
	if (swiotlb_can_grow(mem)) {
		/* A pool of its own if memory allows (one at a time), as a single map. */
		switch (swiotlb_grow_now(dev, swiotlb_dev_limit(dev))) {
		case SWIOTLB_GREW_ADDED:
			return true;
		case SWIOTLB_GREW_BUSY:
			return false;
		case SWIOTLB_GREW_NO:
			break;
		}
		swiotlb_request_growth(mem);
	}
	return false;
}

/*
 * Room for one entry: from the pools, else a transient pool as for any
 * caller that may sleep once adding a pool failed (swiotlb_fallback_room()),
 * or, for an entry the pools are out of reach of, a transient pool below
 * the device's limit, as a single mapping would get it. Never a dynamic
 * pool: the entries before this one hold slots (see swiotlb_list_try()).
 */
static struct io_tlb_pool *swiotlb_list_room(struct device *dev, const struct swiotlb_list *l,
					     const struct swiotlb_req *req, int *head)
{
	struct io_tlb_pool *pool;

	if (IS_ENABLED(CONFIG_SWIOTLB_DYNAMIC) && l->out_of_reach &&
	    !swiotlb_req_reaches(req, l->lowest))
		return swiotlb_transient_create(dev, req, head, GFP_KERNEL | __GFP_NOWARN);
	pool = swiotlb_pools_take(dev, req, head);
	if (pool)
		return pool;
	return swiotlb_fallback_room(dev, req, head);
}

/* Has a dynamic pool just been added for a list that holds no slot? */
static bool swiotlb_list_grow(struct device *dev)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	return swiotlb_can_grow(mem) &&
	       swiotlb_grow_now(dev, swiotlb_dev_limit(dev)) == SWIOTLB_GREW_ADDED;
}

/*
 * One attempt at the whole list, which never sleeps holding slots: every
 * entry gets a bounce buffer (the pools, else a transient pool as for any
 * caller that may sleep), or none keeps one. A dynamic pool is added only
 * while the list holds nothing: before the attempt (swiotlb_list_may_fit())
 * or, when an entry found no room though the count said the list fits,
 * after its entries went back, and then the attempt is made once more.
 */
static bool swiotlb_list_try(struct device *dev, void *ctx)
{
	struct swiotlb_list *l = ctx;
	struct io_tlb_pool *pool;
	struct swiotlb_req req;
	struct scatterlist *sg;
	bool grown = false;
	int i, head;

	if (!swiotlb_list_may_fit(dev, l))
		return false;
again:
	for_each_sg(l->sgl, sg, l->nents, i) {
		/* Checked by swiotlb_map_sg(): cannot fail. */
		swiotlb_make_req(dev, sg_phys(sg), sg->length, 0, l->dir, l->attrs,
				 swiotlb_dev_limit(dev), &req);
		pool = swiotlb_list_room(dev, l, &req, &head);
		if (!pool) {
			swiotlb_list_undo(dev, l, i);
			if (!grown && swiotlb_list_grow(dev)) {
				grown = true;
				goto again;
			}
			return false;
		}
		sg->dma_address = swiotlb_fill(dev, pool, head, &req);
	}
	return true;
}

/*
 * Can the list be mapped at all? Where no pool can be added, an entry out
 * of reach of the pools never can, nor a list with more slots than the
 * pools have (a necessary condition, not a sufficient one: runs do not
 * cross segments); either would only wait until its wait timed out, so
 * it fails at once instead.
 */
static bool swiotlb_list_can_fit(struct device *dev, const struct swiotlb_list *l)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	unsigned long nslabs = READ_ONCE(mem->nslabs);

	if (swiotlb_can_grow(mem))
		return true;
	if (l->out_of_reach) {
		swiotlb_no_room(dev, l->nslots, l->attrs);
		return false;
	}
	if (l->nslots <= nslabs)
		return true;
	swiotlb_wrong_call(dev,
			   "scatterlist needing %lu slots at once, more than all %lu of the pools\n",
			   l->nslots, nslabs);
	return false;
}

/**
 * swiotlb_map_sg() - bounce a scatterlist for a caller that may sleep
 * @dev:	a device whose every mapping bounces (is_swiotlb_force_bounce())
 * @sgl:	the list
 * @nents:	its entries
 * @dir:	direction of the DMA
 * @attrs:	DMA_ATTR_* flags, %DMA_ATTR_MAY_BLOCK among them
 *
 * Mapped entry by entry, two lists that each hold part of a full pool would
 * wait for each other until their wait timed out. Here a list waits for
 * its whole size at once: it takes bounce buffers for all its entries or
 * for none, and waits (in the same FIFO queue as single mappings) holding
 * none, so no list ever holds slots while it waits for others.
 *
 * Context: process context, no locks held: it may sleep.
 * Return: @nents, -EOPNOTSUPP if this is not for swiotlb_map_sg() (the
 * device need not bounce every mapping, the context cannot sleep, or an
 * entry is peer-to-peer memory or the device reaches no pool: map entry
 * by entry then), -EINVAL for an entry no pool could hold or a list larger
 * than all pools together where none can be added, -ENOMEM if the wait
 * timed out, -EIO if the device cannot reach a bounce buffer.
 */
int swiotlb_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		   enum dma_data_direction dir, unsigned long attrs)
{
	struct swiotlb_list l = { .sgl = sgl, .nents = nents, .dir = dir, .attrs = attrs };
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct swiotlb_req req;
	struct scatterlist *sg;
	unsigned int noio;
	size_t total = 0;
	bool mapped;
	int i, j;

	if (!is_swiotlb_force_bounce(dev) || !swiotlb_can_sleep())
		return -EOPNOTSUPP;
	l.lowest = swiotlb_pools_lowest(dev);
	for_each_sg(sgl, sg, nents, i) {
		if (is_pci_p2pdma_page(sg_page(sg)))
			return -EOPNOTSUPP;
		if (swiotlb_make_req(dev, sg_phys(sg), sg->length, 0, dir, attrs,
				     swiotlb_dev_limit(dev), &req))
			return -EINVAL;
		/* Room freed in the pools is no use to such an entry. */
		if (!swiotlb_req_reaches(&req, l.lowest))
			l.out_of_reach = true;
		total += sg->length;
		l.nslots += req.nslots;
	}
	if (!swiotlb_has_pool(dev, total))
		return -EIO;
	if (!swiotlb_list_can_fit(dev, &l))
		return l.out_of_reach ? -EIO : -EINVAL;

	might_sleep();
	noio = memalloc_noio_save();
	mapped = !READ_ONCE(mem->nwaiters) && swiotlb_list_try(dev, &l);
	if (!mapped) {
		l.waiting = true;
		mapped = swiotlb_wait_for(dev, total, swiotlb_list_try, &l);
	}
	memalloc_noio_restore(noio);
	if (!mapped) {
		/* The whole list's size: it waited for all of it at once. */
		swiotlb_no_room(dev, l.nslots, attrs);
		return -ENOMEM;
	}

	for_each_sg(sgl, sg, nents, i) {
		trace_swiotlb_bounced(dev, phys_to_dma(dev, sg_phys(sg)), sg->length);
		sg->dma_address = swiotlb_hand_to_device(dev, sg->dma_address, sg->length,
							 dir, attrs);
		if (sg->dma_address == DMA_MAPPING_ERROR)
			goto unreachable;
		sg_dma_len(sg) = sg->length;
	}
	return nents;

unreachable:
	/*
	 * Entry i is unmapped already; those before it hold a DMA address,
	 * those after it still a physical one.
	 */
	for_each_sg(sgl, sg, nents, j) {
		phys_addr_t tlb;

		if (j == i)
			continue;
		tlb = j < i ? dma_to_phys(dev, sg->dma_address) : sg->dma_address;
		__swiotlb_tbl_unmap_single(dev, tlb, sg->length, dir, DMA_ATTR_SKIP_CPU_SYNC,
					   swiotlb_find_pool(dev, tlb));
	}
	return -EIO;
}
