// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_policy: what a single mapping does when the pools are
 * full, on a private allocator: who waits (in order of arrival, for a
 * bounded time), who gets a transient pool, who grows the pools itself and
 * with what memory, and sizes that would wrap. Scatter-gather lists are in
 * swiotlb_policy_lists, devices that reach only part of memory in
 * swiotlb_policy_reach, idle pools and the counters in
 * swiotlb_policy_stats. Each case states one rule in its name.
 *
 * Locking: none of its own. Each case owns a private allocator
 * (test_swiotlb_mem()) and its devices, which KUnit actions undo when the
 * case ends; memory_seen.lock protects what the hook records of memory
 * requests, which may come from several tasks.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

static void sleepable_burst_4x_waits_and_never_fails_or_goes_transient(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	unsigned int i;

	/* 16 x 32 slots: four times what the pool holds. */
	for (i = 0; i < 16; i++)
		test_swiotlb_burst_add(b, SZ_64K, DMA_ATTR_MAY_BLOCK);
	expect_waiters(test, &tm->mem, 16);
	test_swiotlb_burst_release_fill(b);
	test_swiotlb_burst_join(b);

	for (i = 0; i < 16; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, b->w[i].mapped, "worker %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, b->w[i].verified, "worker %u", i);
	}
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 16);
	KUNIT_EXPECT_EQ(test, counter(&st->wait_timeouts), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nwaiters), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	kunit_info(test, "may-sleep burst: %d of %u mapped, %ld failed, %ld transient, %ld waits, max wait %lld us\n",
		   atomic_read(&b->served), b->nworkers, counter(&st->map_failures),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), counter(&st->waits),
		   div_s64(atomic64_read(&st->wait_ns_max), NSEC_PER_USEC));
}

/*
 * Where memory can be had at once, a mapping that may sleep and finds the
 * pools full adds a dynamic pool itself: it waits for no worker (this
 * allocator's worker only counts requests: waiting for it would time out),
 * and never takes a transient pool.
 */
static void may_sleep_caller_grows_pools_itself_when_memory_allows(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb;
	u64 start, ms;

	fill = fill_and_grow_inline(test, tm, page, 1000);

	start = ktime_get_ns();
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	ms = div_u64(ktime_get_ns() - start, NSEC_PER_MSEC);
	kunit_info(test, "full pools, may-sleep map: %s after %llu ms, %ld waits\n",
		   tlb == (phys_addr_t)DMA_MAPPING_ERROR ? "failed" : "mapped", ms,
		   counter(&st->waits));

	KUNIT_ASSERT_NE(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_DYNAMIC);
	/* The rest of the pool is cleared, and the pool counted, off the map's path. */
	flush_work(&tm->mem.grow_ready);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tm->grow_requests), 0);
	KUNIT_EXPECT_LT(test, ms, 1000);
	KUNIT_EXPECT_EQ(test, tm->mem.nslabs, 2 * IO_TLB_SEGSIZE);
	unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void atomic_burst_4x_is_served_by_transient_pools(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	unsigned int i;

	/* The pool stays full: every one of them needs a transient pool. */
	for (i = 0; i < 16; i++)
		test_swiotlb_burst_add(b, SZ_64K, 0);
	test_swiotlb_burst_join(b);

	for (i = 0; i < 16; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, b->w[i].mapped, "worker %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, b->w[i].verified, "worker %u", i);
	}
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 16);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), 0);
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_TRANSIENT), 0);
	KUNIT_EXPECT_GE(test, counter(&st->used_hiwater[SWIOTLB_POOL_TRANSIENT]), 32);
	kunit_info(test, "atomic burst: %d of %u mapped, %ld failed, %ld transient pools, %ld waits\n",
		   atomic_read(&b->served), b->nworkers, counter(&st->map_failures),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), counter(&st->waits));
}

/* Give back one fill mapping and wait until the oldest waiter has tried again. */
static void release_one_fill(struct kunit *test, struct burst *b, struct test_mem *tm)
{
	long attempts = counter(&tm->mem.stats.wait_attempts);
	unsigned int i;

	b->nfill--;
	swiotlb_tbl_unmap_single(test->priv, b->fill[b->nfill], SZ_64K, DMA_TO_DEVICE, 0);
	for (i = 0; i < 10000 && counter(&tm->mem.stats.wait_attempts) == attempts; i++)
		usleep_range(1000, 2000);
	KUNIT_ASSERT_GT(test, counter(&tm->mem.stats.wait_attempts), attempts);
}

static void waiters_are_served_in_arrival_order(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct burst_worker *large, *small;

	large = test_swiotlb_burst_add(b, 96 * IO_TLB_SIZE, DMA_ATTR_MAY_BLOCK);
	expect_waiters(test, &tm->mem, 1);
	small = test_swiotlb_burst_add(b, 16 * IO_TLB_SIZE, DMA_ATTR_MAY_BLOCK);
	expect_waiters(test, &tm->mem, 2);

	/*
	 * 32, then 64 slots free: enough for the small one each time, not for
	 * the large one, which tries and goes back to waiting. The small one,
	 * behind it, must not be served meanwhile.
	 */
	release_one_fill(test, b, tm);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nwaiters), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->served), 0);
	release_one_fill(test, b, tm);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nwaiters), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&b->served), 0);

	/* 96 free: the large one first, then the small one. */
	test_swiotlb_burst_release_fill(b);
	test_swiotlb_burst_join(b);
	KUNIT_EXPECT_TRUE(test, large->mapped);
	KUNIT_EXPECT_TRUE(test, small->mapped);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 0);
}

static void wait_times_out_with_an_error_and_leaves_no_waiter(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t tlb;

	tm->mem.wait_timeout_ms = 20;
	tlb = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE, 0,
				     DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nwaiters), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->wait_timeouts), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);

	/* With room again, the next one is served at once. */
	test_swiotlb_burst_release_fill(b);
	tlb = map_phys(test, page_to_phys(b->page), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 1);
	unmap_phys(test, tlb, PAGE_SIZE);
}

static void may_block_where_sleeping_is_not_allowed_does_not_wait(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	unsigned long flags;
	phys_addr_t tlb[2];
	unsigned int i;

	/* Interrupts off: every kernel can tell. */
	local_irq_save(flags);
	tlb[0] = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE, 0,
					DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	local_irq_restore(flags);
	/* Preemption off: only a kernel with a preempt count can tell. */
	tlb[1] = DMA_MAPPING_ERROR;
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT)) {
		preempt_disable();
		tlb[1] = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE,
						0, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
		preempt_enable();
	}

	for (i = 0; i < ARRAY_SIZE(tlb); i++) {
		if (i == 1 && !IS_ENABLED(CONFIG_PREEMPT_COUNT))
			break;
		KUNIT_ASSERT_NE(test, tlb[i], (phys_addr_t)DMA_MAPPING_ERROR);
		KUNIT_EXPECT_EQ(test, swiotlb_find_pool(test->priv, tlb[i])->kind,
				SWIOTLB_POOL_TRANSIENT);
		unmap_phys(test, tlb[i], PAGE_SIZE);
	}
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 0);
}

/* A grow worker whose every attempt fails. */
static void test_mem_grow_fails(struct work_struct *work)
{
	struct io_tlb_mem *mem = container_of(work, struct io_tlb_mem, grow_work);

	WRITE_ONCE(mem->grow_failed, true);
	swiotlb_wake_waiters(mem);
}

static void failed_growth_lets_the_oldest_waiter_take_a_transient_pool(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t tlb;

	INIT_WORK(&tm->mem.grow_work, test_mem_grow_fails);
	tlb = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE, 0,
				     DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	KUNIT_ASSERT_NE(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, swiotlb_find_pool(test->priv, tlb)->kind, SWIOTLB_POOL_TRANSIENT);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->wait_timeouts), 0);
	unmap_phys(test, tlb, PAGE_SIZE);
	flush_work(&tm->mem.grow_work);
}

/*
 * Memory requests for the case's device seen through swiotlb_test_point()
 * (other devices may bounce meanwhile: they are not counted).
 */
static struct {
	struct device *dev;
	spinlock_t lock;	/* protects n and seen */
	unsigned int n;
	struct swiotlb_test_memory seen[8];
} memory_seen;

static void record_memory(enum swiotlb_test_point point, const void *arg)
{
	const struct swiotlb_test_memory *what = arg;
	unsigned long flags;

	if (point != SWIOTLB_TEST_MEMORY || what->dev != READ_ONCE(memory_seen.dev))
		return;
	spin_lock_irqsave(&memory_seen.lock, flags);
	if (memory_seen.n < ARRAY_SIZE(memory_seen.seen))
		memory_seen.seen[memory_seen.n++] = *what;
	spin_unlock_irqrestore(&memory_seen.lock, flags);
}

static void record_memory_of(struct kunit *test, struct device *dev)
{
	spin_lock_init(&memory_seen.lock);
	memory_seen.n = 0;
	WRITE_ONCE(memory_seen.dev, dev);
	test_swiotlb_set_hook(test, record_memory);
}

/*
 * Memory for a caller that may sleep is taken without starting I/O: reclaim
 * could need the very bounce buffers the caller is waiting for.
 */
static void may_sleep_map_allocates_without_starting_io(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	phys_addr_t tlb;
	unsigned int i;

	INIT_WORK(&tm->mem.grow_work, test_mem_grow_fails);
	record_memory_of(test, test->priv);
	tlb = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE, 0,
				     DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	KUNIT_ASSERT_NE(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_ASSERT_GE(test, memory_seen.n, 1);
	for (i = 0; i < memory_seen.n; i++) {
		KUNIT_EXPECT_TRUE(test, memory_seen.seen[i].per_mapping);
		KUNIT_EXPECT_FALSE_MSG(test, memory_seen.seen[i].gfp & __GFP_IO,
				       "request %u: gfp %pGg", i, &memory_seen.seen[i].gfp);
	}
	unmap_phys(test, tlb, PAGE_SIZE);
	flush_work(&tm->mem.grow_work);
}

/*
 * In a confidential guest, memory for one mapping is never shared with the
 * host page by page (set_memory_decrypted() sleeps and splits the direct
 * map): atomic and sleeping callers alike get it from the atomic DMA pool.
 */
static void confidential_guest_takes_memory_for_one_mapping_from_the_atomic_pool(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	phys_addr_t tlb[2];
	unsigned int i;

	INIT_WORK(&tm->mem.grow_work, test_mem_grow_fails);
	/* Without an atomic pool the sleeping caller has nothing to wait for. */
	if (!IS_ENABLED(CONFIG_DMA_COHERENT_POOL))
		tm->mem.wait_timeout_ms = 100;
	record_memory_of(test, test->priv);
	WRITE_ONCE(swiotlb_test_unencrypted, true);
	tlb[0] = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE, 0,
					DMA_TO_DEVICE, DMA_ATTR_NO_WARN);
	tlb[1] = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE, 0,
					DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	WRITE_ONCE(swiotlb_test_unencrypted, false);

	KUNIT_ASSERT_GE(test, memory_seen.n, 2);
	for (i = 0; i < memory_seen.n; i++)
		KUNIT_EXPECT_TRUE_MSG(test, memory_seen.seen[i].from_atomic_pool,
				      "request %u (%zu bytes) went to the page allocator", i,
				      memory_seen.seen[i].bytes);
	for (i = 0; i < ARRAY_SIZE(tlb); i++) {
		if (!IS_ENABLED(CONFIG_DMA_COHERENT_POOL)) {
			KUNIT_EXPECT_EQ(test, tlb[i], (phys_addr_t)DMA_MAPPING_ERROR);
			continue;
		}
		KUNIT_ASSERT_NE(test, tlb[i], (phys_addr_t)DMA_MAPPING_ERROR);
		KUNIT_EXPECT_TRUE(test, swiotlb_find_pool(test->priv, tlb[i])->block_atomic);
		unmap_phys(test, tlb[i], PAGE_SIZE);
	}
	flush_work(&tm->mem.grow_work);
}

/*
 * While another caller adds a pool, memory is not short: a may-sleep map
 * that finds the pools full then takes memory for itself at once (a
 * transient pool, without I/O, retries or reserves), rather than waiting
 * for that pool, and asks the worker for none. Here the other caller is
 * the growth bit, held by the test for the whole map.
 */
static void may_sleep_caller_takes_memory_at_once_while_another_adds_a_pool(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb;
	unsigned int i;

	fill = fill_and_grow_inline(test, tm, page, 100);
	record_memory_of(test, dev);

	set_bit(0, &tm->mem.grow_busy);
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	clear_bit(0, &tm->mem.grow_busy);
	WRITE_ONCE(memory_seen.dev, NULL);
	pool = tlb == (phys_addr_t)DMA_MAPPING_ERROR ? NULL : swiotlb_find_pool(dev, tlb);
	kunit_info(test, "full pools, growth busy: %s (pool kind %d), %ld waits, %ld dynamic and %ld transient pools added, %d worker requests, %u memory requests\n",
		   pool ? "mapped" : "failed", pool ? (int)pool->kind : -1, counter(&st->waits),
		   counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]),
		   atomic_read(&tm->grow_requests), memory_seen.n);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tm->grow_requests), 0);
	KUNIT_EXPECT_EQ(test, memory_seen.n, 1);
	for (i = 0; i < memory_seen.n; i++) {
		gfp_t gfp = memory_seen.seen[i].gfp;

		KUNIT_EXPECT_TRUE(test, memory_seen.seen[i].per_mapping);
		KUNIT_EXPECT_TRUE_MSG(test, gfp & __GFP_NORETRY, "gfp %pGg", &gfp);
		KUNIT_EXPECT_TRUE_MSG(test, gfp & __GFP_NOMEMALLOC, "gfp %pGg", &gfp);
		KUNIT_EXPECT_FALSE_MSG(test, gfp & __GFP_IO, "gfp %pGg", &gfp);
	}
	unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * Not in a confidential guest, though: there memory for one mapping comes
 * from the atomic DMA pools, which callers that cannot sleep need (and
 * which grow, shared with the host, and never shrink). A may-sleep map
 * there waits for the pool on its way, as when memory is short.
 */
static void confidential_guest_may_sleep_map_waits_for_the_pool_being_added(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t fill, tlb;

	fill = fill_and_grow_inline(test, tm, page, 100);

	WRITE_ONCE(swiotlb_test_unencrypted, true);
	set_bit(0, &tm->mem.grow_busy);
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	clear_bit(0, &tm->mem.grow_busy);
	WRITE_ONCE(swiotlb_test_unencrypted, false);
	kunit_info(test, "confidential guest, full pools, growth busy: %s, %ld waits (%ld timed out), %ld transient pools added\n",
		   tlb == (phys_addr_t)DMA_MAPPING_ERROR ? "failed" : "mapped",
		   counter(&st->waits), counter(&st->wait_timeouts),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]));

	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->wait_timeouts), 1);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	if (tlb != (phys_addr_t)DMA_MAPPING_ERROR)
		unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * A size near SIZE_MAX is refused before any arithmetic on it: rounded up
 * with an offset or an alignment it would wrap to a small run, and the
 * copy would then run over memory.
 */
static void map_of_a_size_that_would_wrap_fails_cleanly(struct kunit *test)
{
	static const size_t sizes[] = { SIZE_MAX, SIZE_MAX - 8, SIZE_MAX - 100 };
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	unsigned int i, align;
	phys_addr_t tlb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma_set_min_align_mask(dev, SZ_4K - 1);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (align = 0; align < SZ_8K; align += SZ_4K) {
			tlb = swiotlb_tbl_map_single(dev, virt_to_phys(buf) + 0x10, sizes[i],
						     align ? align - 1 : 0, DMA_TO_DEVICE,
						     DMA_ATTR_NO_WARN);
			KUNIT_EXPECT_EQ_MSG(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR,
					    "size %zx, alignment mask %x", sizes[i],
					    align ? align - 1 : 0);
		}
	}
	dma_set_min_align_mask(dev, 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
}

/* Waiters leave the queue just before the look for reach ends (below). */
static struct io_tlb_mem *queue_empties_mem;

static void queue_empties_during_the_walk(enum swiotlb_test_point point, const void *arg)
{
	if (point == SWIOTLB_TEST_SLOW_STEP && !strcmp(arg, "walk of the pools for reach") &&
	    READ_ONCE(queue_empties_mem))
		WRITE_ONCE(queue_empties_mem->nwaiters, 0);
}

/*
 * A mapping that may sleep does not pass waiters; if they are gone by the
 * time it would queue, it looks at the pools before it adds a pool: a
 * dynamic pool is added only where the pools have no room.
 */
static void may_sleep_map_searches_the_pools_before_adding_one(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	struct io_tlb_pool *pool;
	phys_addr_t tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = 1000;
	/* As the map call first looks, somebody waits (the queue itself stays empty). */
	WRITE_ONCE(tm->mem.nwaiters, 1);
	WRITE_ONCE(queue_empties_mem, &tm->mem);
	test_swiotlb_set_hook(test, queue_empties_during_the_walk);
	tlb = map_phys_for(test, dev, page_to_phys(page), PAGE_SIZE, DMA_ATTR_MAY_BLOCK);
	WRITE_ONCE(queue_empties_mem, NULL);
	WRITE_ONCE(tm->mem.nwaiters, 0);
	kunit_info(test, "dynamic pools added: %ld, %lu slots in the pools\n",
		   counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_DYNAMIC]),
		   READ_ONCE(tm->mem.nslabs));

	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_DEFAULT);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nslabs), IO_TLB_SEGSIZE);
	unmap_phys(test, tlb, PAGE_SIZE);
	__free_pages(page, 0);
}

/*
 * The memory of a dynamic pool that a mapping adds itself never comes from
 * the emergency reserves, even where the caller may use them (a driver's
 * I/O submitted from reclaim, PF_MEMALLOC): those are for reclaim to make
 * progress, not for bounce buffers it can wait for.
 */
static void inline_growth_never_takes_emergency_reserves(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	unsigned int noreclaim;
	phys_addr_t fill, tlb;

	fill = fill_and_grow_inline(test, tm, page, 100);
	test_swiotlb_watch_pool_memory(test, tm);
	noreclaim = memalloc_noreclaim_save();
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	memalloc_noreclaim_restore(noreclaim);
	WRITE_ONCE(test_swiotlb_pool_memory.task, NULL);
	kunit_info(test, "pools asked for: %u, last with gfp %pGg\n", test_swiotlb_pool_memory.n,
		   &test_swiotlb_pool_memory.gfp);

	KUNIT_EXPECT_GE(test, test_swiotlb_pool_memory.n, 1);
	KUNIT_EXPECT_TRUE(test, test_swiotlb_pool_memory.gfp & __GFP_NOMEMALLOC);
	if (tlb != (phys_addr_t)DMA_MAPPING_ERROR)
		unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * Growth by mappings that may sleep follows what they hold, a pool at a
 * time, with no bound of its own but memory: filling the default pool and
 * each pool added after it, four times over, every may-sleep map adds the
 * next pool at once (no wait, no worker, no transient pool), past twice
 * and up to five times the default pool.
 */
static void inline_growth_follows_demand_past_twice_the_default_pool(struct kunit *test)
{
	const unsigned int rounds = 4, rest = IO_TLB_SEGSIZE - 1;
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	phys_addr_t *fill = kunit_kcalloc(test, rounds * rest, sizeof(*fill), GFP_KERNEL);
	struct swiotlb_stats *st = &tm->mem.stats;
	unsigned int i, j, mapped = 0;
	phys_addr_t first, tlb[4];

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, fill);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = 100;
	first = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	for (i = 0; i < rounds; i++) {
		/* Takes one slot of the pool it adds; single slots fill the rest. */
		tlb[i] = swiotlb_tbl_map_single(dev, page_to_phys(page), IO_TLB_SIZE, 0,
						DMA_TO_DEVICE,
						DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
		if (tlb[i] == (phys_addr_t)DMA_MAPPING_ERROR)
			break;
		mapped++;
		/* Other mappings may use the new pool once it is cleared. */
		flush_work(&tm->mem.grow_ready);
		for (j = 0; j < rest; j++)
			fill[i * rest + j] = map_phys(test, page_to_phys(page), IO_TLB_SIZE);
	}
	kunit_info(test, "%u of %u may-sleep maps over full pools mapped: %lu slots (default %u), %ld dynamic and %ld transient pools added, %ld waits, %d worker requests\n",
		   mapped, rounds, READ_ONCE(tm->mem.nslabs), IO_TLB_SEGSIZE,
		   counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), counter(&st->waits),
		   atomic_read(&tm->grow_requests));

	KUNIT_EXPECT_EQ(test, mapped, rounds);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nslabs), (rounds + 1) * IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), rounds);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tm->grow_requests), 0);
	for (i = 0; i < mapped; i++) {
		for (j = 0; j < rest; j++)
			unmap_phys(test, fill[i * rest + j], IO_TLB_SIZE);
		unmap_phys(test, tlb[i], IO_TLB_SIZE);
	}
	unmap_phys(test, first, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/* The growth worker of rush_case: one pool, once the case opens the gate. */
static struct completion rush_gate;

static void grow_once_at_the_gate(struct work_struct *work)
{
	struct test_mem *tm = container_of(work, struct test_mem, mem.grow_work);

	if (atomic_inc_return(&tm->grow_requests) != 1)
		return;
	wait_for_completion(&rush_gate);
	swiotlb_grow(work);
}

static void open_rush_gate(void *unused)
{
	complete_all(&rush_gate);
}

/*
 * A pool added while mappings wait lets every waiter try at once, not only
 * the oldest: a small mapping queued behind a large one that the new pool
 * cannot hold is served from it while the large one goes on waiting (one
 * wake-up at a time, it waited for the large one to be served or to time
 * out).
 */
static void added_pool_lets_every_waiter_try_not_only_the_oldest(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = test_swiotlb_burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	struct burst_worker *large, *small;
	bool small_done, small_served, large_waiting;

	init_completion(&rush_gate);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, open_rush_gate, NULL), 0);
	tm->mem.wait_timeout_ms = 10000;
	/* Half a segment: never room for the large mapping. */
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE / 2;
	INIT_WORK(&tm->mem.grow_work, grow_once_at_the_gate);

	large = test_swiotlb_burst_add(b, SWIOTLB_MAX_ALLOC, DMA_ATTR_MAY_BLOCK);
	expect_waiters(test, &tm->mem, 1);
	small = test_swiotlb_burst_add(b, PAGE_SIZE, DMA_ATTR_MAY_BLOCK);
	expect_waiters(test, &tm->mem, 2);
	complete_all(&rush_gate);

	small_done = wait_for_completion_timeout(&small->done, msecs_to_jiffies(3000));
	large_waiting = !completion_done(&large->done);
	/* The small worker's results are read only once it is done. */
	small_served = small_done && small->mapped && small->verified;
	kunit_info(test, "pool of %lu slots added: small mapping %s, large one %s; %ld dynamic and %ld transient pools added, %ld waits\n",
		   READ_ONCE(tm->mem.nslabs) - IO_TLB_SEGSIZE,
		   small_done ? (small_served ? "served" : "failed") : "still waiting",
		   large_waiting ? "still waiting" : "done",
		   counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), counter(&st->waits));

	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nslabs), IO_TLB_SEGSIZE + IO_TLB_SEGSIZE / 2);
	KUNIT_EXPECT_TRUE(test, small_served);
	KUNIT_EXPECT_TRUE(test, large_waiting);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);

	/* The default pool comes back whole: the large one fits there. */
	test_swiotlb_burst_release_fill(b);
	test_swiotlb_burst_join(b);
	KUNIT_EXPECT_TRUE(test, large->mapped && large->verified);
}

static struct kunit_case swiotlb_policy_cases[] = {
	KUNIT_CASE_SLOW(sleepable_burst_4x_waits_and_never_fails_or_goes_transient),
	KUNIT_CASE_SLOW(atomic_burst_4x_is_served_by_transient_pools),
	KUNIT_CASE(may_sleep_caller_grows_pools_itself_when_memory_allows),
	KUNIT_CASE(waiters_are_served_in_arrival_order),
	KUNIT_CASE(wait_times_out_with_an_error_and_leaves_no_waiter),
	KUNIT_CASE(may_block_where_sleeping_is_not_allowed_does_not_wait),
	KUNIT_CASE(failed_growth_lets_the_oldest_waiter_take_a_transient_pool),
	KUNIT_CASE(may_sleep_map_allocates_without_starting_io),
	KUNIT_CASE(confidential_guest_takes_memory_for_one_mapping_from_the_atomic_pool),
	KUNIT_CASE(may_sleep_caller_takes_memory_at_once_while_another_adds_a_pool),
	KUNIT_CASE(confidential_guest_may_sleep_map_waits_for_the_pool_being_added),
	KUNIT_CASE(map_of_a_size_that_would_wrap_fails_cleanly),
	KUNIT_CASE(may_sleep_map_searches_the_pools_before_adding_one),
	KUNIT_CASE(inline_growth_never_takes_emergency_reserves),
	KUNIT_CASE(inline_growth_follows_demand_past_twice_the_default_pool),
	KUNIT_CASE(added_pool_lets_every_waiter_try_not_only_the_oldest),
	{}
};

static struct kunit_suite swiotlb_policy_suite = {
	.name = "swiotlb_policy",
	.init = test_swiotlb_pools_init,
	.test_cases = swiotlb_policy_cases,
};

kunit_test_suite(swiotlb_policy_suite);
