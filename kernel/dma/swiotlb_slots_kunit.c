// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_slots: the slot allocator of one pool, on private
 * pools laid out over fresh pages (runs, alignment, segments, areas,
 * padding, release), and the sizing of the default pool and the "swiotlb="
 * parameter. Each case states one rule in its name.
 *
 * Locking: none of its own. Each case owns its pools, which no other code
 * sees, and frees them through KUnit actions when it ends.
 */

#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

static struct io_tlb_pool *test_pool(struct kunit *test, unsigned long nslabs,
				     unsigned int nareas)
{
	struct io_tlb_pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pool);
	test_swiotlb_setup_pool(test, pool, nslabs, nareas);
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
		KUNIT_ASSERT_GE_MSG(test, head[i], 0, "segment %u of %zu", i, ARRAY_SIZE(head));
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

/*
 * A new pool's book-keeping is not cleared: the layout writes what the
 * allocator reads of a free pool, and a slot's record is written when its
 * run is taken, padding slots included. Over book-keeping full of garbage
 * a pool finds heads, and refuses padding and free slots, as a zeroed one.
 */
static void pool_over_uncleared_book_keeping_works_as_a_cleared_one(struct kunit *test)
{
	const unsigned long nslabs = 128;
	size_t bytes = swiotlb_meta_size(nslabs, 1);
	struct io_tlb_pool *pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	void *meta = kunit_kmalloc(test, bytes, GFP_KERNEL);
	unsigned int order = get_order(nslabs << IO_TLB_SHIFT);
	struct page *pages = alloc_pages(GFP_KERNEL, order);
	struct swiotlb_req req = slots_req(6);
	int head;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_NOT_NULL(test, meta);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	memset(meta, 0xa5, bytes);
	swiotlb_slots_layout(pool, meta, page_to_phys(pages), page_address(pages), nslabs, 1);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 0);
	KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, swiotlb_slot_addr(pool, 3)), -1);

	req.pad = 1;
	head = alloc_slots(test, pool, 0, req);
	KUNIT_EXPECT_EQ(test, head, 1);
	if (head == 1) {
		KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, swiotlb_slot_addr(pool, 5) + 77), 1);
		/* The padding slot and the free slot after the run head nothing. */
		KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, swiotlb_slot_addr(pool, 0)), -1);
		KUNIT_EXPECT_EQ(test, swiotlb_slots_head(pool, swiotlb_slot_addr(pool, 6)), -1);
		/* Nor do the padding slot and a slot inside the run free anything. */
		KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, 0), 0);
		KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, 3), 0);
		KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, head), 6);
		KUNIT_EXPECT_EQ(test, swiotlb_slots_free(pool, head), 0);
	}
	KUNIT_EXPECT_EQ(test, swiotlb_slots_used(pool), 0);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(nslabs)), 0);
	__free_pages(pages, order);
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

/*
 * A run freed behind the last one taken is not the next one handed out:
 * a search starts after the area's last run, so with mappings held (a
 * queue of I/O) it does not step over every one of them first.
 */
static void slots_are_handed_out_in_turn_after_the_last_run(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 256, 1);
	int a = alloc_slots(test, pool, 0, slots_req(2));

	KUNIT_ASSERT_EQ(test, a, 0);
	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(2)), 2);
	KUNIT_ASSERT_EQ(test, swiotlb_slots_free(pool, a), 2);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(2)), 4);
	/* Past the end of the area the turn starts again at its first slot. */
	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(122)), 6);
	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(128)), 128);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(2)), 0);
}

/* The slots of the hint's segment before the hint are searched last, not never. */
static void search_from_the_last_run_wraps_to_the_slots_before_it(struct kunit *test)
{
	struct io_tlb_pool *pool = test_pool(test, 128, 1);
	int a = alloc_slots(test, pool, 0, slots_req(32));

	KUNIT_ASSERT_EQ(test, a, 0);
	KUNIT_ASSERT_EQ(test, alloc_slots(test, pool, 0, slots_req(90)), 32);
	KUNIT_ASSERT_EQ(test, swiotlb_slots_free(pool, a), 32);
	/* 6 slots are free after the hint (122): 32 fit only before it. */
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(32)), 0);
	KUNIT_EXPECT_EQ(test, alloc_slots(test, pool, 0, slots_req(6)), 122);
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
	KUNIT_CASE(pool_over_uncleared_book_keeping_works_as_a_cleared_one),
	KUNIT_CASE(head_is_found_from_any_address_of_the_mapping),
	KUNIT_CASE(search_wraps_around_to_earlier_segments),
	KUNIT_CASE(slots_are_handed_out_in_turn_after_the_last_run),
	KUNIT_CASE(search_from_the_last_run_wraps_to_the_slots_before_it),
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

kunit_test_suite(swiotlb_slots_suite);
