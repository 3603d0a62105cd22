// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_policy_grow: what a mapping pays when it adds a pool
 * on its own path, on a private allocator. A mapping that may sleep and
 * adds a dynamic pool takes its slots in the new pool before anyone else
 * and returns once its own run is cleared; clearing the rest (megabytes:
 * most of what adding a pool costs) is a work item's, and no other mapping
 * takes slots from the pool before that work has cleared whatever the
 * memory held before. A transient pool is cleared around its buffer only.
 * Each case states one rule in its name.
 *
 * Locking: none of its own. Each case owns a private allocator
 * (test_swiotlb_mem()) and its devices, which KUnit actions undo when the
 * case ends; the hook's state is written before the hook is set and read
 * by the work item it stops.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

/*
 * The case's pools: their memory is dirtied as soon as it is laid out (what
 * the page allocator's pages may hold), and the clearing of a pool added
 * from a mapping's context can be held until the case lets it go.
 */
static struct {
	struct io_tlb_mem *mem;
	atomic_t dirtied;
	struct completion reached;
	struct completion go;
} grow_seen;

static void dirty_and_hold(enum swiotlb_test_point point, const void *arg)
{
	struct io_tlb_pool *pool = (struct io_tlb_pool *)arg;

	if (point != SWIOTLB_TEST_UNCLEARED && point != SWIOTLB_TEST_CLEARING)
		return;
	if (pool->mem != READ_ONCE(grow_seen.mem))
		return;
	if (point == SWIOTLB_TEST_UNCLEARED) {
		memset(pool->vaddr, 0xa5, pool->nslabs << IO_TLB_SHIFT);
		atomic_inc(&grow_seen.dirtied);
		return;
	}
	complete(&grow_seen.reached);
	/* Bounded: a case that failed early must not hang the worker. */
	wait_for_completion_timeout(&grow_seen.go, msecs_to_jiffies(10000));
}

static void let_clearing_go(void *data)
{
	complete_all(&grow_seen.go);
}

/* Dirty @mem's new pools, and hold their clearing until grow_seen.go. */
static void dirty_and_hold_pools_of(struct kunit *test, struct io_tlb_mem *mem)
{
	atomic_set(&grow_seen.dirtied, 0);
	init_completion(&grow_seen.reached);
	init_completion(&grow_seen.go);
	WRITE_ONCE(grow_seen.mem, mem);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, let_clearing_go, NULL), 0);
	test_swiotlb_set_hook(test, dirty_and_hold);
}

/* Let the held clearing go, and wait until the pool is every mapping's. */
static void release_clearing(struct test_mem *tm)
{
	complete_all(&grow_seen.go);
	flush_work(&tm->mem.grow_ready);
}

/* Bytes of @pool's free slots that do not read as @c. */
static unsigned long free_bytes_not(struct io_tlb_pool *pool, int c)
{
	unsigned long i, n = 0;

	for (i = 0; i < pool->nslabs; i++)
		if (!test_bit(i, pool->busy) &&
		    memchr_inv(pool->vaddr + (i << IO_TLB_SHIFT), c, IO_TLB_SIZE))
			n++;
	return n << IO_TLB_SHIFT;
}

/*
 * The caller that adds a pool returns with its mapping in the new pool
 * while the rest of the pool is still to be cleared (its free slots still
 * hold what the memory held); until it is, the pool is not the
 * allocator's (no slots counted, growth still busy), and another mapping
 * that may sleep takes a transient pool rather than a slot of it. Then
 * every free slot is cleared and the pool is the allocator's.
 */
static void caller_that_adds_a_pool_is_served_before_the_rest_is_cleared(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	struct io_tlb_pool *pool, *other_pool;
	phys_addr_t fill, tlb, other;
	unsigned long stale, dirty;
	bool reached;

	fill = fill_and_grow_inline(test, tm, page, 1000);
	dirty_and_hold_pools_of(test, &tm->mem);

	tlb = map_phys_for(test, dev, page_to_phys(page), PAGE_SIZE, DMA_ATTR_MAY_BLOCK);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_DYNAMIC);
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(tlb), page_address(page), PAGE_SIZE), 0);

	reached = wait_for_completion_timeout(&grow_seen.reached, msecs_to_jiffies(10000));
	stale = free_bytes_not(pool, 0xa5);
	kunit_info(test, "mapped in the new pool (%d dirtied); its clearing %s with %lu free bytes not as dirtied; %lu slots in the allocator's pools, %ld dynamic pools counted\n",
		   atomic_read(&grow_seen.dirtied), reached ? "held" : "never started", stale,
		   READ_ONCE(tm->mem.nslabs), counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]));
	KUNIT_ASSERT_TRUE(test, reached);
	KUNIT_EXPECT_EQ(test, atomic_read(&grow_seen.dirtied), 1);
	/* The map did not pay for clearing the pool. */
	KUNIT_EXPECT_EQ(test, stale, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nslabs), IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(0, &tm->mem.grow_busy));

	other = map_phys_for(test, dev, page_to_phys(page) + PAGE_SIZE, PAGE_SIZE,
			     DMA_ATTR_MAY_BLOCK);
	other_pool = swiotlb_find_pool(dev, other);
	KUNIT_ASSERT_NOT_NULL(test, other_pool);
	KUNIT_EXPECT_EQ(test, other_pool->kind, SWIOTLB_POOL_TRANSIENT);

	release_clearing(tm);
	dirty = free_bytes_not(pool, 0);
	KUNIT_EXPECT_EQ(test, dirty, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nslabs), IO_TLB_SEGSIZE + pool->nslabs);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 1);
	KUNIT_EXPECT_FALSE(test, test_bit(0, &tm->mem.grow_busy));
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(tlb), page_address(page), PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tm->grow_requests), 0);
	unmap_phys(test, other, PAGE_SIZE);
	unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * The first mapping may be gone before its pool is cleared: its run is
 * free then, and cleared with the rest; the pool becomes the allocator's
 * all the same, and serves the next mapping.
 */
static void first_mapping_gone_before_the_clearing_leaves_a_whole_pool(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb, next;
	unsigned long dirty;

	fill = fill_and_grow_inline(test, tm, page, 1000);
	dirty_and_hold_pools_of(test, &tm->mem);
	tlb = map_phys_for(test, dev, page_to_phys(page), PAGE_SIZE, DMA_ATTR_MAY_BLOCK);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&grow_seen.reached,
							    msecs_to_jiffies(10000)));
	unmap_phys(test, tlb, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 0);

	release_clearing(tm);
	dirty = free_bytes_not(pool, 0);
	kunit_info(test, "first mapping gone before the clearing: %lu bytes left uncleared, %lu slots in the pools\n",
		   dirty, READ_ONCE(tm->mem.nslabs));
	KUNIT_EXPECT_EQ(test, dirty, 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nslabs), IO_TLB_SEGSIZE + pool->nslabs);
	next = map_phys_for(test, dev, page_to_phys(page), PAGE_SIZE, 0);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, next), pool);
	unmap_phys(test, next, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * Map @size bytes at @orig keeping its offset within 8 KiB (the device's
 * min_align_mask, as NVMe's 4 KiB one): a buffer that starts inside its
 * first slot, so that its run has bytes before it as well as after.
 */
static phys_addr_t map_within_a_slot(struct kunit *test, struct device *dev, phys_addr_t orig,
				     size_t size, unsigned long attrs)
{
	phys_addr_t tlb;

	dma_set_min_align_mask(dev, SZ_8K - 1);
	tlb = swiotlb_tbl_map_single(dev, orig, size, 0, DMA_TO_DEVICE, attrs);
	dma_set_min_align_mask(dev, 0);
	KUNIT_ASSERT_NE(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	return tlb;
}

/* The buffer of the stale-bytes cases: 300 bytes, 100 into the fourth slot of a page. */
#define AROUND_OFFSET	(3 * IO_TLB_SIZE + 100)
#define AROUND_SIZE	300

/*
 * Check the mapping at @tlb of the stale-bytes buffer of @page: it is in a
 * pool of @kind whose memory the hook dirtied, the bytes of its run before
 * and after the buffer are zero, and the buffer holds the caller's.
 */
static void expect_run_clear_around(struct kunit *test, struct page *page, phys_addr_t tlb,
				    enum swiotlb_pool_kind kind)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(test->priv, tlb);
	phys_addr_t run;
	size_t after;
	int head;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, kind);
	KUNIT_EXPECT_EQ(test, atomic_read(&grow_seen.dirtied), 1);
	head = swiotlb_slots_head(pool, tlb);
	KUNIT_ASSERT_GE(test, head, 0);
	run = pool->start + ((phys_addr_t)(head - pool->slots[head].pad) << IO_TLB_SHIFT);
	after = ((size_t)pool->slots[head].nslots << IO_TLB_SHIFT) - (tlb - run) - AROUND_SIZE;
	kunit_info(test, "buffer at %#llx of a run of %u slots, %zu bytes after it\n",
		   (u64)(tlb - run), pool->slots[head].nslots, after);
	KUNIT_EXPECT_EQ(test, (u64)(tlb - run), (u64)(AROUND_OFFSET & (IO_TLB_SIZE - 1)));
	KUNIT_EXPECT_NULL(test, memchr_inv(phys_to_virt(run), 0, tlb - run));
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(tlb), page_address(page) + AROUND_OFFSET,
				     AROUND_SIZE), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(phys_to_virt(tlb + AROUND_SIZE), 0, after));
}

/*
 * The run the first mapping takes in a pool it added is cleared before the
 * map returns, around the buffer as well as under it: a device sees the
 * whole run (the bytes before a buffer that keeps its offset within a slot,
 * the rest of its last slot), never what the memory held before.
 */
static void first_mapping_in_a_pool_it_added_sees_no_stale_bytes_around_it(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	phys_addr_t fill, tlb;

	fill = fill_and_grow_inline(test, tm, page, 1000);
	dirty_and_hold_pools_of(test, &tm->mem);
	tlb = map_within_a_slot(test, dev, page_to_phys(page) + AROUND_OFFSET, AROUND_SIZE,
				DMA_ATTR_MAY_BLOCK);
	expect_run_clear_around(test, page, tlb, SWIOTLB_POOL_DYNAMIC);
	release_clearing(tm);
	unmap_phys(test, tlb, AROUND_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * A transient pool is exactly its mapping's run, and is cleared around the
 * buffer only (the fill writes the buffer): the bytes before the buffer in
 * its first slot and after it in its last one never hold what the memory
 * held before. A mapping that cannot sleep.
 */
static void transient_pool_shows_no_stale_bytes_around_its_buffer(struct kunit *test)
{
	struct device *dev = test->priv;
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	dirty_and_hold_pools_of(test, &tm->mem);
	tlb = map_within_a_slot(test, dev, page_to_phys(page) + AROUND_OFFSET, AROUND_SIZE, 0);
	expect_run_clear_around(test, page, tlb, SWIOTLB_POOL_TRANSIENT);
	unmap_phys(test, tlb, AROUND_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/* The fill mapping goes away just after a may-sleep map found the pools full. */
static struct {
	struct task_struct *task;
	struct device *dev;
	phys_addr_t fill;
} room_comes;

static void room_comes_after_the_search(enum swiotlb_test_point point, const void *arg)
{
	struct device *dev = READ_ONCE(room_comes.dev);

	/* The look for reach comes between the search and the growth. */
	if (point != SWIOTLB_TEST_SLOW_STEP || strcmp(arg, "walk of the pools for reach") ||
	    !dev || READ_ONCE(room_comes.task) != current)
		return;
	WRITE_ONCE(room_comes.dev, NULL);
	swiotlb_tbl_unmap_single(dev, room_comes.fill, SWIOTLB_MAX_ALLOC, DMA_TO_DEVICE, 0);
}

/*
 * Room that comes back between a may-sleep map's search and its claim to
 * add a pool (here: the mapping that filled the pool goes; in a burst: the
 * pool another caller added becomes everybody's) is used: the pools are
 * searched once more with the claim held, and no pool is added.
 */
static void may_sleep_map_that_finds_room_once_it_may_grow_adds_no_pool(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	struct io_tlb_pool *pool;
	phys_addr_t tlb;

	room_comes.fill = fill_and_grow_inline(test, tm, page, 1000);
	WRITE_ONCE(room_comes.task, current);
	WRITE_ONCE(room_comes.dev, dev);
	test_swiotlb_set_hook(test, room_comes_after_the_search);
	tlb = map_phys_for(test, dev, page_to_phys(page), PAGE_SIZE, DMA_ATTR_MAY_BLOCK);
	pool = swiotlb_find_pool(dev, tlb);
	flush_work(&tm->mem.grow_ready);
	kunit_info(test, "fill gone %s; mapped in a pool of kind %d; %ld dynamic and %ld transient pools added\n",
		   READ_ONCE(room_comes.dev) ? "never" : "after the search",
		   pool ? (int)pool->kind : -1, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]));

	KUNIT_ASSERT_NULL(test, READ_ONCE(room_comes.dev));
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_DEFAULT);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_FALSE(test, test_bit(0, &tm->mem.grow_busy));
	unmap_phys(test, tlb, PAGE_SIZE);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static struct kunit_case swiotlb_policy_grow_cases[] = {
	KUNIT_CASE(caller_that_adds_a_pool_is_served_before_the_rest_is_cleared),
	KUNIT_CASE(first_mapping_gone_before_the_clearing_leaves_a_whole_pool),
	KUNIT_CASE(first_mapping_in_a_pool_it_added_sees_no_stale_bytes_around_it),
	KUNIT_CASE(transient_pool_shows_no_stale_bytes_around_its_buffer),
	KUNIT_CASE(may_sleep_map_that_finds_room_once_it_may_grow_adds_no_pool),
	{}
};

static struct kunit_suite swiotlb_policy_grow_suite = {
	.name = "swiotlb_policy_grow",
	.init = test_swiotlb_pools_init,
	.test_cases = swiotlb_policy_grow_cases,
};

kunit_test_suite(swiotlb_policy_grow_suite);
