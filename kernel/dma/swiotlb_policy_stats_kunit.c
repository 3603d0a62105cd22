// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_policy_stats: what happens after the pools were full,
 * on a private allocator: idle dynamic pools are given back (and busy
 * allocators keep theirs), the counters follow each pool kind and each
 * device, and the tracepoints report maps, pools and waits. Each case
 * states one rule in its name.
 *
 * Locking: none of its own. Each case owns a private allocator
 * (test_swiotlb_mem()) and its devices, which KUnit actions undo when the
 * case ends.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

/* Idle time of the private allocators below; long, so that "just now" is. */
#define IDLE_MS		60000

/* A dynamic pool of @nslabs slots on @tm, last used twice the idle time ago. */
static struct io_tlb_pool *add_dynamic_pool(struct kunit *test, struct test_mem *tm,
					    unsigned long nslabs)
{
	struct io_tlb_pool *pool;

	pool = swiotlb_pool_create(NULL, &tm->mem, nslabs, nslabs, 1, SWIOTLB_POOL_DYNAMIC,
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	swiotlb_pool_publish(pool);
	pool->last_used = jiffies - msecs_to_jiffies(2 * IDLE_MS);
	return pool;
}

static void idle_dynamic_pool_is_given_back(struct kunit *test)
{
	struct test_mem *tm = test_swiotlb_mem(test, test->priv, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.idle_ms = IDLE_MS;
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	pool = add_dynamic_pool(test, tm, 2 * IO_TLB_SEGSIZE);
	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	KUNIT_ASSERT_PTR_EQ(test, swiotlb_find_pool(test->priv, tlb), pool);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);

	/* In use, or used just now: it stays. */
	swiotlb_shrink(&tm->mem);
	KUNIT_EXPECT_EQ(test, tm->mem.nslabs, 3 * IO_TLB_SEGSIZE);
	unmap_phys(test, tlb, PAGE_SIZE);
	swiotlb_shrink(&tm->mem);
	KUNIT_EXPECT_EQ(test, tm->mem.nslabs, 3 * IO_TLB_SEGSIZE);

	/* Unused for the idle time: it goes, and its memory after a grace period. */
	pool->last_used = jiffies - msecs_to_jiffies(2 * IDLE_MS);
	swiotlb_shrink(&tm->mem);
	KUNIT_EXPECT_EQ(test, tm->mem.nslabs, IO_TLB_SEGSIZE);
	KUNIT_EXPECT_NULL(test, swiotlb_find_pool(test->priv, tlb));
	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_freed[SWIOTLB_POOL_DYNAMIC]), 1);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void busy_allocator_keeps_its_idle_dynamic_pool(struct kunit *test)
{
	struct test_mem *tm = test_swiotlb_mem(test, test->priv, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	phys_addr_t fill;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.idle_ms = IDLE_MS;
	add_dynamic_pool(test, tm, IO_TLB_SEGSIZE);
	/* 80 of the 128 default slots in use: without the pool, over half full. */
	fill = map_phys(test, page_to_phys(page), 80 * IO_TLB_SIZE);
	swiotlb_shrink(&tm->mem);
	KUNIT_EXPECT_EQ(test, tm->mem.nslabs, 2 * IO_TLB_SEGSIZE);
	unmap_phys(test, fill, 80 * IO_TLB_SIZE);

	swiotlb_shrink(&tm->mem);
	KUNIT_EXPECT_EQ(test, tm->mem.nslabs, IO_TLB_SEGSIZE);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void counters_follow_each_pool_kind(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t tlb;

	/* The fill: 128 default slots. */
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_DEFAULT), 128);
	tlb = map_phys(test, page_to_phys(b->page), 3 * IO_TLB_SIZE);
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_TRANSIENT), 3);
	KUNIT_EXPECT_EQ(test, used_all(tm), 131);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.used_hiwater), 131);
	unmap_phys(test, tlb, 3 * IO_TLB_SIZE);
	test_swiotlb_burst_release_fill(b);
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_DEFAULT), 0);
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_TRANSIENT), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->used_hiwater[SWIOTLB_POOL_DEFAULT]), 128);
	KUNIT_EXPECT_EQ(test, counter(&st->used_hiwater[SWIOTLB_POOL_TRANSIENT]), 3);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 1);
	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, counter(&st->pools_freed[SWIOTLB_POOL_TRANSIENT]), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), 0);
}

/* Each tracepoint of the policy path counts its hits here. */
struct trace_hits {
	atomic_t map, unmap, pool_add, pool_remove, wait_begin, wait_end;
};

static void hit_map(void *data, struct device *dev, phys_addr_t tlb_addr, size_t size,
		    enum swiotlb_pool_kind kind)
{
	atomic_inc(&((struct trace_hits *)data)->map);
}

static void hit_unmap(void *data, struct device *dev, phys_addr_t tlb_addr, size_t size,
		      enum swiotlb_pool_kind kind)
{
	atomic_inc(&((struct trace_hits *)data)->unmap);
}

static void hit_pool_add(void *data, struct io_tlb_pool *pool)
{
	atomic_inc(&((struct trace_hits *)data)->pool_add);
}

static void hit_pool_remove(void *data, struct io_tlb_pool *pool)
{
	atomic_inc(&((struct trace_hits *)data)->pool_remove);
}

static void hit_wait_begin(void *data, struct device *dev, size_t size, unsigned int queued)
{
	atomic_inc(&((struct trace_hits *)data)->wait_begin);
}

static void hit_wait_end(void *data, struct device *dev, size_t size, u64 waited_ns,
			 bool served)
{
	atomic_inc(&((struct trace_hits *)data)->wait_end);
}

static void unregister_hits(void *data)
{
	unregister_trace_swiotlb_map(hit_map, data);
	unregister_trace_swiotlb_unmap(hit_unmap, data);
	unregister_trace_swiotlb_pool_add(hit_pool_add, data);
	unregister_trace_swiotlb_pool_remove(hit_pool_remove, data);
	unregister_trace_swiotlb_wait_begin(hit_wait_begin, data);
	unregister_trace_swiotlb_wait_end(hit_wait_end, data);
	tracepoint_synchronize_unregister();
}

static void tracepoints_report_maps_pools_and_waits(struct kunit *test)
{
	struct trace_hits *hits = kunit_kzalloc(test, sizeof(*hits), GFP_KERNEL);
	struct test_mem *tm;
	struct burst *b;
	phys_addr_t tlb;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		kunit_skip(test, "needs CONFIG_TRACEPOINTS");
	KUNIT_ASSERT_NOT_NULL(test, hits);
	KUNIT_ASSERT_EQ(test, register_trace_swiotlb_map(hit_map, hits), 0);
	KUNIT_ASSERT_EQ(test, register_trace_swiotlb_unmap(hit_unmap, hits), 0);
	KUNIT_ASSERT_EQ(test, register_trace_swiotlb_pool_add(hit_pool_add, hits), 0);
	KUNIT_ASSERT_EQ(test, register_trace_swiotlb_pool_remove(hit_pool_remove, hits), 0);
	KUNIT_ASSERT_EQ(test, register_trace_swiotlb_wait_begin(hit_wait_begin, hits), 0);
	KUNIT_ASSERT_EQ(test, register_trace_swiotlb_wait_end(hit_wait_end, hits), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unregister_hits, hits), 0);

	/* Four fill maps, one transient map, and one wait that times out. */
	b = test_swiotlb_burst_start(test, &tm);
	tlb = map_phys(test, page_to_phys(b->page), PAGE_SIZE);
	unmap_phys(test, tlb, PAGE_SIZE);
	tm->mem.wait_timeout_ms = 1;
	tlb = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE, 0,
				     DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	test_swiotlb_burst_release_fill(b);

	KUNIT_EXPECT_EQ(test, atomic_read(&hits->map), 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&hits->unmap), 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&hits->pool_add), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&hits->pool_remove), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&hits->wait_begin), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&hits->wait_end), 1);
}

static void per_device_counters_follow_each_device(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct device *other = test_device_named(test, "swiotlb-core-kunit-other");
	struct swiotlb_dev_stats *mine, *theirs;
	phys_addr_t tlb;

	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(other, DMA_BIT_MASK(32)), 0);
	other->dma_io_tlb_mem = &tm->mem;

	/* The fill is this test's device's: 128 slots. */
	mine = swiotlb_dev_stats_find(test->priv);
	KUNIT_ASSERT_NOT_NULL(test, mine);
	KUNIT_EXPECT_EQ(test, swiotlb_dev_stats_used(mine), 128);

	/* The other device goes transient once, then waits in vain once. */
	tlb = map_phys_for(test, other, page_to_phys(b->page), PAGE_SIZE, 0);
	theirs = swiotlb_dev_stats_find(other);
	KUNIT_ASSERT_NOT_NULL(test, theirs);
	KUNIT_EXPECT_EQ(test, swiotlb_dev_stats_used(theirs), 2);
	KUNIT_EXPECT_EQ(test, counter(&theirs->events[SWIOTLB_DEV_TRANSIENT]), 1);
	tm->mem.wait_timeout_ms = 1;
	KUNIT_EXPECT_EQ(test, swiotlb_tbl_map_single(other, page_to_phys(b->page), PAGE_SIZE, 0,
						     DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK),
			(phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&theirs->events[SWIOTLB_DEV_WAIT]), 1);
	KUNIT_EXPECT_EQ(test, counter(&theirs->events[SWIOTLB_DEV_TIMEOUT]), 1);
	KUNIT_EXPECT_EQ(test, counter(&theirs->events[SWIOTLB_DEV_FAILURE]), 1);
	swiotlb_tbl_unmap_single(other, tlb, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, swiotlb_dev_stats_used(theirs), 0);
	KUNIT_EXPECT_EQ(test, counter(&theirs->used_hiwater), 2);

	/* None of it was counted for this test's device. */
	KUNIT_EXPECT_EQ(test, counter(&mine->events[SWIOTLB_DEV_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, counter(&mine->events[SWIOTLB_DEV_WAIT]), 0);

	/* A released device's record goes with it. */
	kunit_device_unregister(test, other);
	KUNIT_EXPECT_NULL(test, swiotlb_dev_stats_find(other));
}

static struct kunit_case swiotlb_policy_stats_cases[] = {
	KUNIT_CASE(idle_dynamic_pool_is_given_back),
	KUNIT_CASE(busy_allocator_keeps_its_idle_dynamic_pool),
	KUNIT_CASE(counters_follow_each_pool_kind),
	KUNIT_CASE(tracepoints_report_maps_pools_and_waits),
	KUNIT_CASE(per_device_counters_follow_each_device),
	{}
};

static struct kunit_suite swiotlb_policy_stats_suite = {
	.name = "swiotlb_policy_stats",
	.init = test_swiotlb_pools_init,
	.test_cases = swiotlb_policy_stats_cases,
};

kunit_test_suite(swiotlb_policy_stats_suite);
