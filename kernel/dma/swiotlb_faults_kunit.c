// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_faults: each allocation of the map path fails in turn
 * (swiotlb_fail_arm(), CONFIG_FAULT_INJECTION), on a private allocator: the
 * memory and the book-keeping of a transient pool, a dynamic pool's memory,
 * a device's record, a reservation. Each time the mapping fails cleanly or
 * waits, nothing is left behind, and the same mapping works once
 * allocations do. Each case states one rule in its name.
 *
 * Locking: none of its own. Each case owns a private allocator; the
 * injection is disarmed by a KUnit action when the case ends.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

static void faults_disarm(void *data)
{
	swiotlb_fail_arm(0, 0);
}

static int faults_init(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, faults_disarm, NULL), 0);
	return test_swiotlb_pools_init(test);
}

/* Fill @tm's pool, fail @sites, and check that a transient map fails cleanly. */
static void expect_transient_map_fails_cleanly(struct kunit *test, struct test_mem *tm,
					       u32 sites)
{
	struct device *dev = test->priv;
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);

	swiotlb_fail_arm(sites, 1);
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_NO_WARN);
	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&st->transient_failed), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), IO_TLB_SEGSIZE);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));

	/* Once allocations work again, so does the same map. */
	swiotlb_fail_arm(0, 0);
	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, swiotlb_find_pool(dev, tlb)->kind, SWIOTLB_POOL_TRANSIENT);
	unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, counter(&st->pools_freed[SWIOTLB_POOL_TRANSIENT]), 1);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void failed_transient_memory_fails_the_map_cleanly(struct kunit *test)
{
	expect_transient_map_fails_cleanly(test, test_swiotlb_mem(test, test->priv, IO_TLB_SEGSIZE),
					   SWIOTLB_FAIL_MEMORY);
}

static void failed_transient_bookkeeping_fails_the_map_cleanly(struct kunit *test)
{
	expect_transient_map_fails_cleanly(test, test_swiotlb_mem(test, test->priv, IO_TLB_SEGSIZE),
					   SWIOTLB_FAIL_META);
}

static void failed_growth_and_memory_end_a_wait_cleanly(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	/* The real worker this time: its pool allocation is what fails. */
	INIT_WORK(&tm->mem.grow_work, swiotlb_grow);
	tm->mem.wait_timeout_ms = 200;
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);

	swiotlb_fail_arm(SWIOTLB_FAIL_MEMORY, -1);
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	flush_work(&tm->mem.grow_work);
	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(tm->mem.grow_failed));
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->wait_timeouts), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nslabs), IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nwaiters), 0);
	/*
	 * A failed growth wakes the waiter, which must not ask the worker
	 * again at once: the worker is asked at most every
	 * SWIOTLB_GROW_RETRY_MS, and the waiter tries about twice as often
	 * (on its own, and when the worker failed again), not in a loop.
	 */
	KUNIT_EXPECT_LE(test, counter(&st->wait_attempts),
			2 * (200 / SWIOTLB_GROW_RETRY_MS + 1) + 2);

	/*
	 * Memory back: growth having failed, the waiter takes a transient pool
	 * (the counting worker again, so that no new pool races with it).
	 */
	swiotlb_fail_arm(0, 0);
	INIT_WORK(&tm->mem.grow_work, test_swiotlb_mem_grow);
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK);
	KUNIT_ASSERT_NE(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, swiotlb_find_pool(dev, tlb)->kind, SWIOTLB_POOL_TRANSIENT);
	unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void failed_device_record_leaves_mapping_working(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	phys_addr_t tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NULL(test, swiotlb_dev_stats_find(dev));
	swiotlb_fail_arm(SWIOTLB_FAIL_DEV_STATS, 1);
	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, swiotlb_dev_stats_find(dev));
	KUNIT_EXPECT_EQ(test, used_all(tm), 2);
	unmap_phys(test, tlb, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);

	/* The next mapping gets its record. */
	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	KUNIT_EXPECT_NOT_NULL(test, swiotlb_dev_stats_find(dev));
	unmap_phys(test, tlb, PAGE_SIZE);
	__free_pages(page, 0);
}

static void failed_reservation_leaves_nothing_behind(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	static const u32 sites[] = { SWIOTLB_FAIL_MEMORY, SWIOTLB_FAIL_META };
	struct io_tlb_pool *pool;
	int i;

	for (i = 0; i < ARRAY_SIZE(sites); i++) {
		swiotlb_fail_arm(sites[i], 1);
		pool = swiotlb_dev_pool_reserve(dev, SZ_64K);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(pool), -ENOMEM, "site %#x", sites[i]);
	}
	swiotlb_fail_arm(0, 0);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.transient_failed), 2);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));

	pool = swiotlb_dev_pool_reserve(dev, SZ_64K);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	swiotlb_dev_pool_release(pool);
}

/*
 * When memory is short (the allocation of the pool fails), the mapping that
 * may sleep waits for room as before, and still takes no transient pool
 * while the worker has not failed.
 */
static void may_sleep_caller_waits_when_memory_is_short(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t fill, tlb;

	fill = fill_and_grow_inline(test, tm, page, 100);
	swiotlb_fail_arm(SWIOTLB_FAIL_MEMORY, -1);
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);

	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->wait_timeouts), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&tm->grow_requests), 0);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void clear_growth_bit(void *data)
{
	struct io_tlb_mem *mem = data;

	clear_bit(0, &mem->grow_busy);
}

/*
 * A may-sleep mapping that finds another caller adding a pool takes a
 * transient pool at once, or, where even that memory is short, waits.
 * Woken while that pool is still on its way, the waiter does not try a
 * transient pool again: it waits for the pool (or for slots given back).
 * Here the other caller is the growth bit, held by the test.
 */
static void waiter_woken_while_a_pool_is_added_waits_for_that_pool(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	struct burst_worker *w;
	bool served_early;
	long attempts;

	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = 10000;
	set_bit(0, &tm->mem.grow_busy);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, clear_growth_bit, &tm->mem), 0);
	swiotlb_fail_arm(SWIOTLB_FAIL_MEMORY, -1);
	w = test_swiotlb_burst_add(b, PAGE_SIZE, DMA_ATTR_MAY_BLOCK);
	expect_waiters(test, &tm->mem, 1);

	/* Memory is there again; the pool on its way is not. */
	swiotlb_fail_arm(0, 0);
	attempts = counter(&st->wait_attempts);
	swiotlb_wake_waiters(&tm->mem);
	test_poll_until(counter(&st->wait_attempts) > attempts);
	served_early = wait_for_completion_timeout(&w->done, msecs_to_jiffies(500));
	kunit_info(test, "waiter woken with growth busy: %s after %ld attempts; %ld transient pools added, %ld transient failures\n",
		   served_early ? "served" : "still waiting", counter(&st->wait_attempts),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]),
		   counter(&st->transient_failed));

	KUNIT_EXPECT_GT(test, counter(&st->wait_attempts), attempts);
	KUNIT_EXPECT_FALSE(test, served_early);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);

	/* Slots given back serve it. */
	clear_bit(0, &tm->mem.grow_busy);
	test_swiotlb_burst_release_fill(b);
	test_swiotlb_burst_join(b);
	KUNIT_EXPECT_TRUE(test, w->mapped && w->verified);
}

/*
 * A mapping whose attempt to add a pool failed does not try again at once:
 * not at its first look as the oldest waiter, nor at each wake-up, each
 * attempt being an allocation (with reclaim) of the largest order that
 * fails again while memory is short; not within SWIOTLB_GROW_RETRY_MS.
 */
static void failed_inline_growth_is_not_tried_again_at_once(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t fill, tlb;
	unsigned int allowed;
	ktime_t start;
	s64 ms;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	/* Shorter than SWIOTLB_GROW_RETRY_MS: one attempt in all. */
	tm->mem.wait_timeout_ms = SWIOTLB_GROW_RETRY_MS / 2;
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	test_swiotlb_watch_pool_memory(test, tm);
	/* The pool's memory is there, its records are not: the attempt fails. */
	swiotlb_fail_arm(SWIOTLB_FAIL_META, -1);
	start = ktime_get();
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	ms = ktime_ms_delta(ktime_get(), start);
	swiotlb_fail_arm(0, 0);
	WRITE_ONCE(test_swiotlb_pool_memory.task, NULL);
	/* A host that stalls the wait past the back-off allows one more. */
	allowed = 1 + div_s64(ms, SWIOTLB_GROW_RETRY_MS);
	kunit_info(test, "attempts to add a pool: %u in a wait of %lld ms (at most %u)\n",
		   test_swiotlb_pool_memory.n, ms, allowed);

	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&st->wait_timeouts), 1);
	KUNIT_EXPECT_GE(test, test_swiotlb_pool_memory.n, 1);
	KUNIT_EXPECT_LE(test, test_swiotlb_pool_memory.n, allowed);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static struct kunit_case swiotlb_faults_cases[] = {
	KUNIT_CASE(failed_inline_growth_is_not_tried_again_at_once),
	KUNIT_CASE(may_sleep_caller_waits_when_memory_is_short),
	KUNIT_CASE(waiter_woken_while_a_pool_is_added_waits_for_that_pool),
	KUNIT_CASE(failed_transient_memory_fails_the_map_cleanly),
	KUNIT_CASE(failed_transient_bookkeeping_fails_the_map_cleanly),
	KUNIT_CASE(failed_growth_and_memory_end_a_wait_cleanly),
	KUNIT_CASE(failed_device_record_leaves_mapping_working),
	KUNIT_CASE(failed_reservation_leaves_nothing_behind),
	{}
};

static struct kunit_suite swiotlb_faults_suite = {
	.name = "swiotlb_faults",
	.init = faults_init,
	.test_cases = swiotlb_faults_cases,
};

kunit_test_suite(swiotlb_faults_suite);
