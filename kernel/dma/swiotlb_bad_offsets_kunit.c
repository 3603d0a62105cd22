// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_bad_offsets: the catalogue of wrong addresses and
 * sizes handed to the calls that take a bounce buffer back.
 *
 * Every case pins down one rule for one family of entry points, and runs it
 * through each entry point of the family, in several directions:
 *
 *   sync_for_cpu_*     dma_sync_single_for_cpu(), dma_sync_sg_for_cpu()
 *   sync_for_device_*  dma_sync_single_for_device(), dma_sync_sg_for_device()
 *   unmap_*            dma_unmap_single(), dma_unmap_page(), dma_unmap_sg()
 *
 * at an address one before the buffer, in a padding slot, in the head slot
 * before the buffer, past the size inside the last slot, at the last byte,
 * one past the end, inside another mapping, after the unmap; with a size of
 * 0, larger than the mapping, or one that makes address + size wrap; and the
 * legitimate neighbours (the whole mapping, a range at an offset, the last
 * byte), which show that the checks do see the copies.
 *
 * Each round has a test device of its own (swiotlb_test_device_create(): a
 * fresh one-area pool, first fit from slot 0), so the layout is fixed and
 * checked from the addresses the maps return: slot 0 free, mapping A, and
 * mapping B (one full slot) right after A's last slot. The caller's buffers
 * sit in allocations that are canary bytes around the mapped range; the
 * pool is canary bytes outside the two mappings, and a "device" pattern
 * inside them. After the wrong call the case checks every byte of both
 * sides: canaries unchanged, and inside the mappings exactly the copies the
 * rule allows (computed as min(size, mapping size - offset) at the offset
 * of the mapping the address falls in); the number and the text of the
 * wrong-call warnings; the slots in use (allocator, bitmap and counters).
 * Then the proper unmaps must work, copy back and leave no slot in use.
 *
 * Two facts of dma-direct shape what the cases expect:
 *  - dma_unmap_*() first syncs for the CPU with the caller's address, size
 *    and direction, then unmaps with DMA_ATTR_SKIP_CPU_SYNC: for a
 *    from-device or bidirectional call, a wrong unmap is a sync at that
 *    address (its copy, its warning) followed by the unmap's own warning,
 *    and what an unmap copies back is what the caller's size and direction
 *    say, not what the map recorded;
 *  - a scatterlist sync passes sg->length, an unmap sg_dma_len(): the
 *    entries below set both, and cannot express a size that wraps.
 * swiotlb copies for a sync in the direction the caller passes (for-cpu:
 * from-device or bidirectional; for-device: to-device or bidirectional),
 * and otherwise does not even look at the address.
 *
 * Padding slots (slots of a run before its head slot) come only with an
 * alloc_align_mask above the slot size, which dma-direct never passes: the
 * padded fixture maps A with swiotlb_tbl_map_single(), as dma-iommu does,
 * then uses the DMA API on that address as on any other.
 *
 * The rules and the cases are here; the fixture that runs a rule, and
 * checks, is swiotlb_bad_offsets_fixture.c (rules: swiotlb_bad_offsets.h).
 *
 * Locking: none of its own; the fixture's comment says what it takes.
 */

#include <kunit/test.h>
#include <linux/dma-direction.h>

#include "swiotlb_bad_offsets.h"

/* ---- The rules ---- */

/* Slot 0, before A, is free. */
static const struct bo_rule one_before_the_buffer_in_a_free_slot = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .delta = -1, .len = 32,
	.acts_on = BO_NONE, .sync_warns = W_NO_BUFFER, .unmap_warns = W_NO_BUFFER,
	.unmap_frees = BO_NONE,
};

/* A starts 0x240 into its head slot. */
static const struct bo_rule one_before_the_buffer_in_its_head_slot = {
	.fixture = BO_MIN_ALIGN, .base = BO_A_BUF, .delta = -1, .len = 32,
	.acts_on = BO_NONE, .sync_warns = W_BEFORE, .unmap_warns = W_NOT_START,
	.unmap_frees = BO_NONE,
};

/* B - 1 is in A's last slot, past A's end. */
static const struct bo_rule one_before_the_next_buffer = {
	.fixture = BO_PLAIN, .base = BO_B_BUF, .delta = -1, .len = 32,
	.acts_on = BO_NONE, .sync_warns = W_PAST, .unmap_warns = W_NOT_START,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule inside_a_padding_slot = {
	.fixture = BO_PADDED, .base = BO_A_PAD, .delta = 100, .len = 32,
	.acts_on = BO_NONE, .sync_warns = W_NO_BUFFER, .unmap_warns = W_NO_BUFFER,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule past_the_end_in_the_last_slot = {
	.fixture = BO_PLAIN, .base = BO_A_END, .delta = 16, .len = 32,
	.acts_on = BO_NONE, .sync_warns = W_PAST, .unmap_warns = W_NOT_START,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule one_past_the_end = {
	.fixture = BO_PLAIN, .base = BO_A_END, .len = 32,
	.acts_on = BO_NONE, .sync_warns = W_PAST, .unmap_warns = W_NOT_START,
	.unmap_frees = BO_NONE,
};

/* B fills its slot: one past its end is the next slot, a free one. */
static const struct bo_rule one_past_the_end_of_a_full_slot = {
	.fixture = BO_PLAIN, .base = BO_B_END, .len = 32,
	.acts_on = BO_NONE, .sync_warns = W_NO_BUFFER, .unmap_warns = W_NO_BUFFER,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule the_last_byte = {
	.fixture = BO_PLAIN, .base = BO_A_END, .delta = -1, .len = 1,
	.acts_on = BO_A, .unmap_warns = W_NOT_START, .unmap_frees = BO_NONE,
};

static const struct bo_rule the_last_byte_and_one_more = {
	.fixture = BO_PLAIN, .base = BO_A_END, .delta = -1, .len = 2,
	.acts_on = BO_A, .sync_warns = W_CUT, .unmap_warns = W_NOT_START,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule inside_another_mapping = {
	.fixture = BO_PLAIN, .base = BO_B_BUF, .delta = 10, .len = 100,
	.acts_on = BO_B, .unmap_warns = W_NOT_START, .unmap_frees = BO_NONE,
};

/* With A's size: more than B holds from there. */
static const struct bo_rule inside_another_mapping_too_long_for_it = {
	.fixture = BO_PLAIN, .base = BO_B_BUF, .delta = 10, .len_kind = BO_LEN_A,
	.acts_on = BO_B, .sync_warns = W_CUT, .unmap_warns = W_NOT_START,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule size_zero_at_an_offset = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .delta = 10, .len = 0,
	.acts_on = BO_A, .unmap_warns = W_NOT_START, .unmap_frees = BO_NONE,
};

static const struct bo_rule size_zero_at_the_start = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .len = 0,
	.acts_on = BO_A, .unmap_warns = W_MAPPED_AS, .unmap_frees = BO_A,
};

static const struct bo_rule larger_than_the_mapping = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .len_kind = BO_LEN_A, .len = 1,
	.acts_on = BO_A, .sync_warns = W_CUT, .unmap_warns = W_MAPPED_AS,
	.unmap_frees = BO_A,
};

static const struct bo_rule smaller_than_the_mapping = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .len = 100,
	.acts_on = BO_A, .unmap_warns = W_MAPPED_AS, .unmap_frees = BO_A,
};

static const struct bo_rule at_an_offset_larger_than_the_rest = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .delta = 1000, .len_kind = BO_LEN_A,
	.acts_on = BO_A, .sync_warns = W_CUT, .unmap_warns = W_NOT_START,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule wrapping_at_an_offset = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .delta = 100, .len_kind = BO_LEN_WRAP,
	.acts_on = BO_A, .sync_warns = W_CUT, .unmap_warns = W_NOT_START,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule wrapping_at_the_start = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .len_kind = BO_LEN_WRAP,
	.acts_on = BO_A, .sync_warns = W_CUT, .unmap_warns = W_MAPPED_AS,
	.unmap_frees = BO_A,
};

static const struct bo_rule in_another_direction = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .len_kind = BO_LEN_A, .other_dir = true,
	.acts_on = BO_A, .unmap_warns = W_MAPPED_AS, .unmap_frees = BO_A,
};

static const struct bo_rule after_the_unmap = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .len_kind = BO_LEN_A, .unmap_a_first = true,
	.acts_on = BO_NONE, .sync_warns = W_NO_BUFFER, .unmap_warns = W_NO_BUFFER,
	.unmap_frees = BO_NONE,
};

static const struct bo_rule the_whole_mapping = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .len_kind = BO_LEN_A,
	.acts_on = BO_A, .unmap_frees = BO_A,
};

static const struct bo_rule a_range_at_an_offset = {
	.fixture = BO_PLAIN, .base = BO_A_BUF, .delta = 1000, .len = 500,
	.acts_on = BO_A, .unmap_warns = W_NOT_START, .unmap_frees = BO_NONE,
};

/* ---- The cases: one rule, one family of entry points ---- */

#define BO_CASE(name, family, rule)			\
	static void name(struct kunit *test)		\
	{						\
		bad_offsets_run(test, family, &(rule));		\
	}

BO_CASE(sync_for_cpu_one_before_the_buffer_in_a_free_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_CPU, one_before_the_buffer_in_a_free_slot)
BO_CASE(sync_for_device_one_before_the_buffer_in_a_free_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_DEVICE, one_before_the_buffer_in_a_free_slot)
BO_CASE(unmap_one_before_the_buffer_in_a_free_slot_frees_nothing_and_warns,
	BO_UNMAP, one_before_the_buffer_in_a_free_slot)

BO_CASE(sync_for_cpu_before_the_buffer_in_its_head_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_CPU, one_before_the_buffer_in_its_head_slot)
BO_CASE(sync_for_device_before_the_buffer_in_its_head_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_DEVICE, one_before_the_buffer_in_its_head_slot)
BO_CASE(unmap_before_the_buffer_in_its_head_slot_frees_nothing_and_warns,
	BO_UNMAP, one_before_the_buffer_in_its_head_slot)

BO_CASE(sync_for_cpu_one_before_the_next_buffer_copies_nothing_and_warns,
	BO_SYNC_FOR_CPU, one_before_the_next_buffer)
BO_CASE(sync_for_device_one_before_the_next_buffer_copies_nothing_and_warns,
	BO_SYNC_FOR_DEVICE, one_before_the_next_buffer)
BO_CASE(unmap_one_before_the_next_buffer_frees_nothing_and_warns,
	BO_UNMAP, one_before_the_next_buffer)

BO_CASE(sync_for_cpu_inside_a_padding_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_CPU, inside_a_padding_slot)
BO_CASE(sync_for_device_inside_a_padding_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_DEVICE, inside_a_padding_slot)
BO_CASE(unmap_inside_a_padding_slot_frees_nothing_and_warns,
	BO_UNMAP, inside_a_padding_slot)

BO_CASE(sync_for_cpu_past_the_end_in_the_last_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_CPU, past_the_end_in_the_last_slot)
BO_CASE(sync_for_device_past_the_end_in_the_last_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_DEVICE, past_the_end_in_the_last_slot)
BO_CASE(unmap_past_the_end_in_the_last_slot_frees_nothing_and_warns,
	BO_UNMAP, past_the_end_in_the_last_slot)

BO_CASE(sync_for_cpu_one_past_the_end_copies_nothing_and_warns,
	BO_SYNC_FOR_CPU, one_past_the_end)
BO_CASE(sync_for_device_one_past_the_end_copies_nothing_and_warns,
	BO_SYNC_FOR_DEVICE, one_past_the_end)
BO_CASE(unmap_one_past_the_end_frees_nothing_and_warns,
	BO_UNMAP, one_past_the_end)

BO_CASE(sync_for_cpu_one_past_a_full_last_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_CPU, one_past_the_end_of_a_full_slot)
BO_CASE(sync_for_device_one_past_a_full_last_slot_copies_nothing_and_warns,
	BO_SYNC_FOR_DEVICE, one_past_the_end_of_a_full_slot)
BO_CASE(unmap_one_past_a_full_last_slot_frees_nothing_and_warns,
	BO_UNMAP, one_past_the_end_of_a_full_slot)

BO_CASE(sync_for_cpu_of_the_last_byte_copies_that_byte_silently,
	BO_SYNC_FOR_CPU, the_last_byte)
BO_CASE(sync_for_device_of_the_last_byte_copies_that_byte_silently,
	BO_SYNC_FOR_DEVICE, the_last_byte)
BO_CASE(unmap_at_the_last_byte_frees_nothing_and_warns,
	BO_UNMAP, the_last_byte)

BO_CASE(sync_for_cpu_from_the_last_byte_for_two_copies_one_and_warns,
	BO_SYNC_FOR_CPU, the_last_byte_and_one_more)
BO_CASE(sync_for_device_from_the_last_byte_for_two_copies_one_and_warns,
	BO_SYNC_FOR_DEVICE, the_last_byte_and_one_more)

BO_CASE(sync_for_cpu_inside_another_mapping_copies_only_that_mapping_s_bytes,
	BO_SYNC_FOR_CPU, inside_another_mapping)
BO_CASE(sync_for_device_inside_another_mapping_copies_only_that_mapping_s_bytes,
	BO_SYNC_FOR_DEVICE, inside_another_mapping)
BO_CASE(unmap_inside_another_mapping_frees_nothing_and_warns,
	BO_UNMAP, inside_another_mapping)

BO_CASE(sync_for_cpu_into_another_mapping_past_its_end_is_cut_and_warns,
	BO_SYNC_FOR_CPU, inside_another_mapping_too_long_for_it)
BO_CASE(sync_for_device_into_another_mapping_past_its_end_is_cut_and_warns,
	BO_SYNC_FOR_DEVICE, inside_another_mapping_too_long_for_it)

BO_CASE(sync_for_cpu_of_size_zero_copies_nothing_silently,
	BO_SYNC_FOR_CPU, size_zero_at_an_offset)
BO_CASE(sync_for_device_of_size_zero_copies_nothing_silently,
	BO_SYNC_FOR_DEVICE, size_zero_at_an_offset)
BO_CASE(unmap_of_size_zero_frees_the_whole_mapping_and_warns,
	BO_UNMAP, size_zero_at_the_start)

BO_CASE(sync_for_cpu_larger_than_the_mapping_is_cut_at_its_end_and_warns,
	BO_SYNC_FOR_CPU, larger_than_the_mapping)
BO_CASE(sync_for_device_larger_than_the_mapping_is_cut_at_its_end_and_warns,
	BO_SYNC_FOR_DEVICE, larger_than_the_mapping)
BO_CASE(unmap_larger_than_the_mapping_frees_the_whole_mapping_and_warns,
	BO_UNMAP, larger_than_the_mapping)
BO_CASE(unmap_smaller_than_the_mapping_frees_the_whole_mapping_and_warns,
	BO_UNMAP, smaller_than_the_mapping)

BO_CASE(sync_for_cpu_running_beyond_the_end_from_an_offset_is_cut_and_warns,
	BO_SYNC_FOR_CPU, at_an_offset_larger_than_the_rest)
BO_CASE(sync_for_device_running_beyond_the_end_from_an_offset_is_cut_and_warns,
	BO_SYNC_FOR_DEVICE, at_an_offset_larger_than_the_rest)
BO_CASE(unmap_at_an_offset_frees_nothing_and_warns,
	BO_UNMAP, at_an_offset_larger_than_the_rest)

BO_CASE(sync_for_cpu_wrapping_around_is_cut_at_the_end_and_warns,
	BO_SYNC_FOR_CPU, wrapping_at_an_offset)
BO_CASE(sync_for_device_wrapping_around_is_cut_at_the_end_and_warns,
	BO_SYNC_FOR_DEVICE, wrapping_at_an_offset)
BO_CASE(unmap_wrapping_around_frees_the_whole_mapping_and_warns,
	BO_UNMAP, wrapping_at_the_start)

BO_CASE(unmap_in_another_direction_frees_the_whole_mapping_and_warns,
	BO_UNMAP, in_another_direction)

BO_CASE(sync_for_cpu_after_the_unmap_copies_nothing_and_warns,
	BO_SYNC_FOR_CPU, after_the_unmap)
BO_CASE(sync_for_device_after_the_unmap_copies_nothing_and_warns,
	BO_SYNC_FOR_DEVICE, after_the_unmap)
BO_CASE(unmap_twice_frees_nothing_the_second_time_and_warns,
	BO_UNMAP, after_the_unmap)

BO_CASE(sync_for_cpu_of_the_whole_mapping_copies_it_silently,
	BO_SYNC_FOR_CPU, the_whole_mapping)
BO_CASE(sync_for_device_of_the_whole_mapping_copies_it_silently,
	BO_SYNC_FOR_DEVICE, the_whole_mapping)
BO_CASE(unmap_of_the_whole_mapping_frees_it_silently,
	BO_UNMAP, the_whole_mapping)

BO_CASE(sync_for_cpu_of_a_range_at_an_offset_copies_that_range_silently,
	BO_SYNC_FOR_CPU, a_range_at_an_offset)
BO_CASE(sync_for_device_of_a_range_at_an_offset_copies_that_range_silently,
	BO_SYNC_FOR_DEVICE, a_range_at_an_offset)

/* A sync in a direction that copies nothing does not look at the address. */
static void sync_for_cpu_of_a_to_device_mapping_ignores_any_address(struct kunit *test)
{
	static const enum dma_data_direction dir = DMA_TO_DEVICE;

	bad_offsets_run_dirs(test, BO_SYNC_FOR_CPU, &past_the_end_in_the_last_slot, &dir, 1);
	bad_offsets_run_dirs(test, BO_SYNC_FOR_CPU, &one_before_the_buffer_in_a_free_slot, &dir, 1);
	bad_offsets_run_dirs(test, BO_SYNC_FOR_CPU, &the_whole_mapping, &dir, 1);
}

static void sync_for_device_of_a_from_device_mapping_ignores_any_address(struct kunit *test)
{
	static const enum dma_data_direction dir = DMA_FROM_DEVICE;

	bad_offsets_run_dirs(test, BO_SYNC_FOR_DEVICE, &past_the_end_in_the_last_slot, &dir, 1);
	bad_offsets_run_dirs(test, BO_SYNC_FOR_DEVICE, &one_before_the_buffer_in_a_free_slot,
			     &dir, 1);
	bad_offsets_run_dirs(test, BO_SYNC_FOR_DEVICE, &the_whole_mapping, &dir, 1);
}

static struct kunit_case swiotlb_bad_offsets_cases[] = {
	KUNIT_CASE(sync_for_cpu_one_before_the_buffer_in_a_free_slot_copies_nothing_and_warns),
	KUNIT_CASE(sync_for_device_one_before_the_buffer_in_a_free_slot_copies_nothing_and_warns),
	KUNIT_CASE(unmap_one_before_the_buffer_in_a_free_slot_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_before_the_buffer_in_its_head_slot_copies_nothing_and_warns),
	KUNIT_CASE(sync_for_device_before_the_buffer_in_its_head_slot_copies_nothing_and_warns),
	KUNIT_CASE(unmap_before_the_buffer_in_its_head_slot_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_one_before_the_next_buffer_copies_nothing_and_warns),
	KUNIT_CASE(sync_for_device_one_before_the_next_buffer_copies_nothing_and_warns),
	KUNIT_CASE(unmap_one_before_the_next_buffer_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_inside_a_padding_slot_copies_nothing_and_warns),
	KUNIT_CASE(sync_for_device_inside_a_padding_slot_copies_nothing_and_warns),
	KUNIT_CASE(unmap_inside_a_padding_slot_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_past_the_end_in_the_last_slot_copies_nothing_and_warns),
	KUNIT_CASE(sync_for_device_past_the_end_in_the_last_slot_copies_nothing_and_warns),
	KUNIT_CASE(unmap_past_the_end_in_the_last_slot_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_one_past_the_end_copies_nothing_and_warns),
	KUNIT_CASE(sync_for_device_one_past_the_end_copies_nothing_and_warns),
	KUNIT_CASE(unmap_one_past_the_end_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_one_past_a_full_last_slot_copies_nothing_and_warns),
	KUNIT_CASE(sync_for_device_one_past_a_full_last_slot_copies_nothing_and_warns),
	KUNIT_CASE(unmap_one_past_a_full_last_slot_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_of_the_last_byte_copies_that_byte_silently),
	KUNIT_CASE(sync_for_device_of_the_last_byte_copies_that_byte_silently),
	KUNIT_CASE(unmap_at_the_last_byte_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_from_the_last_byte_for_two_copies_one_and_warns),
	KUNIT_CASE(sync_for_device_from_the_last_byte_for_two_copies_one_and_warns),
	KUNIT_CASE(sync_for_cpu_inside_another_mapping_copies_only_that_mapping_s_bytes),
	KUNIT_CASE(sync_for_device_inside_another_mapping_copies_only_that_mapping_s_bytes),
	KUNIT_CASE(unmap_inside_another_mapping_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_into_another_mapping_past_its_end_is_cut_and_warns),
	KUNIT_CASE(sync_for_device_into_another_mapping_past_its_end_is_cut_and_warns),
	KUNIT_CASE(sync_for_cpu_of_size_zero_copies_nothing_silently),
	KUNIT_CASE(sync_for_device_of_size_zero_copies_nothing_silently),
	KUNIT_CASE(unmap_of_size_zero_frees_the_whole_mapping_and_warns),
	KUNIT_CASE(sync_for_cpu_larger_than_the_mapping_is_cut_at_its_end_and_warns),
	KUNIT_CASE(sync_for_device_larger_than_the_mapping_is_cut_at_its_end_and_warns),
	KUNIT_CASE(unmap_larger_than_the_mapping_frees_the_whole_mapping_and_warns),
	KUNIT_CASE(unmap_smaller_than_the_mapping_frees_the_whole_mapping_and_warns),
	KUNIT_CASE(sync_for_cpu_running_beyond_the_end_from_an_offset_is_cut_and_warns),
	KUNIT_CASE(sync_for_device_running_beyond_the_end_from_an_offset_is_cut_and_warns),
	KUNIT_CASE(unmap_at_an_offset_frees_nothing_and_warns),
	KUNIT_CASE(sync_for_cpu_wrapping_around_is_cut_at_the_end_and_warns),
	KUNIT_CASE(sync_for_device_wrapping_around_is_cut_at_the_end_and_warns),
	KUNIT_CASE(unmap_wrapping_around_frees_the_whole_mapping_and_warns),
	KUNIT_CASE(unmap_in_another_direction_frees_the_whole_mapping_and_warns),
	KUNIT_CASE(sync_for_cpu_after_the_unmap_copies_nothing_and_warns),
	KUNIT_CASE(sync_for_device_after_the_unmap_copies_nothing_and_warns),
	KUNIT_CASE(unmap_twice_frees_nothing_the_second_time_and_warns),
	KUNIT_CASE(sync_for_cpu_of_the_whole_mapping_copies_it_silently),
	KUNIT_CASE(sync_for_device_of_the_whole_mapping_copies_it_silently),
	KUNIT_CASE(unmap_of_the_whole_mapping_frees_it_silently),
	KUNIT_CASE(sync_for_cpu_of_a_range_at_an_offset_copies_that_range_silently),
	KUNIT_CASE(sync_for_device_of_a_range_at_an_offset_copies_that_range_silently),
	KUNIT_CASE(sync_for_cpu_of_a_to_device_mapping_ignores_any_address),
	KUNIT_CASE(sync_for_device_of_a_from_device_mapping_ignores_any_address),
	{}
};

static struct kunit_suite swiotlb_bad_offsets_suite = {
	.name = "swiotlb_bad_offsets",
	.init = bad_offsets_init,
	.test_cases = swiotlb_bad_offsets_cases,
};

kunit_test_suite(swiotlb_bad_offsets_suite);

MODULE_DESCRIPTION("KUnit catalogue of wrong addresses and sizes for bouncing DMA mappings");
MODULE_LICENSE("GPL");
