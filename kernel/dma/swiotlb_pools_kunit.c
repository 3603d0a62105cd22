// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_pools: dynamic and transient pools and the address
 * index, on a private allocator (and one case on the default one): lookup
 * among many pools, growth requests, a transient pool's life across an RCU
 * grace period, reservations, the per-CPU slot counts, and the steps a warm
 * map and unmap do not take. Each case states one rule in its name.
 *
 * Locking: none of its own. Each case owns a private allocator
 * (test_swiotlb_mem()) and its devices, which KUnit actions undo when the
 * case ends.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"
#include "swiotlb_kunit_log.h"

static void lookup_finds_every_pool_among_many(struct kunit *test)
{
	struct device *dev = test->priv;
	struct io_tlb_pool *pools[64];
	phys_addr_t start;
	unsigned int i;
	void *outside;

	test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	for (i = 0; i < ARRAY_SIZE(pools); i++) {
		pools[i] = swiotlb_pool_create(NULL, dev->dma_io_tlb_mem, IO_TLB_SEGSIZE,
					       IO_TLB_SEGSIZE, 1, SWIOTLB_POOL_DYNAMIC,
					       GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pools[i]);
		swiotlb_pool_publish(pools[i]);
	}
	for (i = 0; i < ARRAY_SIZE(pools); i++) {
		struct io_tlb_pool *p = pools[i];

		KUNIT_EXPECT_PTR_EQ(test, __swiotlb_find_pool(dev, p->start), p);
		KUNIT_EXPECT_PTR_EQ(test, __swiotlb_find_pool(dev, p->start + 4097), p);
		KUNIT_EXPECT_PTR_EQ(test, __swiotlb_find_pool(dev, p->end - 1), p);
		KUNIT_EXPECT_PTR_NE(test, __swiotlb_find_pool(dev, p->end), p);
	}
	outside = kunit_kmalloc(test, 64, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, __swiotlb_find_pool(dev, virt_to_phys(outside)));

	/* A retired pool is gone from the index at once; the others stay. */
	start = pools[7]->start;
	swiotlb_pool_retire(pools[7]);
	KUNIT_EXPECT_NULL(test, __swiotlb_find_pool(dev, start));
	KUNIT_EXPECT_PTR_EQ(test, __swiotlb_find_pool(dev, pools[8]->start), pools[8]);
	for (i = 0; i < ARRAY_SIZE(pools); i++)
		if (i != 7)
			swiotlb_pool_retire(pools[i]);
}

static void lookup_ignores_pools_of_another_allocator(struct kunit *test)
{
	struct device *dev = test->priv;
	struct io_tlb_pool *pool;

	test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	pool = swiotlb_pool_create(NULL, dev->dma_io_tlb_mem, IO_TLB_SEGSIZE,
				   IO_TLB_SEGSIZE, 1, SWIOTLB_POOL_DYNAMIC, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	swiotlb_pool_publish(pool);
	KUNIT_EXPECT_PTR_EQ(test, __swiotlb_find_pool(dev, pool->start), pool);
	dev->dma_io_tlb_mem = &io_tlb_default_mem;
	KUNIT_EXPECT_NULL(test, __swiotlb_find_pool(dev, pool->start));
	swiotlb_pool_retire(pool);
}

static void full_pools_ask_for_growth_and_use_a_transient_pool(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, fill), &tm->mem.defpool);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(dev->dma_uses_io_tlb));

	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	flush_work(&tm->mem.grow_work);
	KUNIT_EXPECT_EQ(test, atomic_read(&tm->grow_requests), 1);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);
	KUNIT_EXPECT_PTR_EQ(test, pool->owner, dev);
	KUNIT_EXPECT_EQ(test, pool->nslabs, PAGE_SIZE / IO_TLB_SIZE);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(dev->dma_uses_io_tlb));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), pool->nslabs);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_TRANSIENT]), 1);
	KUNIT_EXPECT_EQ(test, used_all(tm),
			IO_TLB_SEGSIZE + pool->nslabs);

	unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * A transient pool's memory is its slots: a block starts on a page, so the
 * page alignment of a mapping of a page or more costs no spare slot.
 */
static void transient_pool_takes_no_memory_beyond_its_slots(struct kunit *test)
{
	static const size_t sizes[] = { PAGE_SIZE, SZ_64K };
	struct device *dev = test->priv;
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		tlb = map_phys(test, page_to_phys(page), sizes[i]);
		pool = swiotlb_find_pool(dev, tlb);
		KUNIT_ASSERT_NOT_NULL(test, pool);
		KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);
		KUNIT_EXPECT_EQ(test, pool->nslabs, sizes[i] >> IO_TLB_SHIFT);
		KUNIT_EXPECT_EQ_MSG(test, pool->block_bytes, sizes[i], "%zu-byte mapping",
				    sizes[i]);
		KUNIT_EXPECT_PTR_EQ(test, pool->vaddr, pool->block);
		unmap_phys(test, tlb, sizes[i]);
	}
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * A pool's entries in the address index follow its book-keeping in one
 * block, whose size ends in a byte per segment: they start aligned all the
 * same (RCU readers load their pointers whole; arm64 with LTO loads them
 * with instructions that fault when misaligned).
 */
static void index_entries_of_a_pool_are_aligned(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	phys_addr_t fill, tlb;
	unsigned int nslots;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	for (nslots = 1; nslots <= 9; nslots++) {
		struct io_tlb_pool *pool;

		tlb = map_phys(test, page_to_phys(page), nslots * IO_TLB_SIZE);
		pool = swiotlb_find_pool(dev, tlb);
		KUNIT_ASSERT_NOT_NULL(test, pool);
		KUNIT_EXPECT_PTR_NE(test, pool, &tm->mem.defpool);
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)pool->chunks % sizeof(void *), 0,
				    "misaligned index entries of a pool of %u slots", nslots);
		unmap_phys(test, tlb, nslots * IO_TLB_SIZE);
	}
	flush_work(&tm->mem.grow_work);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void transient_pool_is_freed_only_after_a_grace_period(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *found;
	phys_addr_t fill, tlb;
	bool listed;
	long freed;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	tlb = map_phys(test, page_to_phys(page), 3 * IO_TLB_SIZE);
	KUNIT_ASSERT_EQ(test, swiotlb_find_pool(dev, tlb)->kind, SWIOTLB_POOL_TRANSIENT);

	rcu_read_lock();
	unmap_phys(test, tlb, 3 * IO_TLB_SIZE);
	found = swiotlb_find_pool(dev, tlb);
	listed = !list_empty(&dev->dma_io_tlb_pools);
	freed = counter(&tm->mem.stats.pools_freed[SWIOTLB_POOL_TRANSIENT]);
	rcu_read_unlock();

	/* Unpublished at once, but not freed while a reader might hold it. */
	KUNIT_EXPECT_NULL(test, found);
	KUNIT_EXPECT_FALSE(test, listed);
	KUNIT_EXPECT_EQ(test, freed, 0);

	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_freed[SWIOTLB_POOL_TRANSIENT]), 1);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void transient_pool_keeps_the_min_align_offset(struct kunit *test)
{
	static const unsigned int offsets[] = { 24, 2048 + 24, 4000 };
	struct device *dev = test->priv;
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	unsigned int i;
	phys_addr_t fill;

	KUNIT_ASSERT_NOT_NULL(test, page);
	test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	dma_set_min_align_mask(dev, SZ_4K - 1);
	for (i = 0; i < ARRAY_SIZE(offsets); i++) {
		phys_addr_t orig = page_to_phys(page) + offsets[i];
		phys_addr_t tlb = map_phys(test, orig, 512);

		KUNIT_EXPECT_EQ(test, swiotlb_find_pool(dev, tlb)->kind, SWIOTLB_POOL_TRANSIENT);
		KUNIT_EXPECT_EQ_MSG(test, tlb & (SZ_4K - 1), orig & (SZ_4K - 1),
				    "offset %u", offsets[i]);
		unmap_phys(test, tlb, 512);
	}
	dma_set_min_align_mask(dev, 0);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void reserved_pool_serves_its_device_before_the_shared_pools(struct kunit *test)
{
	struct device *dev = test->priv;
	struct device *other = test_device_named(test, "swiotlb-reserve-other");
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool;
	phys_addr_t tlb, shared;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(other, DMA_BIT_MASK(32)), 0);
	other->dma_io_tlb_mem = &tm->mem;
	pool = swiotlb_dev_pool_reserve(dev, 8 * IO_TLB_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_RESERVED);
	KUNIT_EXPECT_EQ(test, pool->nslabs, 8);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_TRANSIENT]), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 8);

	tlb = map_phys(test, page_to_phys(page), 3 * IO_TLB_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, tlb), pool);
	/* Another device of the same allocator does not get it. */
	shared = map_phys_for(test, other, page_to_phys(page), 3 * IO_TLB_SIZE, 0);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(other, shared), &tm->mem.defpool);
	swiotlb_tbl_unmap_single(other, shared, 3 * IO_TLB_SIZE, DMA_TO_DEVICE, 0);

	/* Full: the next mapping goes to the shared pools. */
	shared = map_phys(test, page_to_phys(page), 6 * IO_TLB_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, shared), &tm->mem.defpool);
	unmap_phys(test, shared, 6 * IO_TLB_SIZE);
	unmap_phys(test, tlb, 3 * IO_TLB_SIZE);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 0);

	swiotlb_dev_pool_release(pool);
	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_freed[SWIOTLB_POOL_TRANSIENT]), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void reservation_is_tried_before_later_transient_pools(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool, *first;
	phys_addr_t fill, transient, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	pool = swiotlb_dev_pool_reserve(dev, 4 * IO_TLB_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	/* Too big for the reservation: the default pool, then a transient pool. */
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, fill), &tm->mem.defpool);
	transient = map_phys(test, page_to_phys(page), 8 * IO_TLB_SIZE);
	KUNIT_EXPECT_EQ(test, swiotlb_find_pool(dev, transient)->kind, SWIOTLB_POOL_TRANSIENT);
	KUNIT_EXPECT_PTR_NE(test, swiotlb_find_pool(dev, transient), pool);

	/* The reservation still heads the device's list and takes what fits. */
	rcu_read_lock();
	first = list_first_or_null_rcu(&dev->dma_io_tlb_pools, struct io_tlb_pool, node);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, first, pool);
	tlb = map_phys(test, page_to_phys(page), 2 * IO_TLB_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, tlb), pool);

	unmap_phys(test, tlb, 2 * IO_TLB_SIZE);
	unmap_phys(test, transient, 8 * IO_TLB_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	swiotlb_dev_pool_release(pool);
	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void released_reservation_lives_until_its_last_mapping_goes(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool;
	phys_addr_t tlb, later;

	KUNIT_ASSERT_NOT_NULL(test, page);
	memset(page_address(page), 0x3c, IO_TLB_SIZE);
	pool = swiotlb_dev_pool_reserve(dev, 4 * IO_TLB_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pool));
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), IO_TLB_SIZE, 0,
				     DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_PTR_EQ(test, swiotlb_find_pool(dev, tlb), pool);

	swiotlb_dev_pool_release(pool);
	swiotlb_pools_settle();
	/* Still there, still findable, and closed to new mappings. */
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_freed[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, tlb), pool);
	later = map_phys(test, page_to_phys(page), IO_TLB_SIZE);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, later), &tm->mem.defpool);
	unmap_phys(test, later, IO_TLB_SIZE);

	/* What the device wrote still comes back. */
	memset(phys_to_virt(tlb), 0xc3, IO_TLB_SIZE);
	swiotlb_tbl_unmap_single(dev, tlb, IO_TLB_SIZE, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, ((u8 *)page_address(page))[IO_TLB_SIZE - 1], 0xc3);
	KUNIT_EXPECT_NULL(test, swiotlb_find_pool(dev, tlb));
	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_freed[SWIOTLB_POOL_TRANSIENT]), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static void reservation_refuses_bad_sizes_and_devices_without_bouncing(struct kunit *test)
{
	struct device *dev = test->priv;
	struct device *plain = test_device_named(test, "swiotlb-reserve-plain");

	test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(swiotlb_dev_pool_reserve(dev, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(swiotlb_dev_pool_reserve(dev, SIZE_MAX / 2)), -EINVAL);
	plain->dma_io_tlb_mem = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(swiotlb_dev_pool_reserve(plain, SZ_64K)), -ENODEV);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));
}

/* What free_pool_in_release_window() did, for the case that set it. */
static struct {
	struct test_mem *tm;
	struct io_tlb_pool *pool;
	bool entered;
	bool freed;
} release_race;

/*
 * Between giving a mapping's slots back and finishing the unmap: have the
 * shrinker give the now idle pool back, and wait until it is freed.
 */
static void free_pool_in_release_window(enum swiotlb_test_point point, const void *arg)
{
	atomic_long_t *freed = &release_race.tm->mem.stats.pools_freed[SWIOTLB_POOL_DYNAMIC];
	long before = atomic_long_read(freed);
	int i;

	if (point != SWIOTLB_TEST_FREED || arg != release_race.pool || release_race.entered)
		return;
	release_race.entered = true;
	swiotlb_shrink(&release_race.tm->mem);
	for (i = 0; i < 500 && atomic_long_read(freed) == before; i++)
		usleep_range(10000, 20000);
	release_race.freed = atomic_long_read(freed) > before;
}

/*
 * An idle dynamic pool may be given back and freed the moment the last
 * mapping's slots are: the unmap reads nothing of the pool after that.
 * (Without the fix, KASAN reports the read of the freed pool.)
 */
static void unmap_reads_nothing_of_a_pool_freed_once_its_slots_are_back(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.idle_ms = 0;
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	pool = swiotlb_pool_create(NULL, &tm->mem, IO_TLB_SEGSIZE, IO_TLB_SEGSIZE, 1,
				   SWIOTLB_POOL_DYNAMIC, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	swiotlb_pool_publish(pool);
	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	KUNIT_ASSERT_PTR_EQ(test, swiotlb_find_pool(dev, tlb), pool);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);

	release_race.tm = tm;
	release_race.pool = pool;
	release_race.entered = false;
	release_race.freed = false;
	test_swiotlb_set_hook(test, free_pool_in_release_window);
	unmap_phys(test, tlb, PAGE_SIZE);

	KUNIT_EXPECT_TRUE(test, release_race.entered);
	KUNIT_EXPECT_TRUE_MSG(test, release_race.freed, "the pool was not freed in the window");
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_DYNAMIC), 0);
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_DEFAULT), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * Xen and dma-iommu call swiotlb_tbl_map_single() and check reachability
 * their own way (machine address, IOVA): whatever the device's mask, they
 * get the pools. dma-direct (swiotlb_map()) gets nothing its mask cannot
 * reach.
 */
static void callers_other_than_dma_direct_get_the_pools_whatever_the_mask(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	u8 *buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	u64 mask = *dev->dma_mask;
	phys_addr_t tlb;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* No memory at all lies below 4 KiB: every pool is beyond this mask. */
	*dev->dma_mask = DMA_BIT_MASK(12);
	tlb = swiotlb_tbl_map_single(dev, virt_to_phys(buf), 512, 0, DMA_TO_DEVICE,
				     DMA_ATTR_NO_WARN);
	dma = swiotlb_map(dev, virt_to_phys(buf), 512, DMA_TO_DEVICE, DMA_ATTR_NO_WARN);
	*dev->dma_mask = mask;

	KUNIT_ASSERT_NE(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_PTR_EQ(test, swiotlb_find_pool(dev, tlb), &tm->mem.defpool);
	KUNIT_EXPECT_EQ(test, dma, DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, used_all(tm), 1);
	unmap_phys(test, tlb, 512);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
}

/*
 * A transient pool made for an atomic caller that then cannot hold the
 * mapping (a device segment boundary inside it) is freed from a work item:
 * freeing may sleep. The map fails cleanly.
 */
static void unusable_transient_pool_of_an_atomic_caller_is_freed_later(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	u8 *buf = kunit_kzalloc(test, 3 * IO_TLB_SIZE, GFP_KERNEL);
	unsigned long flags;
	phys_addr_t tlb;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* Three slots always cross a 4 KiB boundary: no pool can hold them. */
	dma_set_seg_boundary(dev, SZ_4K - 1);
	local_irq_save(flags);
	tlb = swiotlb_tbl_map_single(dev, virt_to_phys(buf), 3 * IO_TLB_SIZE, 0,
				     DMA_TO_DEVICE, DMA_ATTR_NO_WARN);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.transient_failed), 1);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	swiotlb_pools_settle();
}

#ifdef CONFIG_DMA_RESTRICTED_POOL
/* dma_alloc_coherent() from a restricted pool is aligned to the allocation's order. */
static void restricted_pool_alloc_is_aligned_to_its_order(struct kunit *test)
{
	static const size_t sizes[] = {
		1, PAGE_SIZE, 3 * PAGE_SIZE, 5 * PAGE_SIZE, 16 * PAGE_SIZE, 64 * PAGE_SIZE,
	};
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, 4 * IO_TLB_SEGSIZE);
	struct page *first, *page;
	unsigned int i;

	tm->mem.can_grow = false;
	tm->mem.for_alloc = true;
	/* One page taken first, so that page alignment alone is not enough. */
	first = swiotlb_alloc(dev, 1);
	KUNIT_ASSERT_NOT_NULL(test, first);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t align = PAGE_SIZE << get_order(sizes[i]);

		page = swiotlb_alloc(dev, sizes[i]);
		KUNIT_ASSERT_NOT_NULL_MSG(test, page, "%zu bytes", sizes[i]);
		KUNIT_EXPECT_EQ_MSG(test, page_to_phys(page) & (align - 1), 0,
				    "%zu bytes, aligned to %zu", sizes[i], align);
		KUNIT_EXPECT_TRUE(test, swiotlb_free(dev, page, sizes[i]));
	}
	KUNIT_EXPECT_TRUE(test, swiotlb_free(dev, first, 1));
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
}
#endif

static void growth_worker_adds_a_findable_dynamic_pool(struct kunit *test)
{
	struct io_tlb_mem *mem = &io_tlb_default_mem;
	unsigned long before = READ_ONCE(mem->nslabs);
	struct io_tlb_pool *last;

	if (!before || !mem->can_grow)
		kunit_skip(test, "the default allocator cannot grow");
	schedule_work(&mem->grow_work);
	flush_work(&mem->grow_work);
	KUNIT_ASSERT_GT(test, READ_ONCE(mem->nslabs), before);

	rcu_read_lock();
	last = list_last_entry(&mem->pools, struct io_tlb_pool, node);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, last->kind, SWIOTLB_POOL_DYNAMIC);
	KUNIT_EXPECT_EQ(test, READ_ONCE(mem->nslabs) - before, last->nslabs);
	KUNIT_EXPECT_PTR_EQ(test, __swiotlb_find_pool(test->priv, last->end - 1), last);
}

/* Slow steps the current task took (SWIOTLB_TEST_SLOW_STEP), by name. */
static struct {
	struct task_struct *task;
	const char *only;
	atomic_t n;
} slow_steps;

static void count_slow_steps(enum swiotlb_test_point point, const void *arg)
{
	if (point != SWIOTLB_TEST_SLOW_STEP || READ_ONCE(slow_steps.task) != current)
		return;
	if (!slow_steps.only || !strcmp(arg, slow_steps.only))
		atomic_inc(&slow_steps.n);
}

static void count_slow_steps_of_this_task(struct kunit *test, const char *only)
{
	slow_steps.task = current;
	slow_steps.only = only;
	atomic_set(&slow_steps.n, 0);
	test_swiotlb_set_hook(test, count_slow_steps);
}

/*
 * Once a device has mapped on a CPU, further maps and unmaps there (nobody
 * waiting, the pools far from full) look up no device record in the table,
 * issue no full barrier for waiters and move no counter budget: they touch
 * no cache line that other CPUs write. Nor, finding room in the default
 * pool, do they walk the list of dynamic pools (an RCU section).
 */
static void warm_map_and_unmap_take_no_slow_step(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	phys_addr_t tlb;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	migrate_disable();
	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	unmap_phys(test, tlb, PAGE_SIZE);
	count_slow_steps_of_this_task(test, NULL);
	for (i = 0; i < 64; i++) {
		tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
		unmap_phys(test, tlb, PAGE_SIZE);
	}
	migrate_enable();
	KUNIT_EXPECT_EQ(test, atomic_read(&slow_steps.n), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.used_hiwater), 2);
	__free_pages(page, 0);
}

/*
 * Ending a mapping in a pool other than the default one looks that pool up
 * in the address index once, whatever its direction: dma-direct's sync for
 * the CPU and the unmap share the lookup. A sync that copies nothing (for
 * the CPU of a to-device mapping, for the device of a from-device one)
 * looks nothing up.
 */
static void unmap_looks_its_pool_up_once(struct kunit *test)
{
	static const enum dma_data_direction dirs[] = {
		DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL,
	};
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	phys_addr_t fill;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		dma_addr_t dma = dma_map_page_attrs(dev, page, 0, PAGE_SIZE, dirs[i], 0);
		struct io_tlb_pool *pool;

		KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
		pool = swiotlb_find_pool(dev, dma_to_phys(dev, dma));
		KUNIT_ASSERT_NOT_NULL(test, pool);
		KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);

		count_slow_steps_of_this_task(test, "lookup in the address index");
		if (dirs[i] == DMA_TO_DEVICE) {
			dma_sync_single_for_cpu(dev, dma, PAGE_SIZE, dirs[i]);
			KUNIT_EXPECT_EQ(test, atomic_read(&slow_steps.n), 0);
		}
		if (dirs[i] == DMA_FROM_DEVICE) {
			dma_sync_single_for_device(dev, dma, PAGE_SIZE, dirs[i]);
			KUNIT_EXPECT_EQ(test, atomic_read(&slow_steps.n), 0);
		}
		dma_unmap_page_attrs(dev, dma, PAGE_SIZE, dirs[i], 0);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&slow_steps.n), 1,
				    "lookups of an unmap, direction %d", dirs[i]);
	}
	flush_work(&tm->mem.grow_work);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * A transient pool serves one mapping, whose unmap and syncs find it by its
 * address: it comes and goes without the device's list of pools and its
 * lock, which are for the device's reservations only.
 */
static void transient_pool_comes_and_goes_off_the_device_list(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	count_slow_steps_of_this_task(test, "device's list of pools");
	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, swiotlb_find_pool(dev, tlb)->kind, SWIOTLB_POOL_TRANSIENT);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));
	KUNIT_EXPECT_FALSE(test, swiotlb_dev_has_reservation(dev));
	unmap_phys(test, tlb, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, atomic_read(&slow_steps.n), 0);

	flush_work(&tm->mem.grow_work);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * Of two unmaps of one transient mapping that both found its pool (the
 * second racing the first: a driver's bug), the second frees nothing: the
 * pool is retired and its slots counted back once, and the second unmap is
 * warned of.
 */
static void second_unmap_of_a_transient_mapping_frees_nothing_and_warns(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	tlb = map_phys(test, page_to_phys(page), PAGE_SIZE);
	flush_work(&tm->mem.grow_work);
	pool = swiotlb_find_pool(dev, tlb);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, pool->kind, SWIOTLB_POOL_TRANSIENT);

	wrong_call_log_start(test);
	/* The second unmap holds the pool as a lookup racing the first would. */
	rcu_read_lock();
	__swiotlb_tbl_unmap_single(dev, tlb, PAGE_SIZE, DMA_TO_DEVICE, 0, pool);
	bracket_wrong_call(true);
	__swiotlb_tbl_unmap_single(dev, tlb, PAGE_SIZE, DMA_TO_DEVICE, 0, pool);
	bracket_wrong_call(false);
	rcu_read_unlock();
	SWIOTLB_EXPECT_WARNINGS(test, 1, "unmapped twice at once");
	KUNIT_EXPECT_EQ(test, used_all(tm), IO_TLB_SEGSIZE);

	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_freed[SWIOTLB_POOL_TRANSIENT]), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/* A list that may sleep looks at where the pools lie once, not per entry. */
static void list_walks_the_pools_for_reach_once(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(16 * PAGE_SIZE));
	struct scatterlist sg[16];
	unsigned int i;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, page);
	sg_init_table(sg, ARRAY_SIZE(sg));
	for (i = 0; i < ARRAY_SIZE(sg); i++)
		sg_set_page(&sg[i], page + i, PAGE_SIZE, 0);
	count_slow_steps_of_this_task(test, "walk of the pools for reach");
	n = dma_map_sg_attrs(dev, sg, ARRAY_SIZE(sg), DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	KUNIT_ASSERT_EQ(test, n, (int)ARRAY_SIZE(sg));
	KUNIT_EXPECT_EQ(test, atomic_read(&slow_steps.n), 1);
	KUNIT_EXPECT_EQ(test, used_all(tm), 32);
	dma_unmap_sg_attrs(dev, sg, ARRAY_SIZE(sg), DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	__free_pages(page, get_order(16 * PAGE_SIZE));
}

/* One step of counters_stay_exact_when_unmaps_run_on_another_cpu(). */
struct cpu_step {
	struct kunit *test;
	struct page *page;
	phys_addr_t *tlb;
	unsigned int n;
	bool map;
};

static long cpu_step_fn(void *data)
{
	struct cpu_step *st = data;
	unsigned int i;

	for (i = 0; i < st->n; i++) {
		if (st->map)
			st->tlb[i] = swiotlb_tbl_map_single(st->test->priv, page_to_phys(st->page),
							    PAGE_SIZE, 0, DMA_TO_DEVICE, 0);
		else
			swiotlb_tbl_unmap_single(st->test->priv, st->tlb[i], PAGE_SIZE,
						 DMA_TO_DEVICE, 0);
	}
	return 0;
}

static void cpu_step(struct kunit *test, int cpu, bool map, phys_addr_t *tlb,
		     unsigned int n, struct page *page)
{
	struct cpu_step st = { .test = test, .page = page, .tlb = tlb, .n = n, .map = map };
	unsigned int i;

	work_on_cpu(cpu, cpu_step_fn, &st);
	for (i = 0; map && i < n; i++)
		KUNIT_ASSERT_NE(test, tlb[i], (phys_addr_t)DMA_MAPPING_ERROR);
}

/*
 * Slots are counted per CPU, the allocator's and the device's: a CPU that
 * unmaps what another mapped goes below zero. The sums, and the high-water
 * marks, stay exact.
 */
static void counters_stay_exact_when_unmaps_run_on_another_cpu(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	struct swiotlb_dev_stats *ds;
	phys_addr_t a[3], b[2], c[3];
	int one, two;

	KUNIT_ASSERT_NOT_NULL(test, page);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	one = cpumask_first(cpu_online_mask);
	two = cpumask_next(one, cpu_online_mask);

	cpu_step(test, one, true, a, 3, page);		/* 6 slots */
	cpu_step(test, two, false, a, 3, page);		/* 0 */
	cpu_step(test, one, true, b, 2, page);		/* 4 */
	KUNIT_EXPECT_EQ(test, used_all(tm), 4);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.used_hiwater), 6);
	cpu_step(test, two, true, c, 3, page);		/* 10 */
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_DEFAULT), 10);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.used_hiwater), 10);
	ds = swiotlb_dev_stats_find(dev);
	KUNIT_ASSERT_NOT_NULL(test, ds);
	KUNIT_EXPECT_EQ(test, swiotlb_dev_stats_used(ds), 10);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ds->used_hiwater), 10);
	cpu_step(test, one, false, c, 3, page);		/* 4 */
	cpu_step(test, one, false, b, 2, page);		/* 0 */
	cpu_step(test, two, true, a, 3, page);		/* 6 */
	KUNIT_EXPECT_EQ(test, used_all(tm), 6);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.used_hiwater), 10);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.stats.used_hiwater[SWIOTLB_POOL_DEFAULT]),
			10);
	KUNIT_EXPECT_EQ(test, swiotlb_dev_stats_used(ds), 6);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ds->used_hiwater), 10);
	cpu_step(test, one, false, a, 3, page);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	KUNIT_EXPECT_EQ(test, swiotlb_dev_stats_used(ds), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&ds->used_hiwater), 10);
	__free_pages(page, 0);
}

/*
 * The per-CPU counts are added up without a lock: a reader that runs while
 * a mapping made on one CPU is ended on another may count the unmap and not
 * the map, a sum below zero. No reader shows that (as a huge unsigned
 * number, or as a high-water mark): it reads 0. Set up here by hand.
 */
static void folded_slot_counts_never_read_below_zero(struct kunit *test)
{
#ifdef CONFIG_DEBUG_FS
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct swiotlb_counters c;
	struct swiotlb_used *u;
	long all, def;

	u = per_cpu_ptr(tm->mem.used, cpumask_first(cpu_possible_mask));
	u->c[SWIOTLB_USED_ALL].used -= 3;
	u->c[SWIOTLB_POOL_DEFAULT].used -= 3;
	all = swiotlb_stats_used(&tm->mem, SWIOTLB_USED_ALL);
	def = swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_DEFAULT);
	KUNIT_EXPECT_EQ(test, swiotlb_read_counters(dev, &c), 0);
	u->c[SWIOTLB_USED_ALL].used += 3;
	u->c[SWIOTLB_POOL_DEFAULT].used += 3;
	kunit_info(test, "sums read %ld and %ld, counters %llu\n", all, def,
		   c.used[SWIOTLB_POOL_DEFAULT]);

	KUNIT_EXPECT_EQ(test, all, 0);
	KUNIT_EXPECT_EQ(test, def, 0);
	KUNIT_EXPECT_EQ(test, c.used[SWIOTLB_POOL_DEFAULT], 0);
#else
	kunit_skip(test, "the slot counts are kept for debugfs only");
#endif
}

static struct kunit_case swiotlb_pools_cases[] = {
	KUNIT_CASE(folded_slot_counts_never_read_below_zero),
	KUNIT_CASE(warm_map_and_unmap_take_no_slow_step),
	KUNIT_CASE(unmap_looks_its_pool_up_once),
	KUNIT_CASE(transient_pool_comes_and_goes_off_the_device_list),
	KUNIT_CASE(second_unmap_of_a_transient_mapping_frees_nothing_and_warns),
	KUNIT_CASE(list_walks_the_pools_for_reach_once),
	KUNIT_CASE(counters_stay_exact_when_unmaps_run_on_another_cpu),
	KUNIT_CASE(lookup_finds_every_pool_among_many),
	KUNIT_CASE(lookup_ignores_pools_of_another_allocator),
	KUNIT_CASE(full_pools_ask_for_growth_and_use_a_transient_pool),
	KUNIT_CASE(transient_pool_takes_no_memory_beyond_its_slots),
	KUNIT_CASE(index_entries_of_a_pool_are_aligned),
	KUNIT_CASE(transient_pool_is_freed_only_after_a_grace_period),
	KUNIT_CASE(transient_pool_keeps_the_min_align_offset),
	KUNIT_CASE(reserved_pool_serves_its_device_before_the_shared_pools),
	KUNIT_CASE(reservation_is_tried_before_later_transient_pools),
	KUNIT_CASE(released_reservation_lives_until_its_last_mapping_goes),
	KUNIT_CASE(reservation_refuses_bad_sizes_and_devices_without_bouncing),
	KUNIT_CASE(growth_worker_adds_a_findable_dynamic_pool),
	KUNIT_CASE(unmap_reads_nothing_of_a_pool_freed_once_its_slots_are_back),
	KUNIT_CASE(callers_other_than_dma_direct_get_the_pools_whatever_the_mask),
	KUNIT_CASE(unusable_transient_pool_of_an_atomic_caller_is_freed_later),
#ifdef CONFIG_DMA_RESTRICTED_POOL
	KUNIT_CASE(restricted_pool_alloc_is_aligned_to_its_order),
#endif
	{}
};

static struct kunit_suite swiotlb_pools_suite = {
	.name = "swiotlb_pools",
	.init = test_swiotlb_pools_init,
	.test_cases = swiotlb_pools_cases,
};

kunit_test_suite(swiotlb_pools_suite);
