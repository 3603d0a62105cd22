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
#include <linux/string.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

/* Holds the clearing of the case's new pool until the case lets it go. */
static struct {
	struct io_tlb_mem *mem;
	struct completion reached;
	struct completion go;
} clearing;

static void hold_clearing(enum swiotlb_test_point point, const void *arg)
{
	const struct io_tlb_pool *pool = arg;

	if (point != SWIOTLB_TEST_CLEARING || pool->mem != READ_ONCE(clearing.mem))
		return;
	complete(&clearing.reached);
	/* Bounded: a case that failed early must not hang the worker. */
	wait_for_completion_timeout(&clearing.go, msecs_to_jiffies(10000));
}

static void let_clearing_go(void *data)
{
	complete_all(&clearing.go);
}

static void hold_clearing_of(struct kunit *test, struct io_tlb_mem *mem)
{
	init_completion(&clearing.reached);
	init_completion(&clearing.go);
	WRITE_ONCE(clearing.mem, mem);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, let_clearing_go, NULL), 0);
	test_swiotlb_set_hook(test, hold_clearing);
}

/* Number of bytes of @pool's free slots that are not zero. */
static unsigned long dirty_free_bytes(struct io_tlb_pool *pool)
{
	unsigned long i, dirty = 0;

	for (i = 0; i < pool->nslabs; i++)
		if (!test_bit(i, pool->busy) &&
		    memchr_inv(pool->vaddr + (i << IO_TLB_SHIFT), 0, IO_TLB_SIZE))
			dirty++;
	return dirty << IO_TLB_SHIFT;
}

/*
 * The caller that adds a pool returns with its mapping in the new pool
 * while the rest of the pool is still to be cleared; until it is, the pool
 * is not the allocator's (no slots counted, growth still busy), and
 * another mapping that may sleep takes a transient pool rather than a slot
 * of it. Then every free slot is cleared, whatever the memory held, and
 * the pool is the allocator's.
 */
static void caller_that_adds_a_pool_is_served_before_the_rest_is_cleared(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	struct io_tlb_pool *pool, *other_pool;
	phys_addr_t fill, tlb, other;
	bool reached;
	unsigned long i, dirty;

	fill = fill_and_grow_inline(test, tm, page, 1000);
	hold_clearing_of(test, &tm->mem);

	tlb = map_phys_for(test, dev, page_to_phys(page), PAGE_SIZE, DMA_ATTR_MAY_BLOCK);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_DYNAMIC);
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(tlb), page_address(page), PAGE_SIZE), 0);

	reached = wait_for_completion_timeout(&clearing.reached, msecs_to_jiffies(10000));
	kunit_info(test, "mapped in the new pool; its clearing %s; %lu slots in the allocator's pools, %ld dynamic pools counted\n",
		   reached ? "held" : "never started", READ_ONCE(tm->mem.nslabs),
		   counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]));
	KUNIT_ASSERT_TRUE(test, reached);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nslabs), IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(0, &tm->mem.grow_busy));

	other = map_phys_for(test, dev, page_to_phys(page) + PAGE_SIZE, PAGE_SIZE,
			     DMA_ATTR_MAY_BLOCK);
	other_pool = swiotlb_find_pool(dev, other);
	KUNIT_ASSERT_NOT_NULL(test, other_pool);
	KUNIT_EXPECT_EQ(test, other_pool->kind, SWIOTLB_POOL_TRANSIENT);

	/* What the memory held before the pool, for all the clearing knows. */
	for (i = 0; i < pool->nslabs; i++)
		if (!test_bit(i, pool->busy))
			memset(pool->vaddr + (i << IO_TLB_SHIFT), 0xa5, IO_TLB_SIZE);
	complete_all(&clearing.go);
	flush_work(&tm->mem.grow_ready);

	dirty = dirty_free_bytes(pool);
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
 * The run the first mapping takes in a pool it added is cleared before the
 * map returns, around the buffer as well as under it: a device sees the
 * whole run (the bytes before a buffer that keeps its offset within a slot,
 * the rest of its last slot), never what the memory held before. The memory is dirtied first: a block of the pool's
 * size is filled and freed just before, and the page allocator hands the
 * same block back (the case is skipped where it does not).
 */
static void first_mapping_in_a_pool_it_added_sees_no_stale_bytes_around_it(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	unsigned int order = get_order(IO_TLB_SEGSIZE << IO_TLB_SHIFT);
	unsigned int offset = 3 * IO_TLB_SIZE + 100, size = 300;
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb, run;
	struct page *stale;
	size_t after;
	int head;

	fill = fill_and_grow_inline(test, tm, page, 1000);
	hold_clearing_of(test, &tm->mem);
	/* dma_set_min_align_mask() needs somewhere to keep the mask. */
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	/* The buffer keeps its offset within 8 KiB: 100 bytes into a slot. */
	dma_set_min_align_mask(dev, SZ_8K - 1);
	stale = alloc_pages(GFP_KERNEL | __GFP_DMA32, order);
	KUNIT_ASSERT_NOT_NULL(test, stale);
	memset(page_address(stale), 0xa5, PAGE_SIZE << order);
	__free_pages(stale, order);

	tlb = map_phys_for(test, dev, page_to_phys(page) + offset, size, DMA_ATTR_MAY_BLOCK);
	dma_set_min_align_mask(dev, 0);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_DYNAMIC);
	head = swiotlb_slots_head(pool, tlb);
	KUNIT_ASSERT_GE(test, head, 0);
	run = pool->start + ((phys_addr_t)(head - pool->slots[head].pad) << IO_TLB_SHIFT);
	after = ((size_t)pool->slots[head].nslots << IO_TLB_SHIFT) - (tlb - run) - size;
	kunit_info(test, "buffer at %#llx of a run of %u slots at %#llx; pool %s the dirtied block\n",
		   (u64)(tlb - run), pool->slots[head].nslots, (u64)(run - pool->start),
		   pool->start == page_to_phys(stale) ? "in" : "not in");
	if (pool->start != page_to_phys(stale)) {
		complete_all(&clearing.go);
		flush_work(&tm->mem.grow_ready);
		unmap_phys(test, tlb, size);
		unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
		__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
		kunit_skip(test, "the page allocator did not hand the dirtied block back");
	}

	KUNIT_EXPECT_EQ(test, (u64)(tlb - run), (u64)(offset & (IO_TLB_SIZE - 1)));
	KUNIT_EXPECT_NULL(test, memchr_inv(phys_to_virt(run), 0, tlb - run));
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(tlb), page_address(page) + offset, size), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(phys_to_virt(tlb + size), 0, after));
	complete_all(&clearing.go);
	flush_work(&tm->mem.grow_ready);
	unmap_phys(test, tlb, size);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * A transient pool is exactly its mapping's run, and is cleared around the
 * buffer only (the fill writes the buffer): the bytes before the buffer in
 * its first slot and after it in its last one never hold what the memory
 * held before. Dirtied as in the case above; a mapping that cannot sleep.
 */
static void transient_pool_shows_no_stale_bytes_around_its_buffer(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	unsigned int offset = 3 * IO_TLB_SIZE + 100, size = 300, order = 1;
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb, run;
	struct page *stale;
	size_t after;
	int head;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	/* 100 bytes into a slot, whose DMA address keeps the offset within 8 KiB. */
	dma_set_min_align_mask(dev, SZ_8K - 1);
	/* The block of the pool: one slot, and three more to find the alignment in. */
	stale = alloc_pages(GFP_KERNEL | __GFP_DMA32, order);
	KUNIT_ASSERT_NOT_NULL(test, stale);
	memset(page_address(stale), 0xa5, PAGE_SIZE << order);
	__free_pages(stale, order);

	tlb = map_phys_for(test, dev, page_to_phys(page) + offset, size, 0);
	dma_set_min_align_mask(dev, 0);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);
	head = swiotlb_slots_head(pool, tlb);
	KUNIT_ASSERT_GE(test, head, 0);
	run = pool->start + ((phys_addr_t)(head - pool->slots[head].pad) << IO_TLB_SHIFT);
	after = ((size_t)pool->slots[head].nslots << IO_TLB_SHIFT) - (tlb - run) - size;
	kunit_info(test, "buffer at %#llx of a run of %u slots; pool %s the dirtied block\n",
		   (u64)(tlb - run), pool->slots[head].nslots,
		   pool->block == page_address(stale) ? "in" : "not in");
	if (pool->block != page_address(stale)) {
		unmap_phys(test, tlb, size);
		unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
		__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
		kunit_skip(test, "the page allocator did not hand the dirtied block back");
	}

	KUNIT_EXPECT_EQ(test, (u64)(tlb - run), (u64)(offset & (IO_TLB_SIZE - 1)));
	KUNIT_EXPECT_NULL(test, memchr_inv(phys_to_virt(run), 0, tlb - run));
	KUNIT_EXPECT_EQ(test, memcmp(phys_to_virt(tlb), page_address(page) + offset, size), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(phys_to_virt(tlb + size), 0, after));
	unmap_phys(test, tlb, size);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static struct kunit_case swiotlb_policy_grow_cases[] = {
	KUNIT_CASE(caller_that_adds_a_pool_is_served_before_the_rest_is_cleared),
	KUNIT_CASE(first_mapping_in_a_pool_it_added_sees_no_stale_bytes_around_it),
	KUNIT_CASE(transient_pool_shows_no_stale_bytes_around_its_buffer),
	{}
};

static struct kunit_suite swiotlb_policy_grow_suite = {
	.name = "swiotlb_policy_grow",
	.init = test_swiotlb_pools_init,
	.test_cases = swiotlb_policy_grow_cases,
};

kunit_test_suite(swiotlb_policy_grow_suite);
