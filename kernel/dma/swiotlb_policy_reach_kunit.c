// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_policy_reach: mappings that may sleep from devices
 * that reach only part of memory, on a private allocator. A device whose
 * mask keeps it below every pool takes memory below its mask at once
 * instead of waiting for room it could not use (or fails at once where no
 * pool can be added); a device that reaches the pools it has but may not
 * reach a dynamic pool the allocator would add neither adds one nor asks
 * the worker for one, since a pool it cannot use would be followed by
 * another, and another. Each case states one rule in its name.
 *
 * Locking: none of its own. Each case owns a private allocator
 * (test_swiotlb_mem()) and its devices, which KUnit actions undo when the
 * case ends.
 */

#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

/* Skip unless there is memory below 16 MiB and @tm's pool lies above it. */
static void skip_unless_pool_above_16m(struct kunit *test, struct test_mem *tm)
{
	struct page *low = alloc_page(GFP_DMA);
	bool none = !low || page_to_phys(low) > DMA_BIT_MASK(24);

	if (low)
		__free_page(low);
	if (none)
		kunit_skip(test, "no memory below 16 MiB");
	if (tm->mem.defpool.start <= DMA_BIT_MASK(24))
		kunit_skip(test, "the test pool lies below 16 MiB");
}

/*
 * dma-direct checks the device's mask (dma_capable()): a may-sleep map whose
 * device reaches none of the pools does not wait for room it could not use,
 * it takes memory below its mask at once.
 */
static void may_sleep_map_below_every_pool_takes_memory_below_its_mask_at_once(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page;
	u64 mask = *dev->dma_mask;
	struct io_tlb_pool *pool;
	phys_addr_t tlb;
	dma_addr_t dma;

	skip_unless_pool_above_16m(test, tm);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	/* Long enough that a wait would fail the test, not just slow it. */
	tm->mem.wait_timeout_ms = 2000;
	*dev->dma_mask = DMA_BIT_MASK(24);
	dma = swiotlb_map(dev, page_to_phys(page), 512, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	*dev->dma_mask = mask;
	KUNIT_ASSERT_NE(test, dma, DMA_MAPPING_ERROR);
	tlb = dma_to_phys(dev, dma);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);
	KUNIT_EXPECT_LE(test, pool->end - 1, (phys_addr_t)DMA_BIT_MASK(24));
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 0);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 0);
	unmap_phys(test, tlb, 512);
	__free_page(page);
}

/*
 * The same for a scatterlist: room freed in the pools is no use to it, so
 * it does not wait for its whole size there; each entry takes memory below
 * the mask at once.
 */
static void may_sleep_list_below_every_pool_takes_memory_below_its_mask_at_once(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page;
	u64 mask = *dev->dma_mask;
	struct scatterlist *sg;
	struct sg_table sgt;
	int ret, i;

	skip_unless_pool_above_16m(test, tm);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, 2, GFP_KERNEL), 0);
	sg_set_page(&sgt.sgl[0], page, 512, 0);
	sg_set_page(&sgt.sgl[1], page, 512, 1024);
	tm->mem.wait_timeout_ms = 2000;
	*dev->dma_mask = DMA_BIT_MASK(24);
	ret = dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	*dev->dma_mask = mask;
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret) {
		for_each_sgtable_dma_sg(&sgt, sg, i) {
			struct io_tlb_pool *pool = swiotlb_find_pool(dev,
							dma_to_phys(dev, sg_dma_address(sg)));

			KUNIT_ASSERT_NOT_NULL(test, pool);
			KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);
			KUNIT_EXPECT_LE(test, sg_dma_address(sg) + sg_dma_len(sg) - 1,
					(dma_addr_t)DMA_BIT_MASK(24));
		}
		dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);
	}
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);

	/* Where no pool can be added, it fails at once. */
	tm->mem.can_grow = false;
	*dev->dma_mask = DMA_BIT_MASK(24);
	ret = dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	*dev->dma_mask = mask;
	KUNIT_EXPECT_EQ(test, ret, -EIO);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 0);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.map_failures), 1);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sg_free_table(&sgt);
	__free_page(page);
}

/* Where no pool can be added, a map its mask keeps out of every pool fails at once. */
static void may_sleep_map_below_every_pool_fails_at_once_where_none_can_be_added(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	u8 *buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	u64 mask = *dev->dma_mask;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	tm->mem.can_grow = false;
	tm->mem.wait_timeout_ms = 2000;
	*dev->dma_mask = DMA_BIT_MASK(12);
	dma = swiotlb_map(dev, virt_to_phys(buf), 512, DMA_TO_DEVICE,
			  DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	*dev->dma_mask = mask;
	KUNIT_EXPECT_EQ(test, dma, DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 0);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.map_failures), 1);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
}

/*
 * Fill the default pool of @tm, make @dev's limit its last byte, so that
 * @dev reaches it but not every address below mem->grow_limit, where a
 * dynamic pool may land, and let may-sleep maps grow the pools at once.
 * Return: the mapping that fills the pool.
 */
static phys_addr_t reach_only_the_default_pool(struct kunit *test, struct device *dev,
					       struct test_mem *tm, struct page *page)
{
	dev->bus_dma_limit = phys_to_dma_unencrypted(dev, tm->mem.defpool.end - 1);
	if (phys_to_dma_unencrypted(dev, tm->mem.grow_limit) <= dev->bus_dma_limit)
		kunit_skip(test, "the test pool ends at the growth limit");
	return fill_and_grow_inline(test, tm, page, 100);
}

/*
 * A device that reaches its default pool but may not reach a dynamic pool
 * (one may land anywhere below mem->grow_limit) gains nothing from growth:
 * a may-sleep map over the full pool adds no pool and asks the worker for
 * none; it takes memory below its limit, or fails once that cannot be had.
 */
static void may_sleep_map_that_may_not_reach_a_new_pool_adds_none(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	struct io_tlb_pool *pool;
	phys_addr_t fill;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = reach_only_the_default_pool(test, dev, tm, page);
	dma = swiotlb_map(dev, page_to_phys(page), IO_TLB_SIZE, DMA_TO_DEVICE,
			  DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	flush_work(&tm->mem.grow_work);
	kunit_info(test, "limit %#llx: %s; %ld dynamic and %ld transient pools added, %ld transient failures, %d worker requests, %ld waits\n",
		   (unsigned long long)dev->bus_dma_limit,
		   dma == DMA_MAPPING_ERROR ? "failed" : "mapped",
		   counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]),
		   counter(&st->transient_failed), atomic_read(&tm->grow_requests),
		   counter(&st->waits));

	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tm->grow_requests), 0);
	if (dma == DMA_MAPPING_ERROR) {
		KUNIT_EXPECT_GE(test, counter(&st->transient_failed), 1);
	} else {
		pool = swiotlb_find_pool(dev, dma_to_phys(dev, dma));
		KUNIT_ASSERT_NOT_NULL(test, pool);
		KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);
		KUNIT_EXPECT_LE(test, dma + IO_TLB_SIZE - 1, dev->bus_dma_limit);
		unmap_phys(test, dma_to_phys(dev, dma), IO_TLB_SIZE);
	}
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	dev->bus_dma_limit = 0;
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/* The same for a scatterlist: neither the list nor its entries grow the pools. */
static void may_sleep_list_that_may_not_reach_a_new_pool_adds_none(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	struct scatterlist *sg;
	struct sg_table sgt;
	phys_addr_t fill;
	int ret, i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, 2, GFP_KERNEL), 0);
	sg_set_page(&sgt.sgl[0], page, 512, 0);
	sg_set_page(&sgt.sgl[1], page, 512, 1024);
	fill = reach_only_the_default_pool(test, dev, tm, page);
	ret = dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	flush_work(&tm->mem.grow_work);
	kunit_info(test, "limit %#llx: list %s; %ld dynamic and %ld transient pools added, %ld transient failures, %d worker requests, %ld waits\n",
		   (unsigned long long)dev->bus_dma_limit, ret ? "failed" : "mapped",
		   counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]),
		   counter(&st->transient_failed), atomic_read(&tm->grow_requests),
		   counter(&st->waits));

	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tm->grow_requests), 0);
	if (ret) {
		KUNIT_EXPECT_GE(test, counter(&st->transient_failed), 1);
	} else {
		for_each_sgtable_dma_sg(&sgt, sg, i)
			KUNIT_EXPECT_LE(test, sg_dma_address(sg) + sg_dma_len(sg) - 1,
					dev->bus_dma_limit);
		dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);
	}
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	dev->bus_dma_limit = 0;
	sg_free_table(&sgt);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static struct kunit_case swiotlb_policy_reach_cases[] = {
	KUNIT_CASE(may_sleep_map_below_every_pool_takes_memory_below_its_mask_at_once),
	KUNIT_CASE(may_sleep_list_below_every_pool_takes_memory_below_its_mask_at_once),
	KUNIT_CASE(may_sleep_map_below_every_pool_fails_at_once_where_none_can_be_added),
	KUNIT_CASE(may_sleep_map_that_may_not_reach_a_new_pool_adds_none),
	KUNIT_CASE(may_sleep_list_that_may_not_reach_a_new_pool_adds_none),
	{}
};

static struct kunit_suite swiotlb_policy_reach_suite = {
	.name = "swiotlb_policy_reach",
	.init = test_swiotlb_pools_init,
	.test_cases = swiotlb_policy_reach_cases,
};

kunit_test_suite(swiotlb_policy_reach_suite);
