// SPDX-License-Identifier: GPL-2.0
/*
 * White-box KUnit tests of our swiotlb core.
 *
 *   swiotlb_slots      the slot allocator of one pool, on private pools
 *   swiotlb_pools      dynamic and transient pools and the address index, on
 *                      a private allocator (and one case on the default one)
 *   swiotlb_policy     full pools: who waits (FIFO, bounded), who gets a
 *                      transient pool, idle pools given back, the counters
 *                      (global and per device), the tracepoints
 *
 * Each case states one rule in its name.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>
#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_log.h"

/* ---- Private pools ---- */

struct test_pool {
	struct io_tlb_pool *pool;
	struct page *pages;
	unsigned int order;
};

static void test_pool_free(void *data)
{
	struct test_pool *tp = data;

	__free_pages(tp->pages, tp->order);
}

/*
 * Lay out @pool over fresh pages. The memory is aligned to its own size, so
 * slot numbers and DMA address bits line up predictably.
 */
static void setup_test_pool(struct kunit *test, struct io_tlb_pool *pool,
			    unsigned long nslabs, unsigned int nareas)
{
	struct test_pool *tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);
	void *meta;

	KUNIT_ASSERT_NOT_NULL(test, tp);
	nareas = swiotlb_fit_nareas(nslabs, nareas);
	tp->pool = pool;
	tp->order = get_order(nslabs << IO_TLB_SHIFT);
	tp->pages = alloc_pages(GFP_KERNEL, tp->order);
	KUNIT_ASSERT_NOT_NULL(test, tp->pages);
	meta = kunit_kzalloc(test, swiotlb_meta_size(nslabs, nareas), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, meta);
	swiotlb_slots_setup(pool, meta, page_to_phys(tp->pages), page_address(tp->pages),
			    nslabs, nareas);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_pool_free, tp), 0);
}

static struct io_tlb_pool *test_pool(struct kunit *test, unsigned long nslabs,
				     unsigned int nareas)
{
	struct io_tlb_pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	setup_test_pool(test, pool, nslabs, nareas);
	return pool;
}

/* A request for @nslots slots with no alignment beyond the slot. */
static struct swiotlb_req slots_req(unsigned int nslots)
{
	return (struct swiotlb_req) {
		.orig = 0,
		.size = nslots << IO_TLB_SHIFT,
		.dir = DMA_TO_DEVICE,
		.nslots = nslots,
		.align_mask = IO_TLB_SIZE - 1,
		.boundary_mask = ~0ULL,
	};
}

/* A KUnit device; @name must differ from the other devices of the case. */
static struct device *test_device_named(struct kunit *test, const char *name)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	return dev;
}

static struct device *test_device(struct kunit *test)
{
	return test_device_named(test, "swiotlb-core-kunit");
}

static int slots_init(struct kunit *test)
{
	test->priv = test_device(test);
	return 0;
}

static int alloc_slots(struct kunit *test, struct io_tlb_pool *pool,
		       unsigned int area, struct swiotlb_req req)
{
	return swiotlb_slots_alloc(test->priv, pool, area, &req);
}

static bool slots_busy(struct io_tlb_pool *pool, unsigned long first, unsigned long n)
{
	return find_next_zero_bit(pool->busy, first + n, first) >= first + n;
}

/* ---- Slot allocator ---- */

static void fit_nareas_keeps_every_area_whole_segments(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, swiotlb_fit_nareas(1024, 4), 4);
	KUNIT_EXPECT_EQ(test, swiotlb_fit_nareas(1024, 16), 8);
	KUNIT_EXPECT_EQ(test, swiotlb_fit_nareas(384, 4), 2);
	KUNIT_EXPECT_EQ(test, swiotlb_fit_nareas(1920, 4), 4);
	KUNIT_EXPECT_EQ(test, swiotlb_fit_nareas(3, 2), 1);
	KUNIT_EXPECT_EQ(test, swiotlb_fit_nareas(256, 0), 1);
}

/*
 * 15 segments for 4 areas (3, 4, 4, 4 segments): no collapse to one area,
 * and every segment can be taken, whatever area a CPU starts at.
 */
static void pool_of_an_odd_segment_count_keeps_its_areas_and_every_slot(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 15 * IO_TLB_SEGSIZE, 4);
	unsigned int a, i, nslabs = 0, next = 0;
	int head[15];

	KUNIT_ASSERT_EQ(test, pool->nareas, 4);
	for (a = 0; a < pool->nareas; a++) {
		KUNIT_EXPECT_EQ(test, pool->areas[a].first_seg, next);
		KUNIT_EXPECT_GE(test, pool->areas[a].nsegs, 3);
		KUNIT_EXPECT_LE(test, pool->areas[a].nsegs, 4);
		next += pool->areas[a].nsegs;
		nslabs += pool->areas[a].nslabs;
	}
	KUNIT_EXPECT_EQ(test, next, 15);
	KUNIT_EXPECT_EQ(test, nslabs, pool->nslabs);

	for (i = 0; i < ARRAY_SIZE(head); i++) {
		head[i] = alloc_slots(test, pool, i % 4, slots_req(IO_TLB_SEGSIZE));
		KUNIT_ASSERT_GE_MSG(test, head[i], 0, "segment %u of 15", i);
	}
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), pool->nslabs);
	KUNIT_EXPECT_LT(test, alloc_slots(test, pool, 0, slots_req(1)), 0);
	for (i = 0; i < ARRAY_SIZE(head); i++)
		KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, head[i]), IO_TLB_SEGSIZE);
	for (a = 0; a < pool->nareas; a++)
		KUNIT_EXPECT_EQ_MSG(test, pool->areas[a].used, 0, "area %u", a);
}

/*
 * The default pool's size, once the areas are known, is a power of two with
 * a segment per area at least: an 8 GiB confidential guest's 6 % (1967
 * segments) keeps its 4 areas instead of collapsing to one.
 */
static void default_pool_size_rounds_up_so_that_its_areas_are_equal(struct kunit *test)
{
	unsigned long sev = ALIGN(DIV_ROUND_UP(8ULL * SZ_1G * 6 / 100, IO_TLB_SIZE),
				  IO_TLB_SEGSIZE);
	unsigned long rounded = swiotlb_round_nslabs(sev, 4);

	KUNIT_ASSERT_EQ(test, sev, 1967 * IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, rounded, 2048 * IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, swiotlb_fit_nareas(rounded, 4), 4);
	KUNIT_EXPECT_EQ(test, swiotlb_round_nslabs(1920, 4), 2048);
	KUNIT_EXPECT_EQ(test, swiotlb_round_nslabs(256, 4), 512);
	KUNIT_EXPECT_EQ(test, swiotlb_round_nslabs(32768, 8), 32768);
	KUNIT_EXPECT_EQ(test, swiotlb_round_nslabs(1920, 0), 1920);
}

/* "swiotlb=<slots>[,<areas>][,force|noforce]", as kernel-parameters.txt has it. */
static void cmdline_numbers_are_the_slots_then_the_areas(struct kunit *test)
{
	static const struct {
		const char *arg;
		unsigned long nslabs;
		unsigned int nareas;
		bool force, noforce;
	} cases[] = {
		{ "2048,force", 2048, 0, true, false },
		{ "1920,4", 1920, 4, false, false },
		{ "1000,3,force", 1024, 3, true, false },
		{ ",4", 0, 4, false, false },
		{ "force", 0, 0, true, false },
		{ "noforce", 0, 0, false, true },
		{ "65536,8,noforce", 65536, 8, false, true },
		{ "0", IO_TLB_SEGSIZE, 0, false, false },
	};
	struct swiotlb_cmdline cmd;
	char arg[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		strscpy(arg, cases[i].arg, sizeof(arg));
		swiotlb_parse_arg(arg, &cmd);
		KUNIT_EXPECT_EQ_MSG(test, cmd.nslabs, cases[i].nslabs, "swiotlb=%s", cases[i].arg);
		KUNIT_EXPECT_EQ_MSG(test, cmd.nareas, cases[i].nareas, "swiotlb=%s", cases[i].arg);
		KUNIT_EXPECT_EQ_MSG(test, cmd.force, cases[i].force, "swiotlb=%s", cases[i].arg);
		KUNIT_EXPECT_EQ_MSG(test, cmd.noforce, cases[i].noforce, "swiotlb=%s",
				    cases[i].arg);
	}
}

static void fresh_pool_has_every_slot_free(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 384, 1);

	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 0);
	KUNIT_EXPECT_EQ(test, pool->seg_free[0], IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, pool->seg_free[2], IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, find_first_bit(pool->busy, pool->nslabs), pool->nslabs);
}

static void alloc_takes_a_run_and_release_gives_it_back(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 256, 2);
	int head = alloc_slots(test, pool, 0, slots_req(5));

	KUNIT_ASSERT_GE(test, head, 0);
	KUNIT_EXPECT_TRUE(test, slots_busy(pool, head, 5));
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 5);
	KUNIT_EXPECT_EQ(test, pool->seg_free[head / IO_TLB_SEGSIZE], IO_TLB_SEGSIZE - 5);

	KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, head), 5);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 0);
	KUNIT_EXPECT_EQ(test, find_first_bit(pool->busy, pool->nslabs), pool->nslabs);
	KUNIT_EXPECT_EQ(test, pool->seg_free[head / IO_TLB_SEGSIZE], IO_TLB_SEGSIZE);
}

static void run_never_crosses_a_segment(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 256, 1);

	/* Slots 120..127 and 128..255 are free: 16 slots fit only at 128. */
	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(120)), 0);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(16)), 128);
}

static void align_mask_moves_the_run_to_an_aligned_slot(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 128, 1);
	struct swiotlb_req req = slots_req(2);

	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(1)), 0);
	req.align_mask = SZ_8K - 1;
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, req), 4);
}

static void match_mask_keeps_the_buffer_offset_bits(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 128, 1);
	struct swiotlb_req req = slots_req(1);
	int head;

	/* A 4 KiB min_align_mask: slot bit 11 must equal the buffer's. */
	req.match_mask = SZ_4K - 1 - (IO_TLB_SIZE - 1);
	req.orig = 0x12345800;
	head = alloc_slots(test, pool, 0, req);
	KUNIT_EXPECT_EQ(test, swiotlb_slot_addr(pool, head) & (SZ_4K - 1), 0x800);
	req.orig = 0x12345000;
	head = alloc_slots(test, pool, 0, req);
	KUNIT_EXPECT_EQ(test, swiotlb_slot_addr(pool, head) & (SZ_4K - 1), 0);
}

static void padding_slots_precede_the_head_and_are_freed_with_it(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 128, 1);
	struct swiotlb_req req = slots_req(5);
	int head;

	req.pad = 2;
	head = alloc_slots(test, pool, 0, req);
	KUNIT_ASSERT_EQ(test, head, 2);
	KUNIT_EXPECT_TRUE(test, slots_busy(pool, 0, 5));
	KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, head), 5);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 0);
}

static void head_is_found_from_any_address_of_the_mapping(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 128, 1);
	struct swiotlb_req req = slots_req(6);
	int head;

	req.pad = 1;
	head = alloc_slots(test, pool, 0, req);
	KUNIT_ASSERT_EQ(test, head, 1);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, swiotlb_slot_addr(pool, 1)), 1);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, swiotlb_slot_addr(pool, 5) + 77), 1);
	/* A padding slot and a free slot belong to no mapping. */
	KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, swiotlb_slot_addr(pool, 0)), -1);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, swiotlb_slot_addr(pool, 6)), -1);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, pool->end), -1);
}

static void search_wraps_around_to_earlier_segments(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 256, 1);
	int first = alloc_slots(test, pool, 0, slots_req(128));

	/* Segment 0 full: the next run goes to segment 1, and searches start there. */
	KUNIT_ASSERT_EQ(test, first, 0);
	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(100)), 128);
	KUNIT_ASSERT_EQ(test, swiotlb_slots_free(pool, first), 128);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(64)), 0);
}

static void full_area_hands_the_request_to_the_next_area(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 256, 2);

	KUNIT_ASSERT_EQ(test, pool->nareas, 2);
	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(128)), 0);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(1)), 128);
	/* Starting from the other area works the same way round. */
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 1, slots_req(1)), 129);
}

static void freed_neighbours_merge_into_one_run(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 128, 1);
	int head[4];
	int i;

	for (i = 0; i < 4; i++)
		head[i] = alloc_slots(test, pool, 0, slots_req(32));
	KUNIT_ASSERT_EQ(test, head[1], 32);
	KUNIT_ASSERT_EQ(test, head[2], 64);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(64)), -1);

	swiotlb_slots_free(pool, head[1]);
	swiotlb_slots_free(pool, head[2]);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(64)), 32);
}

static void full_pool_refuses_and_stays_consistent(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 256, 2);

	KUNIT_ASSERT_GE(test, alloc_slots(test, pool, 0, slots_req(128)), 0);
	KUNIT_ASSERT_GE(test, alloc_slots(test, pool, 0, slots_req(128)), 0);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(1)), -1);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 256);
	KUNIT_EXPECT_EQ(test, pool->seg_free[0] + pool->seg_free[1], 0);
}

static void device_segment_boundary_is_never_crossed(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 128, 1);
	struct swiotlb_req req = slots_req(32);

	/* 64 KiB boundaries every 32 slots; slot 0 is taken. */
	req.boundary_mask = SZ_64K - 1;
	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(1)), 0);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, req), 32);
}

static void second_release_of_a_run_is_refused(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 128, 1);
	int keep = alloc_slots(test, pool, 0, slots_req(3));
	int head = alloc_slots(test, pool, 0, slots_req(4));

	KUNIT_ASSERT_EQ(test, swiotlb_slots_free(pool, head), 4);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, head), 0);
	/* Nor can a slot that is not a head be released. */
	KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, keep + 1), 0);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 3);
}

static struct kunit_case swiotlb_slots_cases[] = {
	KUNIT_CASE(fit_nareas_keeps_every_area_whole_segments),
	KUNIT_CASE(pool_of_an_odd_segment_count_keeps_its_areas_and_every_slot),
	KUNIT_CASE(default_pool_size_rounds_up_so_that_its_areas_are_equal),
	KUNIT_CASE(cmdline_numbers_are_the_slots_then_the_areas),
	KUNIT_CASE(fresh_pool_has_every_slot_free),
	KUNIT_CASE(alloc_takes_a_run_and_release_gives_it_back),
	KUNIT_CASE(run_never_crosses_a_segment),
	KUNIT_CASE(align_mask_moves_the_run_to_an_aligned_slot),
	KUNIT_CASE(match_mask_keeps_the_buffer_offset_bits),
	KUNIT_CASE(padding_slots_precede_the_head_and_are_freed_with_it),
	KUNIT_CASE(head_is_found_from_any_address_of_the_mapping),
	KUNIT_CASE(search_wraps_around_to_earlier_segments),
	KUNIT_CASE(full_area_hands_the_request_to_the_next_area),
	KUNIT_CASE(freed_neighbours_merge_into_one_run),
	KUNIT_CASE(full_pool_refuses_and_stays_consistent),
	KUNIT_CASE(device_segment_boundary_is_never_crossed),
	KUNIT_CASE(second_release_of_a_run_is_refused),
	{}
};

static struct kunit_suite swiotlb_slots_suite = {
	.name = "swiotlb_slots",
	.init = slots_init,
	.test_cases = swiotlb_slots_cases,
};

/* ---- Pools, on a private allocator ---- */

#ifdef CONFIG_SWIOTLB_DYNAMIC

static long counter(atomic_long_t *c)
{
	return atomic_long_read(c);
}

struct test_mem {
	struct io_tlb_mem mem;
	atomic_t grow_requests;
};

/* Slots in use in all pools of @tm, as debugfs io_tlb_used shows them. */
static long used_all(struct test_mem *tm)
{
	return swiotlb_stats_used(&tm->mem, SWIOTLB_USED_ALL);
}

/* Growth is only counted here: the tests decide what pools exist. */
static void test_mem_grow(struct work_struct *work)
{
	struct test_mem *tm = container_of(work, struct test_mem, mem.grow_work);

	atomic_inc(&tm->grow_requests);
}

static void test_mem_release(void *data)
{
	struct test_mem *tm = data;
	struct io_tlb_pool *pool, *next;

	cancel_work_sync(&tm->mem.grow_work);
	cancel_delayed_work_sync(&tm->mem.shrink_work);
	/* Dynamic pools that a test let the real worker add go too. */
	list_for_each_entry_safe(pool, next, &tm->mem.pools, node)
		if (pool != &tm->mem.defpool)
			swiotlb_pool_retire(pool);
	swiotlb_pools_settle();
}

static void test_mem_exit(void *data)
{
	struct test_mem *tm = data;

	swiotlb_mem_exit(&tm->mem);
}

/*
 * A private allocator for @dev with a default pool of @nslabs slots, which
 * may grow (into transient pools: the worker only counts).
 */
static struct test_mem *test_mem(struct kunit *test, struct device *dev,
				 unsigned long nslabs)
{
	struct test_mem *tm = kunit_kzalloc(test, sizeof(*tm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tm);
	KUNIT_ASSERT_EQ(test, swiotlb_mem_init(&tm->mem), 0);
	/* At once: an assertion below must not leak the per-CPU counts. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_mem_exit, tm), 0);
	INIT_WORK(&tm->mem.grow_work, test_mem_grow);
	tm->mem.can_grow = true;
	tm->mem.grow_limit = DMA_BIT_MASK(32);
	tm->mem.force_bounce = true;
	setup_test_pool(test, &tm->mem.defpool, nslabs, 1);
	swiotlb_add_pool(&tm->mem, &tm->mem.defpool);
	/* Undone first (in reverse order): the pools go before the counts. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_mem_release, tm), 0);
	dev->dma_io_tlb_mem = &tm->mem;
	return tm;
}

static int pools_init(struct kunit *test)
{
	struct device *dev = test_device(test);

	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32)), 0);
	test->priv = dev;
	return 0;
}

static phys_addr_t map_phys_for(struct kunit *test, struct device *dev, phys_addr_t orig,
				size_t size, unsigned long attrs)
{
	phys_addr_t tlb = swiotlb_tbl_map_single(dev, orig, size, 0, DMA_TO_DEVICE, attrs);

	KUNIT_ASSERT_NE_MSG(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR, "mapping %zu bytes", size);
	return tlb;
}

static phys_addr_t map_phys(struct kunit *test, phys_addr_t orig, size_t size)
{
	return map_phys_for(test, test->priv, orig, size, 0);
}

static void unmap_phys(struct kunit *test, phys_addr_t tlb, size_t size)
{
	swiotlb_tbl_unmap_single(test->priv, tlb, size, DMA_TO_DEVICE, 0);
}

static void lookup_finds_every_pool_among_many(struct kunit *test)
{
	struct device *dev = test->priv;
	struct io_tlb_pool *pools[64];
	phys_addr_t start;
	unsigned int i;
	void *outside;

	test_mem(test, dev, IO_TLB_SEGSIZE);
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

	test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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

static void transient_pool_is_freed_only_after_a_grace_period(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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

	test_mem(test, dev, IO_TLB_SEGSIZE);
	KUNIT_EXPECT_EQ(test, PTR_ERR(swiotlb_dev_pool_reserve(dev, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(swiotlb_dev_pool_reserve(dev, SIZE_MAX / 2)), -EINVAL);
	plain->dma_io_tlb_mem = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(swiotlb_dev_pool_reserve(plain, SZ_64K)), -ENODEV);
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));
}

/* The white-box hook of swiotlb_test_point(), cleared when the case ends. */
static void clear_test_hook(void *data)
{
	WRITE_ONCE(swiotlb_test_hook, NULL);
	WRITE_ONCE(swiotlb_test_unencrypted, false);
	synchronize_rcu();
}

static void set_test_hook(struct kunit *test,
			  void (*hook)(enum swiotlb_test_point point, const void *arg))
{
	WRITE_ONCE(swiotlb_test_hook, hook);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, clear_test_hook, NULL), 0);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	set_test_hook(test, free_pool_in_release_window);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, 4 * IO_TLB_SEGSIZE);
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
	set_test_hook(test, count_slow_steps);
}

/*
 * Once a device has mapped on a CPU, further maps and unmaps there (nobody
 * waiting, the pools far from full) look up no device record in the table,
 * issue no full barrier for waiters and move no counter budget: they touch
 * no cache line that other CPUs write.
 */
static void warm_map_and_unmap_take_no_slow_step(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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

/* A list that may sleep looks at where the pools lie once, not per entry. */
static void list_walks_the_pools_for_reach_once(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
 * Slots are counted per CPU: a CPU that unmaps what another mapped goes
 * below zero. The sums, and the high-water marks, stay exact.
 */
static void counters_stay_exact_when_unmaps_run_on_another_cpu(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, 0);
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
	cpu_step(test, one, false, c, 3, page);		/* 4 */
	cpu_step(test, one, false, b, 2, page);		/* 0 */
	cpu_step(test, two, true, a, 3, page);		/* 6 */
	KUNIT_EXPECT_EQ(test, used_all(tm), 6);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.used_hiwater), 10);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.stats.used_hiwater[SWIOTLB_POOL_DEFAULT]),
			10);
	cpu_step(test, one, false, a, 3, page);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct swiotlb_counters c;
	struct swiotlb_used *u;
	long all, def;

	u = per_cpu_ptr(tm->mem.used, cpumask_first(cpu_possible_mask));
	u->used[SWIOTLB_USED_ALL] -= 3;
	u->used[SWIOTLB_POOL_DEFAULT] -= 3;
	all = swiotlb_stats_used(&tm->mem, SWIOTLB_USED_ALL);
	def = swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_DEFAULT);
	KUNIT_EXPECT_EQ(test, swiotlb_read_counters(dev, &c), 0);
	u->used[SWIOTLB_USED_ALL] += 3;
	u->used[SWIOTLB_POOL_DEFAULT] += 3;
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
	KUNIT_CASE(list_walks_the_pools_for_reach_once),
	KUNIT_CASE(counters_stay_exact_when_unmaps_run_on_another_cpu),
	KUNIT_CASE(lookup_finds_every_pool_among_many),
	KUNIT_CASE(lookup_ignores_pools_of_another_allocator),
	KUNIT_CASE(full_pools_ask_for_growth_and_use_a_transient_pool),
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
	.init = pools_init,
	.test_cases = swiotlb_pools_cases,
};

kunit_test_suite(swiotlb_pools_suite);

/* ---- The policy for full pools, on a private allocator ---- */

#define BURST_MAX_WORKERS	16

/* One mapping made by a kthread, as a driver's submission path would. */
struct burst_worker {
	struct device *dev;
	u8 *buf;
	size_t size;
	unsigned long attrs;
	atomic_t *served;
	bool mapped;
	bool verified;
	struct completion done;
};

/*
 * A burst: @fill holds the private pool full until released; the workers
 * then compete for room. Cleanup releases the fill and waits for every
 * worker, so that a failed assertion never leaves one behind.
 */
struct burst {
	struct kunit *test;
	struct page *page;
	phys_addr_t fill[4];
	unsigned int nfill;
	unsigned int nworkers;
	atomic_t served;
	struct burst_worker w[BURST_MAX_WORKERS];
};

static int burst_worker_fn(void *data)
{
	struct burst_worker *w = data;
	phys_addr_t tlb;

	tlb = swiotlb_tbl_map_single(w->dev, virt_to_phys(w->buf), w->size, 0,
				     DMA_TO_DEVICE, w->attrs);
	w->mapped = tlb != (phys_addr_t)DMA_MAPPING_ERROR;
	if (w->mapped) {
		atomic_inc(w->served);
		w->verified = !memcmp(phys_to_virt(tlb), w->buf, w->size);
		swiotlb_tbl_unmap_single(w->dev, tlb, w->size, DMA_TO_DEVICE, 0);
	}
	/* Done for good: both the test and its cleanup wait for it. */
	complete_all(&w->done);
	return 0;
}

static void burst_release_fill(struct burst *b)
{
	while (b->nfill) {
		b->nfill--;
		swiotlb_tbl_unmap_single(b->test->priv, b->fill[b->nfill], SZ_64K,
					 DMA_TO_DEVICE, 0);
	}
}

static void burst_cleanup(void *data)
{
	struct burst *b = data;
	unsigned int i;

	burst_release_fill(b);
	for (i = 0; i < b->nworkers; i++)
		wait_for_completion(&b->w[i].done);
	__free_pages(b->page, get_order(SWIOTLB_MAX_ALLOC));
}

/* A burst on a private 128-slot pool, filled with four 32-slot mappings. */
static struct burst *burst_start(struct kunit *test, struct test_mem **tmp)
{
	struct burst *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct test_mem *tm;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	tm = test_mem(test, test->priv, IO_TLB_SEGSIZE);
	tm->mem.wait_timeout_ms = 60000;
	b->test = test;
	atomic_set(&b->served, 0);
	b->page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	KUNIT_ASSERT_NOT_NULL(test, b->page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, burst_cleanup, b), 0);
	for (i = 0; i < ARRAY_SIZE(b->fill); i++) {
		b->fill[i] = map_phys(test, page_to_phys(b->page) + i * SZ_64K, SZ_64K);
		b->nfill++;
	}
	*tmp = tm;
	return b;
}

/* Start a worker mapping @size bytes with @attrs. */
static struct burst_worker *burst_add(struct burst *b, size_t size, unsigned long attrs)
{
	struct kunit *test = b->test;
	struct burst_worker *w;
	struct task_struct *task;

	KUNIT_ASSERT_LT(test, b->nworkers, BURST_MAX_WORKERS);
	w = &b->w[b->nworkers];
	w->dev = test->priv;
	w->size = size;
	w->attrs = attrs;
	w->served = &b->served;
	w->buf = kunit_kmalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->buf);
	memset(w->buf, b->nworkers + 1, size);
	init_completion(&w->done);
	task = kthread_run(burst_worker_fn, w, "swiotlb-burst/%u", b->nworkers);
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	b->nworkers++;
	return w;
}

static void burst_join(struct burst *b)
{
	unsigned int i;

	for (i = 0; i < b->nworkers; i++)
		wait_for_completion(&b->w[i].done);
}

/* Poll (bounded) until @n mappings wait; the result never depends on timing. */
static void expect_waiters(struct kunit *test, struct io_tlb_mem *mem, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 10000 && READ_ONCE(mem->nwaiters) != n; i++)
		usleep_range(1000, 2000);
	KUNIT_ASSERT_EQ(test, READ_ONCE(mem->nwaiters), n);
}

static void sleepable_burst_4x_waits_and_never_fails_or_goes_transient(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	unsigned int i;

	/* 16 x 32 slots: four times what the pool holds. */
	for (i = 0; i < 16; i++)
		burst_add(b, SZ_64K, DMA_ATTR_MAY_BLOCK);
	expect_waiters(test, &tm->mem, 16);
	burst_release_fill(b);
	burst_join(b);

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
	kunit_info(test, "may-sleep burst: 16 maps, 0 failed, 0 transient, %ld waits, max wait %lld us\n",
		   counter(&st->waits), div_s64(atomic64_read(&st->wait_ns_max), NSEC_PER_USEC));
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	struct io_tlb_pool *pool;
	phys_addr_t fill, tlb;
	u64 start, ms;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = 1000;
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);

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
	struct burst *b = burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	unsigned int i;

	/* The pool stays full: every one of them needs a transient pool. */
	for (i = 0; i < 16; i++)
		burst_add(b, SZ_64K, 0);
	burst_join(b);

	for (i = 0; i < 16; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, b->w[i].mapped, "worker %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, b->w[i].verified, "worker %u", i);
	}
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]), 16);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), 0);
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_TRANSIENT), 0);
	KUNIT_EXPECT_GE(test, counter(&st->used_hiwater[SWIOTLB_POOL_TRANSIENT]), 32);
	kunit_info(test, "atomic burst: 16 maps, 0 failed, %ld transient pools, 0 waits\n",
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]));
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
	struct burst *b = burst_start(test, &tm);
	struct burst_worker *large, *small;

	large = burst_add(b, 96 * IO_TLB_SIZE, DMA_ATTR_MAY_BLOCK);
	expect_waiters(test, &tm->mem, 1);
	small = burst_add(b, 16 * IO_TLB_SIZE, DMA_ATTR_MAY_BLOCK);
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
	burst_release_fill(b);
	burst_join(b);
	KUNIT_EXPECT_TRUE(test, large->mapped);
	KUNIT_EXPECT_TRUE(test, small->mapped);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 0);
}

static void wait_times_out_with_an_error_and_leaves_no_waiter(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = burst_start(test, &tm);
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
	burst_release_fill(b);
	tlb = map_phys(test, page_to_phys(b->page), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, counter(&st->waits), 1);
	unmap_phys(test, tlb, PAGE_SIZE);
}

static void may_block_where_sleeping_is_not_allowed_does_not_wait(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = burst_start(test, &tm);
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
	struct burst *b = burst_start(test, &tm);
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
	set_test_hook(test, record_memory);
}

/*
 * Memory for a caller that may sleep is taken without starting I/O: reclaim
 * could need the very bounce buffers the caller is waiting for.
 */
static void may_sleep_map_allocates_without_starting_io(struct kunit *test)
{
	struct test_mem *tm;
	struct burst *b = burst_start(test, &tm);
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
	struct burst *b = burst_start(test, &tm);
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

/* Two lists mapped at once, each three 64 KiB entries (96 of 128 slots). */
#define LIST_ENTRIES	3

struct list_mapper {
	struct device *dev;
	struct scatterlist sg[LIST_ENTRIES];
	int ret;
	struct completion done;
};

static struct {
	struct task_struct *task[2];
	atomic_t mapped[2];
} lists_meet;

/*
 * The mappers go in step for their first two buffers: each, once it has
 * filled one, waits (1 s at most) until the other has filled as many. That
 * is the interleaving in which mapping entry by entry leaves both lists
 * holding two thirds of what they need, and the pool full.
 */
static void lists_meet_after_each_entry(enum swiotlb_test_point point, const void *arg)
{
	unsigned int i, n;
	int mine;

	if (point != SWIOTLB_TEST_MAPPED)
		return;
	for (i = 0; i < ARRAY_SIZE(lists_meet.task); i++)
		if (READ_ONCE(lists_meet.task[i]) == current)
			break;
	if (i == ARRAY_SIZE(lists_meet.task))
		return;
	mine = atomic_inc_return(&lists_meet.mapped[i]);
	if (mine > 2)
		return;
	for (n = 0; n < 100 && atomic_read(&lists_meet.mapped[!i]) < mine; n++)
		usleep_range(10000, 11000);
}

static int list_mapper_fn(void *data)
{
	struct list_mapper *m = data;

	m->ret = dma_map_sg_attrs(m->dev, m->sg, LIST_ENTRIES, DMA_TO_DEVICE,
				  DMA_ATTR_MAY_BLOCK);
	if (m->ret > 0) {
		msleep(100);
		dma_unmap_sg_attrs(m->dev, m->sg, LIST_ENTRIES, DMA_TO_DEVICE, 0);
	}
	complete_all(&m->done);
	return 0;
}

/*
 * dma_map_sg() maps entry by entry; two lists that each got part of a full
 * pool would wait for each other until the wait timed out. A list that may
 * sleep takes all its bounce buffers or none, and waits holding none.
 */
static void two_lists_over_a_full_pool_never_wait_on_one_another(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct list_mapper *m = kunit_kcalloc(test, 2, sizeof(*m), GFP_KERNEL);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(LIST_ENTRIES * SZ_64K));
	struct task_struct *task;
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, page);
	/* A deadlock shows as a time-out (no growth, no transient pools here). */
	tm->mem.wait_timeout_ms = 3000;
	memset(&lists_meet, 0, sizeof(lists_meet));
	set_test_hook(test, lists_meet_after_each_entry);
	for (i = 0; i < 2; i++) {
		m[i].dev = dev;
		init_completion(&m[i].done);
		sg_init_table(m[i].sg, LIST_ENTRIES);
		for (j = 0; j < LIST_ENTRIES; j++)
			sg_set_page(&m[i].sg[j], page + j * (SZ_64K >> PAGE_SHIFT), SZ_64K, 0);
	}
	for (i = 0; i < 2; i++) {
		task = kthread_create(list_mapper_fn, &m[i], "swiotlb-list/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		WRITE_ONCE(lists_meet.task[i], task);
	}
	for (i = 0; i < 2; i++)
		wake_up_process(lists_meet.task[i]);
	for (i = 0; i < 2; i++)
		wait_for_completion(&m[i].done);

	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ_MSG(test, m[i].ret, LIST_ENTRIES, "list %u", i);
	KUNIT_EXPECT_GE(test, atomic_read(&lists_meet.mapped[0]), 2);
	KUNIT_EXPECT_GE(test, atomic_read(&lists_meet.mapped[1]), 2);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 0);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	/*
	 * The list that waits tries when it becomes the oldest waiter and
	 * once per unmap of the other list at most, not in a loop for the
	 * other list's 100 ms. And it takes no entry only to give it back
	 * while the pools' count says it cannot fit: each list fills its
	 * entries once after the two of the first round.
	 */
	KUNIT_EXPECT_LE(test, counter(&tm->mem.stats.wait_attempts), 2 + 2 * LIST_ENTRIES);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_LE_MSG(test, atomic_read(&lists_meet.mapped[i]), 2 + LIST_ENTRIES,
				    "buffers filled by list %u", i);
	__free_pages(page, get_order(LIST_ENTRIES * SZ_64K));
}

/*
 * For the list tests below: fill a pool of IO_TLB_SEGSIZE slots with three
 * 64 KiB buffers from @page and give the middle one back, so that 64 slots
 * are free in two runs of 32 (@hold keeps the outer two), and build in @sgt
 * a list of two entries, 8 and 48 slots, which the count says may fit and
 * the runs say does not.
 */
static void split_pool_for_list(struct kunit *test, struct page *page, phys_addr_t hold[3],
				struct sg_table *sgt)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		hold[i] = map_phys(test, page_to_phys(page), SZ_64K);
	KUNIT_ASSERT_EQ(test, hold[1], hold[0] + SZ_64K);
	KUNIT_ASSERT_EQ(test, hold[2], hold[1] + SZ_64K);
	unmap_phys(test, hold[1], SZ_64K);

	KUNIT_ASSERT_EQ(test, sg_alloc_table(sgt, 2, GFP_KERNEL), 0);
	sg_set_page(&sgt->sgl[0], page, 8 * IO_TLB_SIZE, 0);
	sg_set_page(&sgt->sgl[1], page, 48 * IO_TLB_SIZE, 0);
}

/*
 * An attempt that gets some entries of a list but not all gives them back;
 * that frees nothing anyone was waiting for, so it wakes nobody, least of
 * all the list itself, which would try again at once for as long as its
 * wait lasts. Here the pool has 64 slots free, in two runs of 32, and the
 * list wants 8 and 48: the count says it may fit, the runs say no.
 */
static void list_giving_back_its_entries_does_not_wake_itself(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SZ_128K));
	phys_addr_t hold[3];
	struct sg_table sgt;

	KUNIT_ASSERT_NOT_NULL(test, page);
	split_pool_for_list(test, page, hold, &sgt);
	tm->mem.wait_timeout_ms = 300;
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE,
					      DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN), -ENOMEM);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 1);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 1);
	/* Once as the oldest waiter, once more at the deadline at most. */
	KUNIT_EXPECT_LE(test, counter(&tm->mem.stats.wait_attempts), 2);
	KUNIT_EXPECT_EQ(test, used_all(tm), 2 * (SZ_64K / IO_TLB_SIZE));

	unmap_phys(test, hold[0], SZ_64K);
	unmap_phys(test, hold[2], SZ_64K);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sg_free_table(&sgt);
	__free_pages(page, get_order(SZ_128K));
}

/*
 * Where no pool can be added, a list larger than all pools together could
 * only wait until its wait timed out: it is refused at once, with a warning
 * that says how large it was, and nothing is left mapped.
 */
static void list_larger_than_fixed_pools_is_refused_without_waiting(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	unsigned int n = IO_TLB_SEGSIZE * IO_TLB_SIZE / SZ_64K + 1, i;
	struct page *page = alloc_pages(GFP_KERNEL, get_order(n * SZ_64K));
	struct sg_table sgt;
	char want[64];
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, n, GFP_KERNEL), 0);
	for (i = 0; i < n; i++)
		sg_set_page(&sgt.sgl[i], page + i * (SZ_64K >> PAGE_SHIFT), SZ_64K, 0);
	tm->mem.can_grow = false;
	tm->mem.wait_timeout_ms = 60000;

	wrong_call_log_start(test);
	bracket_wrong_call(true);
	ret = dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	bracket_wrong_call(false);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	snprintf(want, sizeof(want), "needing %lu slots at once, more than all %u",
		 (unsigned long)n * (SZ_64K / IO_TLB_SIZE), IO_TLB_SEGSIZE);
	SWIOTLB_EXPECT_WARNINGS(test, 1, want);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);

	/* One entry fewer fits: it is mapped. */
	sgt.orig_nents = n - 1;
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), (long)(n - 1) * (SZ_64K / IO_TLB_SIZE));
	dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sgt.orig_nents = n;
	sg_free_table(&sgt);
	__free_pages(page, get_order(n * SZ_64K));
}

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
	struct test_mem *tm = test_mem(test, test->priv, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, test->priv, IO_TLB_SEGSIZE);
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
	struct burst *b = burst_start(test, &tm);
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t tlb;

	/* The fill: 128 default slots. */
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_DEFAULT), 128);
	tlb = map_phys(test, page_to_phys(b->page), 3 * IO_TLB_SIZE);
	KUNIT_EXPECT_EQ(test, swiotlb_stats_used(&tm->mem, SWIOTLB_POOL_TRANSIENT), 3);
	KUNIT_EXPECT_EQ(test, used_all(tm), 131);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.used_hiwater), 131);
	unmap_phys(test, tlb, 3 * IO_TLB_SIZE);
	burst_release_fill(b);
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
	b = burst_start(test, &tm);
	tlb = map_phys(test, page_to_phys(b->page), PAGE_SIZE);
	unmap_phys(test, tlb, PAGE_SIZE);
	tm->mem.wait_timeout_ms = 1;
	tlb = swiotlb_tbl_map_single(test->priv, page_to_phys(b->page), PAGE_SIZE, 0,
				     DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	burst_release_fill(b);

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
	struct burst *b = burst_start(test, &tm);
	struct device *other = test_device_named(test, "swiotlb-core-kunit-other");
	struct swiotlb_dev_stats *mine, *theirs;
	phys_addr_t tlb;

	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(other, DMA_BIT_MASK(32)), 0);
	other->dma_io_tlb_mem = &tm->mem;

	/* The fill is this test's device's: 128 slots. */
	mine = swiotlb_dev_stats_find(test->priv);
	KUNIT_ASSERT_NOT_NULL(test, mine);
	KUNIT_EXPECT_EQ(test, counter(&mine->used), 128);

	/* The other device goes transient once, then waits in vain once. */
	tlb = map_phys_for(test, other, page_to_phys(b->page), PAGE_SIZE, 0);
	theirs = swiotlb_dev_stats_find(other);
	KUNIT_ASSERT_NOT_NULL(test, theirs);
	KUNIT_EXPECT_EQ(test, counter(&theirs->used), 2);
	KUNIT_EXPECT_EQ(test, counter(&theirs->events[SWIOTLB_DEV_TRANSIENT]), 1);
	tm->mem.wait_timeout_ms = 1;
	KUNIT_EXPECT_EQ(test, swiotlb_tbl_map_single(other, page_to_phys(b->page), PAGE_SIZE, 0,
						     DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK),
			(phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&theirs->events[SWIOTLB_DEV_WAIT]), 1);
	KUNIT_EXPECT_EQ(test, counter(&theirs->events[SWIOTLB_DEV_TIMEOUT]), 1);
	KUNIT_EXPECT_EQ(test, counter(&theirs->events[SWIOTLB_DEV_FAILURE]), 1);
	swiotlb_tbl_unmap_single(other, tlb, PAGE_SIZE, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, counter(&theirs->used), 0);
	KUNIT_EXPECT_EQ(test, counter(&theirs->used_hiwater), 2);

	/* None of it was counted for this test's device. */
	KUNIT_EXPECT_EQ(test, counter(&mine->events[SWIOTLB_DEV_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, counter(&mine->events[SWIOTLB_DEV_WAIT]), 0);

	/* A released device's record goes with it. */
	kunit_device_unregister(test, other);
	KUNIT_EXPECT_NULL(test, swiotlb_dev_stats_find(other));
}

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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
 * A size near SIZE_MAX is refused before any arithmetic on it: rounded up
 * with an offset or an alignment it would wrap to a small run, and the
 * copy would then run over memory.
 */
static void map_of_a_size_that_would_wrap_fails_cleanly(struct kunit *test)
{
	static const size_t sizes[] = { SIZE_MAX, SIZE_MAX - 8, SIZE_MAX - 100 };
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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

/*
 * What the tests below see of the memory asked for dynamic pools: how many
 * requests the task under test made, the flags of the last one and the
 * most slots in use in its allocator when one was made.
 */
static struct {
	struct task_struct *task;
	struct test_mem *tm;
	unsigned int n;
	gfp_t gfp;
	long max_used;
} pool_memory;

static void watch_pool_memory(enum swiotlb_test_point point, const void *arg)
{
	const struct swiotlb_test_memory *what = arg;

	if (point != SWIOTLB_TEST_MEMORY || what->per_mapping ||
	    current != READ_ONCE(pool_memory.task))
		return;
	pool_memory.n++;
	pool_memory.gfp = what->gfp;
	pool_memory.max_used = max(pool_memory.max_used, used_all(pool_memory.tm));
}

static void watch_pool_memory_start(struct kunit *test, struct test_mem *tm)
{
	memset(&pool_memory, 0, sizeof(pool_memory));
	pool_memory.tm = tm;
	WRITE_ONCE(pool_memory.task, current);
	set_test_hook(test, watch_pool_memory);
}

/*
 * A list that may sleep adds a dynamic pool only while it holds no slot:
 * never between its entries, where the allocation (reclaim, a page-state
 * change in a confidential guest) would keep the slots of the entries
 * before it from everyone else. Here the count says the list fits (64 slots
 * free, in two runs of 32) but its second entry (48 slots) does not: the
 * list gives its first entry back, adds a pool, and maps.
 */
static void list_holds_no_slots_while_it_adds_a_pool(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SZ_128K));
	phys_addr_t hold[3];
	struct sg_table sgt;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = 1000;
	split_pool_for_list(test, page, hold, &sgt);
	watch_pool_memory_start(test, tm);
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK), 0);
	WRITE_ONCE(pool_memory.task, NULL);
	kunit_info(test, "pools asked for: %u, most slots in use meanwhile: %ld\n",
		   pool_memory.n, pool_memory.max_used);
	KUNIT_EXPECT_GE(test, pool_memory.n, 1);
	/* The two held buffers, nothing of the list. */
	KUNIT_EXPECT_EQ(test, pool_memory.max_used, 2 * (SZ_64K / IO_TLB_SIZE));
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_DYNAMIC]), 1);
	dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);

	unmap_phys(test, hold[0], SZ_64K);
	unmap_phys(test, hold[2], SZ_64K);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sg_free_table(&sgt);
	__free_pages(page, get_order(SZ_128K));
}

/* A single mapping that finds the pool full while a list holds part of it. */
static struct {
	struct task_struct *list_task;
	struct device *dev;
	struct io_tlb_mem *mem;
	phys_addr_t orig;
	phys_addr_t fill;
	phys_addr_t single;
	u64 single_ms;
	struct completion single_done;
	bool started;
} list_blocks;

static int list_blocks_single_fn(void *data)
{
	u64 start = ktime_get_ns();

	list_blocks.single = swiotlb_tbl_map_single(list_blocks.dev, list_blocks.orig, SZ_128K,
						    0, DMA_TO_DEVICE,
						    DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	list_blocks.single_ms = div_u64(ktime_get_ns() - start, NSEC_PER_MSEC);
	complete_all(&list_blocks.single_done);
	return 0;
}

/*
 * Once the list has its first entry (64 slots): 48 more slots go to a
 * mapping that cannot wait, leaving 16, and a mapping of 64 slots that may
 * sleep queues and goes to sleep; only then does the list go on (and fail
 * on its second entry, 32 slots).
 */
static void list_blocks_a_single_mapping(enum swiotlb_test_point point, const void *arg)
{
	struct task_struct *task;
	unsigned int n;

	if (point != SWIOTLB_TEST_MAPPED || current != READ_ONCE(list_blocks.list_task) ||
	    list_blocks.started)
		return;
	list_blocks.started = true;
	list_blocks.fill = swiotlb_tbl_map_single(list_blocks.dev, list_blocks.orig,
						  48 * IO_TLB_SIZE, 0, DMA_TO_DEVICE, 0);
	task = kthread_run(list_blocks_single_fn, NULL, "swiotlb-single");
	if (IS_ERR(task)) {
		list_blocks.single = DMA_MAPPING_ERROR;
		complete_all(&list_blocks.single_done);
		return;
	}
	for (n = 0; n < 1000 && !READ_ONCE(list_blocks.mem->nwaiters); n++)
		usleep_range(1000, 2000);
	/* Asleep in its wait by now. */
	msleep(50);
}

/*
 * A list that has not queued yet gives back the entries of a failed attempt
 * waking the oldest waiter: a mapping may have queued meanwhile, finding the
 * pool full because of those very entries. Woken by nobody, it would sleep
 * until its wait ran out (and find room only in its last look, or time out),
 * though the pool had room for it.
 */
static void list_giving_back_entries_before_it_queues_wakes_the_oldest_waiter(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SZ_128K));
	struct sg_table sgt;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.wait_timeout_ms = 500;
	memset(&list_blocks, 0, sizeof(list_blocks));
	list_blocks.dev = dev;
	list_blocks.mem = &tm->mem;
	list_blocks.orig = page_to_phys(page);
	init_completion(&list_blocks.single_done);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, 2, GFP_KERNEL), 0);
	sg_set_page(&sgt.sgl[0], page, 64 * IO_TLB_SIZE, 0);
	sg_set_page(&sgt.sgl[1], page, 32 * IO_TLB_SIZE, 0);
	WRITE_ONCE(list_blocks.list_task, current);
	set_test_hook(test, list_blocks_a_single_mapping);

	ret = dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	WRITE_ONCE(list_blocks.list_task, NULL);
	KUNIT_ASSERT_TRUE(test, list_blocks.started);
	wait_for_completion(&list_blocks.single_done);
	kunit_info(test, "single mapping %s after %llu ms (wait %u ms), list %d, %ld waits, %ld timed out\n",
		   list_blocks.single == (phys_addr_t)DMA_MAPPING_ERROR ? "failed" : "mapped",
		   list_blocks.single_ms, tm->mem.wait_timeout_ms, ret,
		   counter(&tm->mem.stats.waits), counter(&tm->mem.stats.wait_timeouts));

	KUNIT_EXPECT_NE(test, list_blocks.single, (phys_addr_t)DMA_MAPPING_ERROR);
	/* Woken when the list gave its entry back, some 50 ms after it queued. */
	KUNIT_EXPECT_LT(test, list_blocks.single_ms, tm->mem.wait_timeout_ms / 2);
	/* The list then waits behind it, for more than is left: that one times out. */
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 1);
	if (list_blocks.single != (phys_addr_t)DMA_MAPPING_ERROR)
		unmap_phys(test, list_blocks.single, SZ_128K);
	if (list_blocks.fill != (phys_addr_t)DMA_MAPPING_ERROR)
		unmap_phys(test, list_blocks.fill, 48 * IO_TLB_SIZE);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sg_free_table(&sgt);
	__free_pages(page, get_order(SZ_128K));
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	set_test_hook(test, queue_empties_during_the_walk);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	unsigned int noreclaim;
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = 100;
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	watch_pool_memory_start(test, tm);
	noreclaim = memalloc_noreclaim_save();
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	memalloc_noreclaim_restore(noreclaim);
	WRITE_ONCE(pool_memory.task, NULL);
	kunit_info(test, "pools asked for: %u, last with gfp %pGg\n", pool_memory.n,
		   &pool_memory.gfp);

	KUNIT_EXPECT_GE(test, pool_memory.n, 1);
	KUNIT_EXPECT_TRUE(test, pool_memory.gfp & __GFP_NOMEMALLOC);
	if (tlb != (phys_addr_t)DMA_MAPPING_ERROR)
		unmap_phys(test, tlb, PAGE_SIZE);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

/*
 * Pools are at most SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER slots: the cap
 * on growth by mappings (SWIOTLB_GROW_INLINE_TIMES the default pool) counts
 * the pool that can be built, not the size asked for. Asking for twice the
 * largest pool over a default pool that large still grows to the cap.
 */
static void inline_growth_cap_counts_the_pool_it_can_build(struct kunit *test)
{
	const unsigned long largest = SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER;
	const unsigned int nfill = largest / IO_TLB_SEGSIZE;
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, largest);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	phys_addr_t *fill = kunit_kcalloc(test, nfill, sizeof(*fill), GFP_KERNEL);
	struct io_tlb_pool *pool;
	phys_addr_t tlb;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, fill);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = 2 * largest;
	tm->mem.wait_timeout_ms = 100;
	for (i = 0; i < nfill; i++)
		fill[i] = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	kunit_info(test, "full pools, may-sleep map: %s, %lu slots in the pools\n",
		   tlb == (phys_addr_t)DMA_MAPPING_ERROR ? "failed" : "mapped",
		   READ_ONCE(tm->mem.nslabs));

	KUNIT_EXPECT_NE(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	/* Grown (less than the largest pool where memory is fragmented), up to the cap. */
	KUNIT_EXPECT_GT(test, READ_ONCE(tm->mem.nslabs), largest);
	KUNIT_EXPECT_LE(test, READ_ONCE(tm->mem.nslabs), SWIOTLB_GROW_INLINE_TIMES * largest);
	if (tlb != (phys_addr_t)DMA_MAPPING_ERROR) {
		pool = swiotlb_find_pool(dev, tlb);
		KUNIT_EXPECT_EQ(test, pool->kind, SWIOTLB_POOL_DYNAMIC);
		unmap_phys(test, tlb, PAGE_SIZE);
	}
	for (i = 0; i < nfill; i++)
		unmap_phys(test, fill[i], SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static struct kunit_case swiotlb_policy_cases[] = {
	KUNIT_CASE_SLOW(sleepable_burst_4x_waits_and_never_fails_or_goes_transient),
	KUNIT_CASE_SLOW(atomic_burst_4x_is_served_by_transient_pools),
	KUNIT_CASE(may_sleep_caller_grows_pools_itself_when_memory_allows),
	KUNIT_CASE(waiters_are_served_in_arrival_order),
	KUNIT_CASE(wait_times_out_with_an_error_and_leaves_no_waiter),
	KUNIT_CASE(may_block_where_sleeping_is_not_allowed_does_not_wait),
	KUNIT_CASE(may_sleep_map_below_every_pool_takes_memory_below_its_mask_at_once),
	KUNIT_CASE(may_sleep_list_below_every_pool_takes_memory_below_its_mask_at_once),
	KUNIT_CASE(failed_growth_lets_the_oldest_waiter_take_a_transient_pool),
	KUNIT_CASE(may_sleep_map_allocates_without_starting_io),
	KUNIT_CASE(confidential_guest_takes_memory_for_one_mapping_from_the_atomic_pool),
	KUNIT_CASE(two_lists_over_a_full_pool_never_wait_on_one_another),
	KUNIT_CASE(list_larger_than_fixed_pools_is_refused_without_waiting),
	KUNIT_CASE(list_giving_back_its_entries_does_not_wake_itself),
	KUNIT_CASE(may_sleep_map_below_every_pool_fails_at_once_where_none_can_be_added),
	KUNIT_CASE(map_of_a_size_that_would_wrap_fails_cleanly),
	KUNIT_CASE(idle_dynamic_pool_is_given_back),
	KUNIT_CASE(busy_allocator_keeps_its_idle_dynamic_pool),
	KUNIT_CASE(counters_follow_each_pool_kind),
	KUNIT_CASE(tracepoints_report_maps_pools_and_waits),
	KUNIT_CASE(per_device_counters_follow_each_device),
	KUNIT_CASE(list_holds_no_slots_while_it_adds_a_pool),
	KUNIT_CASE(list_giving_back_entries_before_it_queues_wakes_the_oldest_waiter),
	KUNIT_CASE(may_sleep_map_searches_the_pools_before_adding_one),
	KUNIT_CASE(inline_growth_never_takes_emergency_reserves),
	KUNIT_CASE(inline_growth_cap_counts_the_pool_it_can_build),
	{}
};

static struct kunit_suite swiotlb_policy_suite = {
	.name = "swiotlb_policy",
	.init = pools_init,
	.test_cases = swiotlb_policy_cases,
};

kunit_test_suite(swiotlb_policy_suite);

/* ---- Stress: random mappings while pools grow, shrink, come and go ---- */

static unsigned int stress_ops = 40000;
module_param(stress_ops, uint, 0644);
MODULE_PARM_DESC(stress_ops, "operations per thread of the swiotlb_stress suite");

#define STRESS_THREADS	4
#define STRESS_HELD	8		/* mappings a thread holds at most */
#define STRESS_MAX	SZ_64K
#define STRESS_GUARD	256		/* bytes either side that must not change */

struct stress_map {
	u8 *buf;			/* STRESS_MAX + 2 * STRESS_GUARD bytes */
	dma_addr_t dma;
	size_t off, size;
	enum dma_data_direction dir;
	u8 seed, dev_seed;		/* CPU pattern, device pattern */
	bool live;
};

struct stress {
	struct device *dev[STRESS_THREADS];
	atomic_long_t ops, maps, atomic_maps, failed_maps, bytes, errors;
	atomic_t left;
	struct completion done;
};

static u8 stress_byte(u8 seed, size_t i)
{
	return seed ^ (i * 131) ^ (i >> 8);
}

static bool stress_check(struct stress *s, const u8 *p, size_t n, u8 seed, size_t first)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != stress_byte(seed, first + i)) {
			if (atomic_long_inc_return(&s->errors) <= 5)
				pr_err("swiotlb stress: byte %zu is %#x, not %#x\n", first + i,
				       p[i], stress_byte(seed, first + i));
			return false;
		}
	}
	atomic_long_add(n, &s->bytes);
	return true;
}

static void stress_fill(u8 *p, size_t n, u8 seed, size_t first)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = stress_byte(seed, first + i);
}

/* Map a random piece of @m->buf, then play the device: check what it reads, write back. */
static void stress_start(struct stress *s, struct device *dev, struct stress_map *m,
			 struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);
	bool atomic = !(r & 3);
	u8 *bounce;

	m->size = (r >> 2) & 1 ? 1 + prandom_u32_state(rnd) % SZ_4K :
				 1 + prandom_u32_state(rnd) % STRESS_MAX;
	m->off = STRESS_GUARD + prandom_u32_state(rnd) % STRESS_GUARD;
	m->size = min_t(size_t, m->size, STRESS_MAX + STRESS_GUARD - m->off);
	m->dir = (r >> 3) % 3 == 0 ? DMA_TO_DEVICE :
		 (r >> 3) % 3 == 1 ? DMA_FROM_DEVICE : DMA_BIDIRECTIONAL;
	m->seed = r >> 8;
	m->dev_seed = r >> 16;
	stress_fill(m->buf, STRESS_MAX + 2 * STRESS_GUARD, m->seed, 0);

	if (atomic)
		preempt_disable();
	m->dma = dma_map_single_attrs(dev, m->buf + m->off, m->size, m->dir,
				      atomic ? DMA_ATTR_NO_WARN :
					       DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	if (atomic)
		preempt_enable();
	atomic_long_inc(&s->maps);
	if (atomic)
		atomic_long_inc(&s->atomic_maps);
	if (dma_mapping_error(dev, m->dma)) {
		atomic_long_inc(&s->failed_maps);
		return;
	}
	m->live = true;
	bounce = phys_to_virt(dma_to_phys(dev, m->dma));
	/* Whatever the direction, the device finds the buffer's bytes. */
	stress_check(s, bounce, m->size, m->seed, m->off);
	if (m->dir != DMA_TO_DEVICE)
		stress_fill(bounce, m->size, m->dev_seed, m->off);
	/* Half the time, a partial sync for the CPU of what the device wrote. */
	if (m->dir != DMA_TO_DEVICE && m->size > 1 && (r & BIT(24))) {
		size_t a = prandom_u32_state(rnd) % m->size;
		size_t n = 1 + prandom_u32_state(rnd) % (m->size - a);

		dma_sync_single_for_cpu(dev, m->dma + a, n, m->dir);
		stress_check(s, m->buf + m->off + a, n, m->dev_seed, m->off + a);
		dma_sync_single_for_device(dev, m->dma + a, n, m->dir);
	}
}

/* Unmap and check every byte of the buffer, guards included. */
static void stress_finish(struct stress *s, struct device *dev, struct stress_map *m)
{
	u8 *b = m->buf;
	size_t end = m->off + m->size;

	dma_unmap_single(dev, m->dma, m->size, m->dir);
	m->live = false;
	stress_check(s, b, m->off, m->seed, 0);
	stress_check(s, b + m->off, m->size, m->dir == DMA_TO_DEVICE ? m->seed : m->dev_seed,
		     m->off);
	stress_check(s, b + end, STRESS_MAX + 2 * STRESS_GUARD - end, m->seed, end);
}

static int stress_thread(void *data)
{
	struct stress *s = data;
	unsigned int me = atomic_dec_return(&s->left), i, n;
	struct device *dev = s->dev[me];
	struct stress_map *m = kcalloc(STRESS_HELD, sizeof(*m), GFP_KERNEL);
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 0x5eed + me);
	for (i = 0; m && i < STRESS_HELD; i++) {
		m[i].buf = kmalloc(STRESS_MAX + 2 * STRESS_GUARD, GFP_KERNEL);
		if (!m[i].buf)
			atomic_long_inc(&s->errors);
	}
	for (n = 0; m && n < stress_ops; n++) {
		struct stress_map *x = &m[prandom_u32_state(&rnd) % STRESS_HELD];

		if (!x->buf)
			continue;
		if (x->live)
			stress_finish(s, dev, x);
		else
			stress_start(s, dev, x, &rnd);
		atomic_long_inc(&s->ops);
		if (!(n & 63))
			cond_resched();
	}
	for (i = 0; m && i < STRESS_HELD; i++) {
		if (m[i].live)
			stress_finish(s, dev, &m[i]);
		kfree(m[i].buf);
	}
	if (!m)
		atomic_long_inc(&s->errors);
	kfree(m);
	complete(&s->done);
	return 0;
}

static void random_maps_from_many_threads_keep_every_byte(struct kunit *test)
{
	static const unsigned int min_align[STRESS_THREADS] = { 0, SZ_4K - 1, SZ_2K - 1, 0 };
	struct test_mem *tm = test_mem(test, test->priv, IO_TLB_SEGSIZE);
	struct swiotlb_stats *st = &tm->mem.stats;
	struct stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct io_tlb_pool *pool;
	u64 start = ktime_get_ns();
	unsigned long used = 0;
	char name[32];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	/* The real worker, in pools of one segment, given back after 100 ms unused. */
	INIT_WORK(&tm->mem.grow_work, swiotlb_grow);
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.idle_ms = 100;
	for (i = 0; i < STRESS_THREADS; i++) {
		snprintf(name, sizeof(name), "swiotlb-stress-%d", i);
		s->dev[i] = i ? test_device_named(test, name) : test->priv;
		KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(s->dev[i], DMA_BIT_MASK(32)), 0);
		dma_set_min_align_mask(s->dev[i], min_align[i]);
		s->dev[i]->dma_io_tlb_mem = &tm->mem;
	}
	init_completion(&s->done);
	atomic_set(&s->left, STRESS_THREADS);
	for (i = 0; i < STRESS_THREADS; i++) {
		struct task_struct *t = kthread_run(stress_thread, s, "swiotlb-stress/%d", i);

		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < STRESS_THREADS; i++)
		wait_for_completion(&s->done);

	kunit_info(test, "%ld ops, %ld maps (%ld atomic, %ld failed), %ld bytes verified, %llu ms; pools added/freed: dynamic %ld/%ld, transient %ld/%ld (%ld could not be allocated); %ld waits\n",
		   atomic_long_read(&s->ops), atomic_long_read(&s->maps),
		   atomic_long_read(&s->atomic_maps), atomic_long_read(&s->failed_maps),
		   atomic_long_read(&s->bytes), div_u64(ktime_get_ns() - start, NSEC_PER_MSEC),
		   counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_freed[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]),
		   counter(&st->pools_freed[SWIOTLB_POOL_TRANSIENT]),
		   counter(&st->transient_failed), counter(&st->waits));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->ops), (long)STRESS_THREADS * stress_ops);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->bytes), 0);
	/*
	 * The run grew the allocator. Whether atomic maps also met full pools
	 * (transient pools) depends on timing: the policy and faults suites
	 * pin that path down; here it is only counted.
	 */
	KUNIT_EXPECT_GT(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->failed_maps), counter(&st->map_failures));

	/* Back to the start: nothing held, nobody waiting, every transient pool freed. */
	cancel_work_sync(&tm->mem.grow_work);
	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nwaiters), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]),
			counter(&st->pools_freed[SWIOTLB_POOL_TRANSIENT]));
	for (i = 0; i < STRESS_THREADS; i++)
		KUNIT_EXPECT_TRUE(test, list_empty(&s->dev[i]->dma_io_tlb_pools));
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &tm->mem.pools, node)
		used += swiotlb_slots_used(pool);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, used, 0);
}

static struct kunit_case swiotlb_stress_cases[] = {
	KUNIT_CASE_SLOW(random_maps_from_many_threads_keep_every_byte),
	{}
};

static struct kunit_suite swiotlb_stress_suite = {
	.name = "swiotlb_stress",
	.init = pools_init,
	.test_cases = swiotlb_stress_cases,
};

kunit_test_suite(swiotlb_stress_suite);

/* ---- Fault injection: each allocation of the map path fails in turn ---- */

#ifdef CONFIG_FAULT_INJECTION
static void faults_disarm(void *data)
{
	swiotlb_fail_arm(0, 0);
}

static int faults_init(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, faults_disarm, NULL), 0);
	return pools_init(test);
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
	expect_transient_map_fails_cleanly(test, test_mem(test, test->priv, IO_TLB_SEGSIZE),
					   SWIOTLB_FAIL_MEMORY);
}

static void failed_transient_bookkeeping_fails_the_map_cleanly(struct kunit *test)
{
	expect_transient_map_fails_cleanly(test, test_mem(test, test->priv, IO_TLB_SEGSIZE),
					   SWIOTLB_FAIL_META);
}

static void failed_growth_and_memory_end_a_wait_cleanly(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	INIT_WORK(&tm->mem.grow_work, test_mem_grow);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	struct swiotlb_stats *st = &tm->mem.stats;
	phys_addr_t fill, tlb;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = 100;
	fill = map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
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

/*
 * A mapping whose attempt to add a pool failed does not try again at once:
 * not at its first look as the oldest waiter, nor at each wake-up, each
 * attempt being an allocation (with reclaim) of the largest order that
 * fails again while memory is short; not within SWIOTLB_GROW_RETRY_MS.
 */
static void failed_inline_growth_is_not_tried_again_at_once(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_mem(test, dev, IO_TLB_SEGSIZE);
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
	watch_pool_memory_start(test, tm);
	/* The pool's memory is there, its records are not: the attempt fails. */
	swiotlb_fail_arm(SWIOTLB_FAIL_META, -1);
	start = ktime_get();
	tlb = swiotlb_tbl_map_single(dev, page_to_phys(page), PAGE_SIZE, 0, DMA_TO_DEVICE,
				     DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	ms = ktime_ms_delta(ktime_get(), start);
	swiotlb_fail_arm(0, 0);
	WRITE_ONCE(pool_memory.task, NULL);
	/* A host that stalls the wait past the back-off allows one more. */
	allowed = 1 + div_s64(ms, SWIOTLB_GROW_RETRY_MS);
	kunit_info(test, "attempts to add a pool: %u in a wait of %lld ms (at most %u)\n",
		   pool_memory.n, ms, allowed);

	KUNIT_EXPECT_EQ(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR);
	KUNIT_EXPECT_EQ(test, counter(&st->wait_timeouts), 1);
	KUNIT_EXPECT_GE(test, pool_memory.n, 1);
	KUNIT_EXPECT_LE(test, pool_memory.n, allowed);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	unmap_phys(test, fill, SWIOTLB_MAX_ALLOC);
	__free_pages(page, get_order(SWIOTLB_MAX_ALLOC));
}

static struct kunit_case swiotlb_faults_cases[] = {
	KUNIT_CASE(failed_inline_growth_is_not_tried_again_at_once),
	KUNIT_CASE(may_sleep_caller_waits_when_memory_is_short),
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
#endif /* CONFIG_FAULT_INJECTION */
#endif /* CONFIG_SWIOTLB_DYNAMIC */

kunit_test_suite(swiotlb_slots_suite);

MODULE_DESCRIPTION("White-box KUnit tests of the swiotlb core");
MODULE_LICENSE("GPL");
