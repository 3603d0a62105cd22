// SPDX-License-Identifier: GPL-2.0
/*
 * Black-box KUnit tests of swiotlb bounce buffering.
 *
 * Every case drives a KUnit test device through the public streaming DMA API
 * (dma_map_*, dma_sync_*, dma_unmap_*) and checks what a driver relies on:
 * which bytes are copied between the caller's buffer and the bounce buffer,
 * and when; that a mapping takes exactly the slots it needs and gives them
 * back; min_align_mask alignment; the size limit; over-subscription; and
 * concurrent use.
 *
 * The "device" reads and writes the bounce buffer directly through the DMA
 * address it was given, as hardware would.
 *
 * Requirements: boot with "swiotlb=<nslabs>,force" so that every mapping of
 * the test device bounces (the cases skip otherwise). A small pool, such as
 * 2048 slots, keeps the over-subscription case quick.
 *
 * The suite knows the core's internals in one place only: the pool_*()
 * helpers below, which read the counters debugfs shows as
 * swiotlb/io_tlb_{nslabs,used,transient_nslabs}.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "swiotlb_kunit_bytes.h"

/* ---- What debugfs shows of the pool the test device uses ---- */

/* Slots in use, in every pool of the device's swiotlb (io_tlb_used). */
static unsigned long pool_used_slots(struct device *dev)
{
	struct swiotlb_counters c;
	unsigned long used = 0;
	int k;

	swiotlb_read_counters(dev, &c);
	for (k = 0; k < SWIOTLB_POOL_KINDS; k++)
		used += c.used[k];
	return used;
}

/* Slots of all pools together (io_tlb_nslabs). */
static unsigned long pool_total_slots(struct device *dev)
{
	return dev->dma_io_tlb_mem->nslabs;
}

/* Slots held by transient pools (io_tlb_transient_nslabs). */
static unsigned long pool_transient_slots(struct device *dev)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	return atomic_long_read(&dev->dma_io_tlb_mem->transient_nslabs);
#else
	return 0;
#endif
}

/* ---- Helpers ---- */

static unsigned int slots_for(size_t size)
{
	return DIV_ROUND_UP(size, IO_TLB_SIZE);
}

/* The bounce buffer behind @dma, as the device sees it. */
static u8 *device_view(struct device *dev, dma_addr_t dma)
{
	return phys_to_virt(dma_to_phys(dev, dma));
}

static bool is_bounced(struct device *dev, dma_addr_t dma)
{
	return !!swiotlb_find_pool(dev, dma_to_phys(dev, dma));
}

struct swiotlb_test {
	struct device *dev;
};

static int swiotlb_test_init(struct kunit *test)
{
	struct swiotlb_test *t;
	struct device *dev;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	dev = kunit_device_register(test, "swiotlb-kunit");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(dev), "cannot register a test device");
	/* dma_set_min_align_mask() needs somewhere to keep the mask. */
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32)), 0);
	if (!is_swiotlb_force_bounce(dev))
		kunit_skip(test, "boot with swiotlb=<nslabs>,force to run these tests");
	t->dev = dev;
	test->priv = t;
	return 0;
}

static struct device *test_dev(struct kunit *test)
{
	return ((struct swiotlb_test *)test->priv)->dev;
}

/* kmalloc() a buffer that KUnit frees at the end of the case. */
static u8 *test_buf(struct kunit *test, size_t size)
{
	u8 *buf = kunit_kmalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	return buf;
}

static dma_addr_t map_or_fail_for(struct kunit *test, struct device *dev, void *buf,
				  size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	dma_addr_t dma = dma_map_single_attrs(dev, buf, size, dir, attrs);

	KUNIT_ASSERT_FALSE_MSG(test, dma_mapping_error(dev, dma),
			       "mapping %zu bytes failed", size);
	KUNIT_ASSERT_TRUE_MSG(test, is_bounced(dev, dma),
			      "mapping of %zu bytes was not bounced", size);
	return dma;
}

static dma_addr_t map_or_fail(struct kunit *test, void *buf, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
	return map_or_fail_for(test, test_dev(test), buf, size, dir, attrs);
}

KUNIT_DEFINE_ACTION_WRAPPER(destroy_test_device, swiotlb_test_device_destroy, struct device *);

/* ---- Mapping takes slots and unmapping gives them back ---- */

static void map_bounces_and_unmap_releases_slots(struct kunit *test)
{
	struct device *dev = test_dev(test);
	unsigned long before = pool_used_slots(dev);
	size_t size = 3 * IO_TLB_SIZE;
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	dma = map_or_fail(test, buf, size, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_PTR_NE(test, (void *)device_view(dev, dma), (void *)buf);
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before + slots_for(size));

	dma_unmap_single(dev, dma, size, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before);
}

static void map_page_bounces_and_unmap_releases_slots(struct kunit *test)
{
	struct device *dev = test_dev(test);
	unsigned long before = pool_used_slots(dev);
	struct page *page = alloc_page(GFP_KERNEL);
	dma_addr_t dma;

	KUNIT_ASSERT_NOT_NULL(test, page);
	fill_pattern(page_address(page), PAGE_SIZE, 1);
	dma = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_TRUE(test, is_bounced(dev, dma));
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before + slots_for(PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, pattern_mismatch(device_view(dev, dma), PAGE_SIZE, 1), -1);

	dma_unmap_page(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before);
	__free_page(page);
}

/* ---- Which bytes move, and when ---- */

static void to_device_copies_in_at_map_and_not_back(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 5000;
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	fill_pattern(buf, size, 2);
	dma = map_or_fail(test, buf, size, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(device_view(dev, dma), size, 2), -1);

	/* Whatever the device does to a to-device buffer stays there. */
	memset(device_view(dev, dma), 0xee, size);
	dma_unmap_single(dev, dma, size, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(buf, size, 2), -1);
}

static void from_device_copies_out_at_unmap_only(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 6000;
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	memset(buf, 0xaa, size);
	dma = map_or_fail(test, buf, size, DMA_FROM_DEVICE, 0);
	fill_pattern(device_view(dev, dma), size, 3);
	/* Nothing reaches the CPU's buffer before the unmap. */
	KUNIT_EXPECT_EQ(test, byte_mismatch(buf, size, 0xaa), -1);

	dma_unmap_single(dev, dma, size, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(buf, size, 3), -1);
}

/*
 * A device that writes only part of a from-device buffer must leave the rest
 * of the CPU's buffer as it was: the bounce buffer starts as a copy of it.
 */
static void from_device_partial_write_keeps_unwritten_bytes(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 4096, written = 1000;
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	fill_pattern(buf, size, 4);
	dma = map_or_fail(test, buf, size, DMA_FROM_DEVICE, 0);
	memset(device_view(dev, dma), 0x55, written);
	dma_unmap_single(dev, dma, size, DMA_FROM_DEVICE);

	KUNIT_EXPECT_EQ(test, byte_mismatch(buf, written, 0x55), -1);
	/* Put the written head back: then the whole buffer is the pattern. */
	fill_pattern(buf, written, 4);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(buf, size, 4), -1);
}

/*
 * The device never sees what an earlier user left in the bounce buffer, not
 * even when the caller skips the CPU sync. On a device whose pool holds
 * exactly one such mapping, the second mapping reuses the first's slots.
 */
static void map_never_exposes_stale_bounce_data(struct kunit *test)
{
	static const unsigned long attrs[] = { 0, DMA_ATTR_SKIP_CPU_SYNC };
	size_t size = 2 * IO_TLB_SIZE;
	struct device *dev = swiotlb_test_device_create("swiotlb-kunit-stale", size);
	u8 *buf = test_buf(test, size);
	dma_addr_t dma, first;
	unsigned int i;

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_test_device, dev), 0);
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		/* Leave stale bytes in the slots the next mapping will reuse. */
		memset(buf, 0x77, size);
		first = map_or_fail_for(test, dev, buf, size, DMA_TO_DEVICE, 0);
		dma_unmap_single(dev, first, size, DMA_TO_DEVICE);

		fill_pattern(buf, size, 5 + i);
		dma = map_or_fail_for(test, dev, buf, size, DMA_FROM_DEVICE, attrs[i]);
		KUNIT_ASSERT_EQ(test, dma, first);
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(device_view(dev, dma), size, 5 + i), -1,
				    "attrs %#lx", attrs[i]);
		dma_unmap_single_attrs(dev, dma, size, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	}
}

static void bidirectional_copies_in_at_map_and_out_at_unmap(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 3000;
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	fill_pattern(buf, size, 6);
	dma = map_or_fail(test, buf, size, DMA_BIDIRECTIONAL, 0);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(device_view(dev, dma), size, 6), -1);

	fill_pattern(device_view(dev, dma), size, 7);
	dma_unmap_single(dev, dma, size, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(buf, size, 7), -1);
}

static void skip_cpu_sync_unmap_copies_nothing_back(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 4096;
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	fill_pattern(buf, size, 8);
	dma = map_or_fail(test, buf, size, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	memset(device_view(dev, dma), 0x33, size);
	dma_unmap_single_attrs(dev, dma, size, DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(buf, size, 8), -1);
}

static void sync_for_cpu_copies_device_data_before_unmap(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 4096;
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	memset(buf, 0, size);
	dma = map_or_fail(test, buf, size, DMA_FROM_DEVICE, 0);
	fill_pattern(device_view(dev, dma), size, 9);
	dma_sync_single_for_cpu(dev, dma, size, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(buf, size, 9), -1);

	/* The buffer goes back to the device, which writes it again. */
	dma_sync_single_for_device(dev, dma, size, DMA_FROM_DEVICE);
	fill_pattern(device_view(dev, dma), size, 10);
	dma_unmap_single(dev, dma, size, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, pattern_mismatch(buf, size, 10), -1);
}

static void sync_range_for_cpu_copies_exactly_the_range(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 3 * IO_TLB_SIZE, off = IO_TLB_SIZE - 100, len = 300;
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	memset(buf, 0xaa, size);
	dma = map_or_fail(test, buf, size, DMA_FROM_DEVICE, 0);
	memset(device_view(dev, dma), 0x55, size);

	/* The range crosses a slot boundary on purpose. */
	dma_sync_single_range_for_cpu(dev, dma, off, len, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, byte_mismatch(buf, off, 0xaa), -1);
	KUNIT_EXPECT_EQ(test, byte_mismatch(buf + off, len, 0x55), -1);
	KUNIT_EXPECT_EQ(test, byte_mismatch(buf + off + len, size - off - len, 0xaa), -1);

	dma_unmap_single_attrs(dev, dma, size, DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
}

static void sync_range_for_device_copies_exactly_the_range(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 3 * IO_TLB_SIZE, off = 2 * IO_TLB_SIZE - 10, len = 20;
	u8 *buf = test_buf(test, size);
	u8 *bounce;
	dma_addr_t dma;

	memset(buf, 0xaa, size);
	dma = map_or_fail(test, buf, size, DMA_TO_DEVICE, 0);
	bounce = device_view(dev, dma);

	memset(buf, 0x55, size);
	dma_sync_single_range_for_device(dev, dma, off, len, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, byte_mismatch(bounce, off, 0xaa), -1);
	KUNIT_EXPECT_EQ(test, byte_mismatch(bounce + off, len, 0x55), -1);
	KUNIT_EXPECT_EQ(test, byte_mismatch(bounce + off + len, size - off - len, 0xaa), -1);

	dma_unmap_single(dev, dma, size, DMA_TO_DEVICE);
}

/* ---- Alignment ---- */

/*
 * With a min_align_mask (NVMe sets 4 KiB - 1), the bounce address keeps the
 * buffer's offset within each aligned unit, whatever that offset is.
 */
static void min_align_mask_keeps_offset_in_aligned_unit(struct kunit *test)
{
	static const struct {
		unsigned int mask;
		unsigned int offset;
	} cases[] = {
		{ SZ_4K - 1, 0 }, { SZ_4K - 1, 8 }, { SZ_4K - 1, 512 },
		{ SZ_4K - 1, 2040 }, { SZ_4K - 1, 2048 }, { SZ_4K - 1, 4088 },
		{ SZ_4K - 1, SZ_4K + 520 }, { SZ_64K - 1, 24 },
		{ SZ_64K - 1, SZ_16K + 2056 }, { SZ_64K - 1, SZ_64K - 1024 },
	};
	struct device *dev = test_dev(test);
	unsigned long before = pool_used_slots(dev);
	size_t len = 1000;
	struct page *pages = alloc_pages(GFP_KERNEL, get_order(2 * SZ_64K));
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned int mask = cases[i].mask, off = cases[i].offset;
		phys_addr_t orig = page_to_phys(pages) + off;
		dma_addr_t dma;

		dma_set_min_align_mask(dev, mask);
		fill_pattern(page_address(pages) + off, len, i);
		dma = dma_map_page(dev, pages, off, len, DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE_MSG(test, dma_mapping_error(dev, dma),
				       "mask %#x offset %u", mask, off);
		KUNIT_EXPECT_EQ_MSG(test, dma_to_phys(dev, dma) & mask, orig & mask,
				    "mask %#x offset %u", mask, off);
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(device_view(dev, dma), len, i), -1,
				    "mask %#x offset %u", mask, off);
		dma_unmap_page(dev, dma, len, DMA_TO_DEVICE);
	}
	dma_set_min_align_mask(dev, 0);
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before);
	__free_pages(pages, get_order(2 * SZ_64K));
}

/* ---- Size limits ---- */

static void every_size_up_to_max_mapping_size_maps(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t max = dma_max_mapping_size(dev);
	size_t sizes[] = { 1, 2, IO_TLB_SIZE - 1, IO_TLB_SIZE, IO_TLB_SIZE + 1,
			   PAGE_SIZE, PAGE_SIZE + 3, SZ_64K, max - 1, max };
	unsigned long before = pool_used_slots(dev);
	unsigned int i;

	KUNIT_ASSERT_GE(test, max, (size_t)SZ_64K);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		u8 *buf = test_buf(test, size);
		dma_addr_t dma;

		fill_pattern(buf, size, size);
		dma = map_or_fail(test, buf, size, DMA_BIDIRECTIONAL, 0);
		KUNIT_EXPECT_EQ_MSG(test, pool_used_slots(dev), before + slots_for(size),
				    "size %zu", size);
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(device_view(dev, dma), size, size), -1,
				    "size %zu", size);
		fill_pattern(device_view(dev, dma), size, size + 1);
		dma_unmap_single(dev, dma, size, DMA_BIDIRECTIONAL);
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(buf, size, size + 1), -1,
				    "size %zu", size);
		KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before);
	}
}

static void one_byte_over_max_mapping_size_fails_cleanly(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = dma_max_mapping_size(dev) + 1;
	unsigned long before = pool_used_slots(dev);
	u8 *buf = test_buf(test, size);
	dma_addr_t dma;

	dma = dma_map_single_attrs(dev, buf, size, DMA_TO_DEVICE, DMA_ATTR_NO_WARN);
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(dev, dma));
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before);

	/* The pool still works. */
	dma = map_or_fail(test, buf, PAGE_SIZE, DMA_TO_DEVICE, 0);
	dma_unmap_single(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before);
}

/* ---- Over-subscription ---- */

/*
 * Twice as many live maximum-size mappings as the pool holds all succeed:
 * what the pools cannot hold goes to transient pools, which are gone again
 * once their mappings are unmapped.
 */
static void oversubscription_is_served_by_transient_pools(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = dma_max_mapping_size(dev);
	unsigned long before = pool_used_slots(dev);
	unsigned int n = 2 * pool_total_slots(dev) / slots_for(size);
	unsigned long peak_transient = 0;
	dma_addr_t *dma;
	u8 **buf;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_SWIOTLB_DYNAMIC))
		kunit_skip(test, "transient pools need CONFIG_SWIOTLB_DYNAMIC");
	KUNIT_ASSERT_EQ(test, pool_transient_slots(dev), 0);

	buf = kunit_kcalloc(test, n, sizeof(*buf), GFP_KERNEL);
	dma = kunit_kcalloc(test, n, sizeof(*dma), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, dma);
	for (i = 0; i < n; i++) {
		buf[i] = test_buf(test, size);
		fill_pattern(buf[i], size, i);
	}

	for (i = 0; i < n; i++) {
		dma[i] = dma_map_single(dev, buf[i], size, DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE_MSG(test, dma_mapping_error(dev, dma[i]),
				       "mapping %u of %u failed", i, n);
		peak_transient = max(peak_transient, pool_transient_slots(dev));
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(device_view(dev, dma[i]), size, i), -1,
				    "mapping %u", i);
	KUNIT_EXPECT_GT(test, peak_transient, 0);

	for (i = 0; i < n; i++)
		dma_unmap_single(dev, dma[i], size, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, pool_transient_slots(dev), 0);
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before);
}

/* ---- Concurrency ---- */

#define STRESS_THREADS	4
#define STRESS_ROUNDS	300
#define STRESS_MAX_SIZE	(64 * 1024)

struct stress_worker {
	struct device *dev;
	unsigned int id;
	unsigned long maps;
	unsigned long map_errors;
	unsigned long corrupt;
	struct completion done;
};

/* One round: map a random buffer, play the device, unmap, check the bytes. */
static void stress_round(struct stress_worker *w, struct rnd_state *rnd, u8 *mem)
{
	static const enum dma_data_direction dirs[] = {
		DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL,
	};
	enum dma_data_direction dir = dirs[prandom_u32_state(rnd) % ARRAY_SIZE(dirs)];
	size_t size = 1 + prandom_u32_state(rnd) % STRESS_MAX_SIZE;
	size_t off = prandom_u32_state(rnd) % 64;
	u32 seed = prandom_u32_state(rnd);
	u8 *buf = mem + off;
	dma_addr_t dma;

	fill_pattern(buf, size, seed);
	dma = dma_map_single(w->dev, buf, size, dir);
	if (dma_mapping_error(w->dev, dma)) {
		w->map_errors++;
		return;
	}
	w->maps++;
	if (pattern_mismatch(device_view(w->dev, dma), size, seed) >= 0)
		w->corrupt++;
	if (dir != DMA_TO_DEVICE)
		fill_pattern(device_view(w->dev, dma), size, seed + 1);
	dma_unmap_single(w->dev, dma, size, dir);
	if (pattern_mismatch(buf, size, dir == DMA_TO_DEVICE ? seed : seed + 1) >= 0)
		w->corrupt++;
}

static int stress_thread(void *data)
{
	struct stress_worker *w = data;
	struct rnd_state rnd;
	unsigned int i;
	u8 *mem;

	prandom_seed_state(&rnd, 0x5eed0000 + w->id);
	mem = kmalloc(STRESS_MAX_SIZE + 64, GFP_KERNEL);
	if (mem) {
		for (i = 0; i < STRESS_ROUNDS; i++) {
			stress_round(w, &rnd, mem);
			cond_resched();
		}
		kfree(mem);
	} else {
		w->map_errors = STRESS_ROUNDS;
	}
	complete(&w->done);
	return 0;
}

static void concurrent_mappings_keep_every_byte(struct kunit *test)
{
	struct device *dev = test_dev(test);
	unsigned long before = pool_used_slots(dev);
	struct stress_worker *w;
	struct task_struct *task;
	unsigned int i;

	w = kunit_kcalloc(test, STRESS_THREADS, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	for (i = 0; i < STRESS_THREADS; i++) {
		w[i].dev = dev;
		w[i].id = i;
		init_completion(&w[i].done);
		task = kthread_run(stress_thread, &w[i], "swiotlb-kunit/%u", i);
		if (IS_ERR(task)) {
			w[i].map_errors = STRESS_ROUNDS;
			complete(&w[i].done);
		}
	}
	for (i = 0; i < STRESS_THREADS; i++) {
		wait_for_completion(&w[i].done);
		KUNIT_EXPECT_EQ_MSG(test, w[i].maps, STRESS_ROUNDS, "thread %u", i);
		KUNIT_EXPECT_EQ_MSG(test, w[i].map_errors, 0, "thread %u", i);
		KUNIT_EXPECT_EQ_MSG(test, w[i].corrupt, 0, "thread %u", i);
	}
	KUNIT_EXPECT_EQ(test, pool_used_slots(dev), before);
	KUNIT_EXPECT_EQ(test, pool_transient_slots(dev), 0);
}

static struct kunit_case swiotlb_test_cases[] = {
	KUNIT_CASE(map_bounces_and_unmap_releases_slots),
	KUNIT_CASE(map_page_bounces_and_unmap_releases_slots),
	KUNIT_CASE(to_device_copies_in_at_map_and_not_back),
	KUNIT_CASE(from_device_copies_out_at_unmap_only),
	KUNIT_CASE(from_device_partial_write_keeps_unwritten_bytes),
	KUNIT_CASE(map_never_exposes_stale_bounce_data),
	KUNIT_CASE(bidirectional_copies_in_at_map_and_out_at_unmap),
	KUNIT_CASE(skip_cpu_sync_unmap_copies_nothing_back),
	KUNIT_CASE(sync_for_cpu_copies_device_data_before_unmap),
	KUNIT_CASE(sync_range_for_cpu_copies_exactly_the_range),
	KUNIT_CASE(sync_range_for_device_copies_exactly_the_range),
	KUNIT_CASE(min_align_mask_keeps_offset_in_aligned_unit),
	KUNIT_CASE(every_size_up_to_max_mapping_size_maps),
	KUNIT_CASE(one_byte_over_max_mapping_size_fails_cleanly),
	KUNIT_CASE_SLOW(oversubscription_is_served_by_transient_pools),
	KUNIT_CASE_SLOW(concurrent_mappings_keep_every_byte),
	{}
};

static struct kunit_suite swiotlb_test_suite = {
	.name = "swiotlb",
	.init = swiotlb_test_init,
	.test_cases = swiotlb_test_cases,
};

kunit_test_suite(swiotlb_test_suite);

MODULE_DESCRIPTION("Black-box KUnit tests of swiotlb bounce buffering");
MODULE_LICENSE("GPL");
