// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of a restricted DMA pool: the swiotlb that a device-tree
 * "restricted-dma-pool" reserved-memory region gives the devices naming it
 * in their memory-region. Such a device gets a bounce allocator of its own
 * (not the default one) that bounces every streaming mapping and serves its
 * coherent allocations too (swiotlb_alloc()/swiotlb_free()).
 *
 * The cases pin down:
 *   - dma_alloc_coherent() memory comes from inside the pool, and its DMA
 *     and physical addresses are aligned to the allocation's order, as the
 *     DMA API promises for every allocator;
 *   - dma_free_coherent() gives the slots back, and memory from the pool
 *     comes zeroed even where an earlier allocation left data;
 *   - streaming mappings of a kmalloc() buffer bounce into the pool (no
 *     transient pool), and sync and unmap copy exactly the buffer, both ways;
 *   - the pool never grows: once it is full, mappings and allocations fail
 *     cleanly, and everything is back after the unmaps.
 *
 * Requirements: a device-tree node compatible with
 * "swiotlb-test,restricted-dma-user" whose memory-region is a restricted DMA
 * pool of at least 1 MiB without "no-map" or "reusable" (mk/arm64-dtb.sh
 * adds a 4 MiB one to QEMU's virt machine for `make test ARCH=arm64`).
 * Each case registers a KUnit device with that node and attaches the pool
 * with of_reserved_mem_device_init(). Without the node (x86 has no device
 * tree) every case is skipped.
 *
 * The pool's usage is read as debugfs shows it (io_tlb_used of the pool's
 * directory) and, independently, from the slot allocator's areas.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_bytes.h"

#define RMEM_TEST_COMPATIBLE	"swiotlb-test,restricted-dma-user"

/* Bytes checked on each side of a buffer whose copies are checked. */
#define CANARY_LEN	32
#define CANARY_BYTE	0xc5

struct rmem_test {
	struct device_node *np;
	struct device *dev;
	bool attached;
};

static struct device *test_dev(struct kunit *test)
{
	return ((struct rmem_test *)test->priv)->dev;
}

static struct io_tlb_mem *test_mem(struct kunit *test)
{
	return test_dev(test)->dma_io_tlb_mem;
}

/* Slots in use in the pool, as debugfs shows them (io_tlb_used). */
static unsigned long used_slots(struct io_tlb_mem *mem)
{
	return swiotlb_stats_used(mem, SWIOTLB_USED_ALL);
}

/* The same, counted by the slot allocator's areas. */
static unsigned long area_used_slots(struct io_tlb_mem *mem)
{
	return swiotlb_mem_used(mem);
}

static unsigned int slots_for(size_t size)
{
	return DIV_ROUND_UP(size, IO_TLB_SIZE);
}

/* Pools of each kind added to the device's allocator so far. */
static u64 pools_added(struct device *dev, enum swiotlb_pool_kind kind)
{
	struct swiotlb_counters c;

	swiotlb_read_counters(dev, &c);
	return c.pools_added[kind];
}

static bool in_pool(struct io_tlb_mem *mem, phys_addr_t phys, size_t size)
{
	return phys >= mem->defpool.start && phys + size <= mem->defpool.end;
}

/* The bounce buffer behind @dma, as the device sees it. */
static u8 *device_view(struct device *dev, dma_addr_t dma)
{
	return phys_to_virt(dma_to_phys(dev, dma));
}

static int rmem_test_init(struct kunit *test)
{
	struct rmem_test *t;
	struct device_node *np;
	struct device *dev;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	np = of_find_compatible_node(NULL, NULL, RMEM_TEST_COMPATIBLE);
	if (!np)
		kunit_skip(test, "no device-tree node \"%s\" with a restricted DMA pool",
			   RMEM_TEST_COMPATIBLE);
	t->np = np;

	dev = kunit_device_register(test, "swiotlb-rmem-kunit");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(dev), "cannot register a test device");
	device_set_node(dev, of_fwnode_handle(np));
	t->dev = dev;
	ret = of_reserved_mem_device_init(dev);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%pOF: no restricted DMA pool attached", np);
	t->attached = true;

	KUNIT_ASSERT_PTR_NE(test, dev->dma_io_tlb_mem, &io_tlb_default_mem);
	KUNIT_ASSERT_TRUE(test, is_swiotlb_for_alloc(dev));
	KUNIT_ASSERT_TRUE(test, is_swiotlb_force_bounce(dev));
	KUNIT_ASSERT_GE(test, dev->dma_io_tlb_mem->nslabs, SWIOTLB_MIN_NSLABS);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	return 0;
}

static void rmem_test_exit(struct kunit *test)
{
	struct rmem_test *t = test->priv;

	if (!t)
		return;
	if (t->attached)
		of_reserved_mem_device_release(t->dev);
	/* KUnit unregisters the device after this: it must not keep the node. */
	if (t->dev)
		device_set_node(t->dev, NULL);
	of_node_put(t->np);
}

/* ---- Coherent allocations ---- */

/*
 * dma_alloc_coherent() returns memory aligned to the order of its size, in
 * DMA and physical address alike, whatever the allocator behind it. Each
 * size is allocated ALIGN_ROUNDS times, all held together, with one more
 * one-page allocation between each and the next, so that they start at
 * different offsets of whatever the allocator aligns to.
 */
#define ALIGN_ROUNDS	4
#define ALIGN_SPACERS	(ALIGN_ROUNDS * (ALIGN_ROUNDS - 1) / 2)

static void coherent_alloc_is_in_pool_and_aligned_to_its_order(struct kunit *test)
{
	static const size_t pages[] = { 0, 1, 3, 5, 16, 64 };
	struct device *dev = test_dev(test);
	struct io_tlb_mem *mem = test_mem(test);
	unsigned long before = used_slots(mem);
	unsigned int i, r, s;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		size_t size = pages[i] ? pages[i] * PAGE_SIZE : 1;
		size_t align = PAGE_SIZE << get_order(size);
		void *cpu[ALIGN_ROUNDS] = {}, *spacer[ALIGN_SPACERS] = {};
		dma_addr_t dma[ALIGN_ROUNDS], spacer_dma[ALIGN_SPACERS];
		unsigned int nspacers = 0;

		if (size > SWIOTLB_MAX_ALLOC ||
		    ALIGN_ROUNDS * size > (mem->defpool.nslabs << IO_TLB_SHIFT) / 2) {
			kunit_info(test, "size %zu: larger than this pool allows, not tried\n",
				   size);
			continue;
		}
		for (r = 0; r < ALIGN_ROUNDS; r++) {
			phys_addr_t phys;

			for (s = 0; s < r; s++, nspacers++) {
				spacer[nspacers] = dma_alloc_coherent(dev, PAGE_SIZE,
								      &spacer_dma[nspacers],
								      GFP_KERNEL);
				KUNIT_EXPECT_NOT_NULL(test, spacer[nspacers]);
			}
			cpu[r] = dma_alloc_coherent(dev, size, &dma[r], GFP_KERNEL);
			KUNIT_EXPECT_NOT_NULL_MSG(test, cpu[r], "size %zu, allocation %u", size, r);
			if (!cpu[r])
				continue;
			phys = dma_to_phys(dev, dma[r]);
			KUNIT_EXPECT_TRUE_MSG(test, in_pool(mem, phys, size),
					      "size %zu, allocation %u at %pa: not inside the pool",
					      size, r, &phys);
			KUNIT_EXPECT_EQ_MSG(test, dma[r] & (align - 1), 0,
					    "size %zu (order %u), allocation %u: DMA address %pad not aligned to %zu",
					    size, get_order(size), r, &dma[r], align);
			KUNIT_EXPECT_EQ_MSG(test, phys & (align - 1), 0,
					    "size %zu (order %u), allocation %u: physical address %pa not aligned to %zu",
					    size, get_order(size), r, &phys, align);
		}
		for (r = 0; r < ALIGN_ROUNDS; r++)
			if (cpu[r])
				dma_free_coherent(dev, size, cpu[r], dma[r]);
		for (s = 0; s < nspacers; s++)
			if (spacer[s])
				dma_free_coherent(dev, PAGE_SIZE, spacer[s], spacer_dma[s]);
		KUNIT_EXPECT_EQ_MSG(test, used_slots(mem), before, "after size %zu", size);
	}
}

/*
 * dma_free_coherent() gives back every slot the allocation took, in any
 * order of frees: the pool's usage returns to where it was, in the counter
 * debugfs shows and in the allocator's areas alike.
 */
static void coherent_free_gives_the_slots_back(struct kunit *test)
{
	static const size_t sizes[] = { 1, PAGE_SIZE, 5 * PAGE_SIZE, SZ_64K + 1, SZ_128K };
	/* The order of the frees: the middle first, the first last. */
	static const unsigned int free_order[] = { 2, 4, 1, 3, 0 };
	struct device *dev = test_dev(test);
	struct io_tlb_mem *mem = test_mem(test);
	unsigned long before = used_slots(mem), before_areas = area_used_slots(mem);
	void *cpu[ARRAY_SIZE(sizes)];
	dma_addr_t dma[ARRAY_SIZE(sizes)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned long used = used_slots(mem);

		cpu[i] = dma_alloc_coherent(dev, sizes[i], &dma[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, cpu[i], "size %zu", sizes[i]);
		KUNIT_EXPECT_GE_MSG(test, used_slots(mem),
				    used + slots_for(PAGE_ALIGN(sizes[i])), "size %zu", sizes[i]);
	}
	KUNIT_EXPECT_EQ(test, area_used_slots(mem) - before_areas, used_slots(mem) - before);

	for (i = 0; i < ARRAY_SIZE(free_order); i++) {
		unsigned int k = free_order[i];

		dma_free_coherent(dev, sizes[k], cpu[k], dma[k]);
	}
	KUNIT_EXPECT_EQ(test, used_slots(mem), before);
	KUNIT_EXPECT_EQ(test, area_used_slots(mem), before_areas);

	/* Once more, one at a time. */
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		cpu[i] = dma_alloc_coherent(dev, sizes[i], &dma[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, cpu[i], "size %zu", sizes[i]);
		dma_free_coherent(dev, sizes[i], cpu[i], dma[i]);
		KUNIT_EXPECT_EQ_MSG(test, used_slots(mem), before, "size %zu", sizes[i]);
		KUNIT_EXPECT_EQ_MSG(test, area_used_slots(mem), before_areas, "size %zu", sizes[i]);
	}
}

/* Memory from the pool is zeroed, even where an earlier allocation wrote. */
static void coherent_alloc_from_pool_is_zeroed(struct kunit *test)
{
	struct device *dev = test_dev(test);
	size_t size = 5 * PAGE_SIZE;
	dma_addr_t dma;
	unsigned int i;
	void *cpu;

	for (i = 0; i < 3; i++) {
		cpu = dma_alloc_coherent(dev, size, &dma, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, cpu);
		KUNIT_EXPECT_EQ_MSG(test, byte_mismatch(cpu, size, 0), -1, "allocation %u", i);
		memset(cpu, 0x5a, size);
		dma_free_coherent(dev, size, cpu, dma);
	}
}

/* ---- Streaming mappings ---- */

/*
 * A streaming mapping of a kmalloc() buffer bounces into the restricted
 * pool itself (not a transient pool), and its data makes the round trip:
 * in at map and sync_for_device, out at sync_for_cpu and unmap, exactly the
 * mapped bytes and none around them.
 */
static void streaming_map_bounces_into_the_pool_both_ways(struct kunit *test)
{
	static const size_t sizes[] = { 1, 100, IO_TLB_SIZE + 1, PAGE_SIZE, 3 * IO_TLB_SIZE + 5,
					SZ_64K };
	struct device *dev = test_dev(test);
	struct io_tlb_mem *mem = test_mem(test);
	unsigned long before = used_slots(mem);
	u64 transient = pools_added(dev, SWIOTLB_POOL_TRANSIENT);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		u8 *mem_buf = kunit_kmalloc(test, size + 2 * CANARY_LEN, GFP_KERNEL);
		u8 *buf = mem_buf + CANARY_LEN;
		phys_addr_t phys;
		dma_addr_t dma;

		KUNIT_ASSERT_NOT_NULL(test, mem_buf);
		memset(mem_buf, CANARY_BYTE, size + 2 * CANARY_LEN);
		fill_pattern(buf, size, 4 * i);

		dma = dma_map_single(dev, buf, size, DMA_BIDIRECTIONAL);
		KUNIT_ASSERT_FALSE_MSG(test, dma_mapping_error(dev, dma), "size %zu", size);
		phys = dma_to_phys(dev, dma);
		KUNIT_EXPECT_TRUE_MSG(test, in_pool(mem, phys, size),
				      "size %zu: bounce buffer %pa outside the pool [%pa, %pa)",
				      size, &phys, &mem->defpool.start, &mem->defpool.end);
		KUNIT_EXPECT_EQ_MSG(test, swiotlb_mapping_kind(dev, dma), SWIOTLB_POOL_DEFAULT,
				    "size %zu", size);
		KUNIT_EXPECT_EQ_MSG(test, used_slots(mem), before + slots_for(size),
				    "size %zu", size);
		/* In at map. */
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(device_view(dev, dma), size, 4 * i), -1,
				    "size %zu: map", size);

		/* Out at sync_for_cpu, and nothing around the buffer. */
		fill_pattern(device_view(dev, dma), size, 4 * i + 1);
		dma_sync_single_for_cpu(dev, dma, size, DMA_BIDIRECTIONAL);
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(buf, size, 4 * i + 1), -1,
				    "size %zu: sync_for_cpu", size);
		KUNIT_EXPECT_EQ_MSG(test, byte_mismatch(mem_buf, CANARY_LEN, CANARY_BYTE), -1,
				    "size %zu: canary before the buffer", size);
		KUNIT_EXPECT_EQ_MSG(test, byte_mismatch(buf + size, CANARY_LEN, CANARY_BYTE), -1,
				    "size %zu: canary after the buffer", size);

		/* In again at sync_for_device. */
		fill_pattern(buf, size, 4 * i + 2);
		dma_sync_single_for_device(dev, dma, size, DMA_BIDIRECTIONAL);
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(device_view(dev, dma), size, 4 * i + 2),
				    -1, "size %zu: sync_for_device", size);

		/* Out at unmap. */
		fill_pattern(device_view(dev, dma), size, 4 * i + 3);
		dma_unmap_single(dev, dma, size, DMA_BIDIRECTIONAL);
		KUNIT_EXPECT_EQ_MSG(test, pattern_mismatch(buf, size, 4 * i + 3), -1,
				    "size %zu: unmap", size);
		KUNIT_EXPECT_EQ_MSG(test, byte_mismatch(mem_buf, CANARY_LEN, CANARY_BYTE), -1,
				    "size %zu: canary before the buffer", size);
		KUNIT_EXPECT_EQ_MSG(test, byte_mismatch(buf + size, CANARY_LEN, CANARY_BYTE), -1,
				    "size %zu: canary after the buffer", size);
		KUNIT_EXPECT_EQ_MSG(test, used_slots(mem), before, "size %zu", size);
	}
	KUNIT_EXPECT_EQ(test, pools_added(dev, SWIOTLB_POOL_TRANSIENT), transient);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&mem->transient_nslabs), 0);
}

/* ---- The pool never grows ---- */

/*
 * Filling the pool with mappings makes the next mapping, and the next
 * coherent allocation, fail cleanly: no dynamic or transient pool is added
 * for a restricted pool, not even later. Unmapping gives everything back.
 */
static void full_pool_fails_maps_and_never_grows(struct kunit *test)
{
	struct device *dev = test_dev(test);
	struct io_tlb_mem *mem = test_mem(test);
	size_t max = dma_max_mapping_size(dev);
	unsigned long nslabs = mem->nslabs, before = used_slots(mem);
	u64 dynamic = pools_added(dev, SWIOTLB_POOL_DYNAMIC);
	u64 transient = pools_added(dev, SWIOTLB_POOL_TRANSIENT);
	unsigned long limit = nslabs - before + 1;
	unsigned int nmaps = 0, nlarge, i;
	dma_addr_t *dma, extra;
	dma_addr_t cdma;
	u8 *buf;
	void *cpu;

	KUNIT_ASSERT_GE(test, max, (size_t)IO_TLB_SIZE);
	dma = kunit_kcalloc(test, limit, sizeof(*dma), GFP_KERNEL);
	buf = kunit_kmalloc(test, max, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dma);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	fill_pattern(buf, max, 7);

	/* Largest mappings first, then single slots for what is left. */
	while (nmaps < limit) {
		dma[nmaps] = dma_map_single_attrs(dev, buf, max, DMA_TO_DEVICE, DMA_ATTR_NO_WARN);
		if (dma_mapping_error(dev, dma[nmaps]))
			break;
		nmaps++;
	}
	nlarge = nmaps;
	while (nmaps < limit) {
		dma[nmaps] = dma_map_single_attrs(dev, buf, IO_TLB_SIZE, DMA_TO_DEVICE,
						  DMA_ATTR_NO_WARN);
		if (dma_mapping_error(dev, dma[nmaps]))
			break;
		nmaps++;
	}
	KUNIT_EXPECT_LT_MSG(test, nmaps, limit, "more mappings than the pool has slots");
	KUNIT_EXPECT_EQ(test, used_slots(mem), nslabs);
	KUNIT_EXPECT_EQ(test, area_used_slots(mem), nslabs);

	extra = dma_map_single_attrs(dev, buf, 1, DMA_TO_DEVICE, DMA_ATTR_NO_WARN);
	KUNIT_EXPECT_TRUE(test, dma_mapping_error(dev, extra));
	if (!dma_mapping_error(dev, extra))
		dma_unmap_single(dev, extra, 1, DMA_TO_DEVICE);
	cpu = dma_alloc_coherent(dev, PAGE_SIZE, &cdma, GFP_KERNEL | __GFP_NOWARN);
	KUNIT_EXPECT_NULL(test, cpu);
	if (cpu)
		dma_free_coherent(dev, PAGE_SIZE, cpu, cdma);

#ifdef CONFIG_SWIOTLB_DYNAMIC
	/* Whatever a full pool might have asked for is done by now. */
	flush_work(&mem->grow_work);
#endif
	KUNIT_EXPECT_EQ(test, mem->nslabs, nslabs);
	KUNIT_EXPECT_EQ(test, pools_added(dev, SWIOTLB_POOL_DYNAMIC), dynamic);
	KUNIT_EXPECT_EQ(test, pools_added(dev, SWIOTLB_POOL_TRANSIENT), transient);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&mem->transient_nslabs), 0);

	for (i = 0; i < nmaps; i++)
		dma_unmap_single(dev, dma[i], i < nlarge ? max : IO_TLB_SIZE, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, used_slots(mem), before);
	KUNIT_EXPECT_EQ(test, area_used_slots(mem), before);
	KUNIT_EXPECT_EQ(test, mem->nslabs, nslabs);

	/* The pool works again. */
	extra = dma_map_single(dev, buf, max, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, extra));
	KUNIT_EXPECT_EQ(test, pattern_mismatch(device_view(dev, extra), max, 7), -1);
	dma_unmap_single(dev, extra, max, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, used_slots(mem), before);
}

static struct kunit_case swiotlb_rmem_test_cases[] = {
	KUNIT_CASE(coherent_alloc_is_in_pool_and_aligned_to_its_order),
	KUNIT_CASE(coherent_free_gives_the_slots_back),
	KUNIT_CASE(coherent_alloc_from_pool_is_zeroed),
	KUNIT_CASE(streaming_map_bounces_into_the_pool_both_ways),
	KUNIT_CASE(full_pool_fails_maps_and_never_grows),
	{}
};

static struct kunit_suite swiotlb_rmem_test_suite = {
	.name = "swiotlb_restricted_pool",
	.init = rmem_test_init,
	.exit = rmem_test_exit,
	.test_cases = swiotlb_rmem_test_cases,
};

kunit_test_suite(swiotlb_rmem_test_suite);

MODULE_DESCRIPTION("KUnit tests of swiotlb restricted DMA pools");
MODULE_LICENSE("GPL");
