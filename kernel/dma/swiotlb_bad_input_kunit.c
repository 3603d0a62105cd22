// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what wrong calls into the streaming DMA API do when the
 * mapping bounces: every wrong call is reported (each case asserts the
 * number and the text of the warnings it caused, caught with
 * swiotlb_kunit_log.h), no byte outside the mapping is copied, and the
 * pools stay consistent.
 *
 *   swiotlb_bad_input  one case per kind of wrong call (double unmap, unmap
 *                      of an unknown address or inside a mapping, wrong size
 *                      or direction, syncs past the end, maps that cannot
 *                      be made), on the default allocator, through a KUnit
 *                      device (needs "swiotlb=<nslabs>,force")
 *
 * The catalogue of wrong addresses and sizes at every offset of a mapping,
 * for every sync and unmap entry point, is suite swiotlb_bad_offsets in
 * swiotlb_bad_offsets_kunit.c.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_log.h"

static long counter(atomic_long_t *c)
{
	return atomic_long_read(c);
}

/* A KUnit device with a 32-bit DMA mask. */
static struct device *test_device(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "swiotlb-bad-input");

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	return dev;
}

/* ---- Bad input, through the DMA API on the default allocator ---- */

static int bad_input_init(struct kunit *test)
{
	struct device *dev = test_device(test);

	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32)), 0);
	if (!is_swiotlb_force_bounce(dev))
		kunit_skip(test, "boot with swiotlb=<nslabs>,force to run these tests");
	test->priv = dev;
	return 0;
}

static unsigned long used_slots(void)
{
	return swiotlb_stats_used(&io_tlb_default_mem, SWIOTLB_USED_ALL);
}

static dma_addr_t map_buf(struct kunit *test, void *buf, size_t size,
			  enum dma_data_direction dir)
{
	dma_addr_t dma = dma_map_single(test->priv, buf, size, dir);

	KUNIT_ASSERT_FALSE(test, dma_mapping_error(test->priv, dma));
	return dma;
}

/* A later map/unmap round works and leaves usage at @before. */
static void expect_pool_still_works(struct kunit *test, unsigned long before)
{
	u8 *buf = kunit_kzalloc(test, 3000, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = map_buf(test, buf, 3000, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, used_slots(), before + 2);
	dma_unmap_single(test->priv, dma, 3000, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, used_slots(), before);
}

static void double_unmap_is_refused(struct kunit *test)
{
	unsigned long before = used_slots();
	u8 *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = map_buf(test, buf, 4096, DMA_TO_DEVICE);
	dma_unmap_single(test->priv, dma, 4096, DMA_TO_DEVICE);
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	dma_unmap_single(test->priv, dma, 4096, DMA_TO_DEVICE);
	bracket_wrong_call(false);
	SWIOTLB_EXPECT_WARNINGS(test, 1, "no live bounce buffer there");
	KUNIT_EXPECT_EQ(test, used_slots(), before);
	expect_pool_still_works(test, before);
}

static void unmap_of_an_address_never_mapped_is_refused(struct kunit *test)
{
	struct io_tlb_pool *pool = &io_tlb_default_mem.defpool;
	phys_addr_t addr = pool->end - IO_TLB_SIZE;
	unsigned long before = used_slots();

	if (swiotlb_slots_head(pool, addr) >= 0)
		kunit_skip(test, "the last slot of the default pool is in use");
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	swiotlb_tbl_unmap_single(test->priv, addr, 64, DMA_TO_DEVICE, 0);
	bracket_wrong_call(false);
	SWIOTLB_EXPECT_WARNINGS(test, 1, "no live bounce buffer there");
	KUNIT_EXPECT_EQ(test, used_slots(), before);
	expect_pool_still_works(test, before);
}

static void unmap_inside_a_mapping_is_refused(struct kunit *test)
{
	unsigned long before = used_slots();
	u8 *buf = kunit_kzalloc(test, 5000, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = map_buf(test, buf, 5000, DMA_TO_DEVICE);
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	dma_unmap_single(test->priv, dma + 16, 4000, DMA_TO_DEVICE);
	bracket_wrong_call(false);
	SWIOTLB_EXPECT_WARNINGS(test, 1, "not the start of its bounce buffer");
	KUNIT_EXPECT_EQ(test, used_slots(), before + 3);
	dma_unmap_single(test->priv, dma, 5000, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, used_slots(), before);
}

static void unmap_with_wrong_size_and_direction_frees_the_whole_mapping(struct kunit *test)
{
	unsigned long before = used_slots();
	u8 *buf = kunit_kzalloc(test, 5000, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	dma = map_buf(test, buf, 5000, DMA_FROM_DEVICE);
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	dma_unmap_single(test->priv, dma, 100, DMA_TO_DEVICE);
	bracket_wrong_call(false);
	SWIOTLB_EXPECT_WARNINGS(test, 1, "it was mapped as 5000 bytes from-device");
	KUNIT_EXPECT_EQ(test, used_slots(), before);
	expect_pool_still_works(test, before);
}

static void sync_past_the_end_is_cut_at_the_mapping_end(struct kunit *test)
{
	struct device *dev = test->priv;
	unsigned long before = used_slots();
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	dma_addr_t dma;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf + 100, 0xcc, 156);
	dma = map_buf(test, buf, 100, DMA_FROM_DEVICE);
	/* The device scribbles over its whole slot. */
	memset(phys_to_virt(dma_to_phys(dev, dma)), 0x5a, IO_TLB_SIZE);
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	dma_sync_single_for_cpu(dev, dma, 256, DMA_FROM_DEVICE);
	bracket_wrong_call(false);
	SWIOTLB_EXPECT_WARNINGS(test, 1, "cut at its end");
	for (i = 0; i < 100; i++)
		KUNIT_ASSERT_EQ(test, buf[i], 0x5a);
	for (i = 100; i < 256; i++)
		KUNIT_ASSERT_EQ_MSG(test, buf[i], 0xcc, "byte %d past the mapping", i);
	dma_unmap_single_attrs(dev, dma, 100, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	KUNIT_EXPECT_EQ(test, used_slots(), before);
}

/*
 * The case of the report: a 100-byte mapping of a 4 KiB buffer, synced from
 * offset 200 (inside the mapping's only slot, past its size) for 64 bytes.
 */
static void sync_starting_past_the_end_copies_nothing(struct kunit *test)
{
	struct device *dev = test->priv;
	unsigned long before = used_slots();
	u8 *buf = kunit_kmalloc(test, 4096, GFP_KERNEL);
	dma_addr_t dma;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0xcc, 4096);
	dma = map_buf(test, buf, 100, DMA_FROM_DEVICE);
	memset(phys_to_virt(dma_to_phys(dev, dma)), 0x5a, IO_TLB_SIZE);
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	dma_sync_single_for_cpu(dev, dma + 200, 64, DMA_FROM_DEVICE);
	dma_sync_single_for_device(dev, dma + 100, 1, DMA_FROM_DEVICE);
	bracket_wrong_call(false);
	SWIOTLB_EXPECT_WARNINGS(test, 1, "past its end");
	for (i = 0; i < 4096; i++)
		KUNIT_ASSERT_EQ_MSG(test, buf[i], 0xcc, "byte %d of the caller's buffer", i);
	/* Syncing for the device a from-device mapping copies nothing at all. */
	for (i = 0; i < IO_TLB_SIZE; i++)
		KUNIT_ASSERT_EQ_MSG(test, ((u8 *)phys_to_virt(dma_to_phys(dev, dma)))[i], 0x5a,
				    "byte %d of the bounce slot", i);
	dma_unmap_single_attrs(dev, dma, 100, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	KUNIT_EXPECT_EQ(test, used_slots(), before);
}

static void zero_size_map_fails_cleanly(struct kunit *test)
{
	unsigned long before = used_slots();
	u8 *buf = kunit_kzalloc(test, 16, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	dma = dma_map_single(test->priv, buf, 0, DMA_TO_DEVICE);
	bracket_wrong_call(false);
	SWIOTLB_EXPECT_WARNINGS(test, 1, "refusing to bounce a zero-size buffer");
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(test->priv, dma));
	KUNIT_EXPECT_EQ(test, used_slots(), before);
	expect_pool_still_works(test, before);
}

static void oversize_map_fails_cleanly(struct kunit *test)
{
	struct swiotlb_stats *st = &io_tlb_default_mem.stats;
	size_t size = swiotlb_max_mapping_size(test->priv) + 1;
	long failures = counter(&st->map_failures);
	unsigned long before = used_slots();
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	dma = dma_map_single(test->priv, buf, size, DMA_TO_DEVICE);
	bracket_wrong_call(false);
	SWIOTLB_EXPECT_WARNINGS(test, 1, "at most");
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(test->priv, dma));
	KUNIT_EXPECT_EQ(test, used_slots(), before);
	/* Not a shortage of room: no pool could ever hold it. */
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), failures);
	expect_pool_still_works(test, before);
}

static void mask_below_every_pool_fails_cleanly(struct kunit *test)
{
	struct swiotlb_stats *st = &io_tlb_default_mem.stats;
	struct device *dev = test->priv;
	long failures = counter(&st->map_failures);
	unsigned long before = used_slots();
	u8 *buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	u64 mask = *dev->dma_mask;
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* No memory at all lies below 4 KiB: no pool, and no new one, can serve it. */
	*dev->dma_mask = DMA_BIT_MASK(12);
	wrong_call_log_start(test);
	bracket_wrong_call(true);
	dma = dma_map_single(dev, buf, 512, DMA_TO_DEVICE);
	bracket_wrong_call(false);
	*dev->dma_mask = mask;
	/* Not a wrong call but a device no pool can serve: no wrong-call warning. */
	SWIOTLB_EXPECT_WARNINGS(test, 0, "");
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, used_slots(), before);
	KUNIT_EXPECT_EQ(test, counter(&st->map_failures), failures + 1);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	KUNIT_EXPECT_TRUE(test, list_empty(&dev->dma_io_tlb_pools));
#endif
	expect_pool_still_works(test, before);
}

static struct kunit_case swiotlb_bad_input_cases[] = {
	KUNIT_CASE(double_unmap_is_refused),
	KUNIT_CASE(unmap_of_an_address_never_mapped_is_refused),
	KUNIT_CASE(unmap_inside_a_mapping_is_refused),
	KUNIT_CASE(unmap_with_wrong_size_and_direction_frees_the_whole_mapping),
	KUNIT_CASE(sync_past_the_end_is_cut_at_the_mapping_end),
	KUNIT_CASE(sync_starting_past_the_end_copies_nothing),
	KUNIT_CASE(zero_size_map_fails_cleanly),
	KUNIT_CASE(oversize_map_fails_cleanly),
	KUNIT_CASE(mask_below_every_pool_fails_cleanly),
	{}
};

static struct kunit_suite swiotlb_bad_input_suite = {
	.name = "swiotlb_bad_input",
	.init = bad_input_init,
	.test_cases = swiotlb_bad_input_cases,
};

kunit_test_suite(swiotlb_bad_input_suite);

MODULE_DESCRIPTION("KUnit tests of wrong calls into bouncing DMA mappings");
MODULE_LICENSE("GPL");
