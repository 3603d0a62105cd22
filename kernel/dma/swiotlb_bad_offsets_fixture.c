// SPDX-License-Identifier: GPL-2.0
/*
 * The fixture of the swiotlb_bad_offsets catalogue (the rules and the cases
 * are in swiotlb_bad_offsets_kunit.c, which says what they pin down): for
 * each round, a test device with a fresh one-area pool, the fixed layout of
 * two mappings checked from the addresses the maps return, canary bytes
 * around the caller's buffers and in the pool outside the mappings, the call
 * through one entry point, and the checks of every byte on both sides, of
 * the wrong-call warnings and of the slots in use; then the proper unmaps.
 *
 * Locking: none of its own. A case owns its test device and its pool;
 * swiotlb_kunit_log.h's lock protects the captured warnings.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/hash.h>
#include <linux/minmax.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "swiotlb_bad_offsets.h"
#include "swiotlb_internal.h"
#include "swiotlb_kunit_log.h"

#define BO_POOL_SLOTS	16
#define BO_CANARY	64	/* canary bytes at least, each side of a caller's range */
#define BO_CALLER_CANARY 0xc5	/* the caller's allocation, outside its mapped range */
#define BO_POOL_CANARY	0xe7	/* the pool, outside the live mappings */
#define BO_SPACER	100
#define BO_A_SIZE	3000	/* two slots, the last one partly used */
#define BO_A_PADDED_SIZE 1000	/* a padding slot and the head slot */
#define BO_B_SIZE	IO_TLB_SIZE	/* exactly one slot */
#define BO_MIN_ALIGN_MASK (SZ_4K - 1)

/* In-page offsets of the caller's buffers, which a min_align_mask keeps. */
static const unsigned int bo_a_page_offset[] = {
	[BO_PLAIN] = 0x100, [BO_MIN_ALIGN] = 0xa40, [BO_PADDED] = 0xa00,
};

static const unsigned int bo_b_page_offset[] = {
	[BO_PLAIN] = 0x800, [BO_MIN_ALIGN] = 0x800, [BO_PADDED] = 0,
};

enum bo_entry {
	BO_SINGLE_FOR_CPU,
	BO_SG_FOR_CPU,
	BO_SINGLE_FOR_DEVICE,
	BO_SG_FOR_DEVICE,
	BO_UNMAP_SINGLE,
	BO_UNMAP_PAGE,
	BO_UNMAP_SG,
};

static const char * const bo_entry_name[] = {
	[BO_SINGLE_FOR_CPU] = "dma_sync_single_for_cpu",
	[BO_SG_FOR_CPU] = "dma_sync_sg_for_cpu",
	[BO_SINGLE_FOR_DEVICE] = "dma_sync_single_for_device",
	[BO_SG_FOR_DEVICE] = "dma_sync_sg_for_device",
	[BO_UNMAP_SINGLE] = "dma_unmap_single",
	[BO_UNMAP_PAGE] = "dma_unmap_page",
	[BO_UNMAP_SG] = "dma_unmap_sg",
};

static const enum bo_entry bo_family_entries[][3] = {
	[BO_SYNC_FOR_CPU] = { BO_SINGLE_FOR_CPU, BO_SG_FOR_CPU },
	[BO_SYNC_FOR_DEVICE] = { BO_SINGLE_FOR_DEVICE, BO_SG_FOR_DEVICE },
	[BO_UNMAP] = { BO_UNMAP_SINGLE, BO_UNMAP_PAGE, BO_UNMAP_SG },
};

static const unsigned int bo_family_nentries[] = {
	[BO_SYNC_FOR_CPU] = 2, [BO_SYNC_FOR_DEVICE] = 2, [BO_UNMAP] = 3,
};

/* Directions each family runs in, unless a case says otherwise. */
static const enum dma_data_direction bo_family_dirs[][3] = {
	[BO_SYNC_FOR_CPU] = { DMA_BIDIRECTIONAL, DMA_FROM_DEVICE },
	[BO_SYNC_FOR_DEVICE] = { DMA_BIDIRECTIONAL, DMA_TO_DEVICE },
	[BO_UNMAP] = { DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL },
};

static const unsigned int bo_family_ndirs[] = {
	[BO_SYNC_FOR_CPU] = 2, [BO_SYNC_FOR_DEVICE] = 2, [BO_UNMAP] = 3,
};

/* A caller's buffer: an allocation of canary bytes around the mapped range. */
struct bo_map {
	u8 *alloc;
	size_t alloc_len;
	u8 *data;
	size_t size;
	dma_addr_t dma;
	phys_addr_t phys;
	bool by_core;		/* mapped with swiotlb_tbl_map_single() */
	bool live;
	unsigned int nslots;
	u8 *caller_exp;		/* what data[] must hold */
	u8 *bounce_exp;		/* what the bounce buffer must hold */
};

struct bo_ctx {
	struct kunit *test;
	struct device *dev;
	struct io_tlb_pool *pool;
	struct bo_map map[2];
	enum dma_data_direction dir;	/* of the maps */
	enum bo_entry entry;
	unsigned long used;		/* slots that must be in use */
};

/* What the device wrote at offset @i of mapping @id, and what the caller had. */
static u8 bo_device_byte(int id, size_t i)
{
	return 0x80 | hash_32((id << 16) ^ i, 6);
}

static u8 bo_caller_byte(int id, size_t i)
{
	return 0x40 | hash_32((id << 16) ^ i ^ 0x5a5a, 6);
}

static const char *bo_dir_name(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return "to-device";
	case DMA_FROM_DEVICE:
		return "from-device";
	case DMA_BIDIRECTIONAL:
		return "bidirectional";
	default:
		return "none";
	}
}

static bool bo_copies_out(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool bo_copies_in(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/*
 * The first byte of @got[0, @n) that is not what @want says (@want NULL:
 * every byte is @fill); a failure naming @what, the entry point and the
 * direction if there is one.
 */
static bool bo_check(struct bo_ctx *ctx, const char *what, const u8 *got,
		     const u8 *want, u8 fill, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		u8 w = want ? want[i] : fill;

		if (got[i] != w) {
			KUNIT_FAIL(ctx->test, "%s, %s: byte %zu of %s is %#x, not %#x",
				   bo_entry_name[ctx->entry], bo_dir_name(ctx->dir), i,
				   what, got[i], w);
			return false;
		}
	}
	return true;
}

/* Every byte of both sides: canaries, and the mappings as the model says. */
static void bo_check_memory(struct bo_ctx *ctx, const char *when)
{
	struct io_tlb_pool *pool = ctx->pool;
	size_t pool_bytes = pool->nslabs << IO_TLB_SHIFT;
	char what[64];
	size_t from = 0;
	int m;

	for (m = 0; m < 2; m++) {
		struct bo_map *map = &ctx->map[m];
		size_t head = map->data - map->alloc;
		size_t at = map->phys - pool->start;

		snprintf(what, sizeof(what), "%c's caller buffer %s", 'A' + m, when);
		bo_check(ctx, what, map->data, map->caller_exp, 0, map->size);
		snprintf(what, sizeof(what), "the canary before %c's caller buffer %s",
			 'A' + m, when);
		bo_check(ctx, what, map->alloc, NULL, BO_CALLER_CANARY, head);
		snprintf(what, sizeof(what), "the canary after %c's caller buffer %s",
			 'A' + m, when);
		bo_check(ctx, what, map->data + map->size, NULL, BO_CALLER_CANARY,
			 map->alloc_len - head - map->size);

		/* The bounce side: A lies below B. */
		snprintf(what, sizeof(what), "the pool before %c, %s", 'A' + m, when);
		bo_check(ctx, what, pool->vaddr + from, NULL, BO_POOL_CANARY, at - from);
		if (map->live) {
			snprintf(what, sizeof(what), "%c's bounce buffer %s", 'A' + m, when);
			bo_check(ctx, what, pool->vaddr + at, map->bounce_exp, 0, map->size);
		}
		from = at + map->size;
	}
	bo_check(ctx, "the pool after B", pool->vaddr + from, NULL, BO_POOL_CANARY,
		 pool_bytes - from);
}

/* The slots in use, seen by the allocator, its bitmap and the counters. */
static void bo_check_used(struct bo_ctx *ctx, const char *when)
{
	struct io_tlb_pool *pool = ctx->pool;
	struct swiotlb_counters c;

	KUNIT_EXPECT_EQ_MSG(ctx->test, swiotlb_slots_used(pool), ctx->used,
			    "%s, %s: slots in use %s", bo_entry_name[ctx->entry],
			    bo_dir_name(ctx->dir), when);
	KUNIT_EXPECT_EQ_MSG(ctx->test, bitmap_weight(pool->busy, pool->nslabs),
			    (unsigned int)ctx->used, "%s, %s: busy slots %s",
			    bo_entry_name[ctx->entry], bo_dir_name(ctx->dir), when);
	KUNIT_ASSERT_EQ(ctx->test, swiotlb_read_counters(ctx->dev, &c), 0);
	KUNIT_EXPECT_EQ_MSG(ctx->test, c.used[SWIOTLB_POOL_DEFAULT], (u64)ctx->used,
			    "%s, %s: slots counted in use %s", bo_entry_name[ctx->entry],
			    bo_dir_name(ctx->dir), when);
}

/* A caller's buffer of @size bytes at @page_offset into a page, canaries around. */
static void bo_caller_alloc(struct bo_ctx *ctx, struct bo_map *map, int id,
			    size_t size, unsigned int page_offset)
{
	struct kunit *test = ctx->test;
	size_t i;

	map->size = size;
	map->alloc_len = 2 * PAGE_SIZE + size + 2 * BO_CANARY;
	map->alloc = kunit_kmalloc(test, map->alloc_len, GFP_KERNEL);
	map->caller_exp = kunit_kmalloc(test, size, GFP_KERNEL);
	map->bounce_exp = kunit_kmalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, map->alloc);
	KUNIT_ASSERT_NOT_NULL(test, map->caller_exp);
	KUNIT_ASSERT_NOT_NULL(test, map->bounce_exp);
	map->data = PTR_ALIGN(map->alloc + BO_CANARY, PAGE_SIZE) + page_offset;
	memset(map->alloc, BO_CALLER_CANARY, map->alloc_len);
	for (i = 0; i < size; i++) {
		map->data[i] = bo_caller_byte(id, i);
		map->caller_exp[i] = map->data[i];
		map->bounce_exp[i] = bo_device_byte(id, i);
	}
}

static void bo_map_single(struct bo_ctx *ctx, struct bo_map *map,
			  enum dma_data_direction dir)
{
	map->dma = dma_map_single(ctx->dev, map->data, map->size, dir);
	KUNIT_ASSERT_FALSE(ctx->test, dma_mapping_error(ctx->dev, map->dma));
	map->phys = dma_to_phys(ctx->dev, map->dma);
	map->live = true;
}

static unsigned long bo_slot(struct bo_ctx *ctx, phys_addr_t addr)
{
	return swiotlb_slot_index(ctx->pool, addr);
}

/*
 * Map the spacer, A and B, unmap the spacer; check the layout from the
 * addresses: A's run starts at slot 1 or later with a free slot before it,
 * B's slot follows A's last slot, the slot after B is free.
 */
static void bo_layout(struct bo_ctx *ctx, enum bo_fixture fixture)
{
	struct kunit *test = ctx->test;
	struct device *dev = ctx->dev;
	struct bo_map *a = &ctx->map[BO_A], *b = &ctx->map[BO_B];
	struct bo_map spacer = {};
	unsigned long first_a, last_a;
	unsigned int pad = fixture == BO_PADDED;

	KUNIT_ASSERT_EQ(test, swiotlb_slots_used(ctx->pool), 0UL);
	/*
	 * The area hands its slots out in turn, from the one after its last
	 * run: start this layout (one per direction) at the pool's start.
	 */
	ctx->pool->areas[0].next = 0;
	dma_set_min_align_mask(dev, fixture == BO_PLAIN ? 0 : BO_MIN_ALIGN_MASK);

	bo_caller_alloc(ctx, &spacer, 2, BO_SPACER, 0);
	bo_caller_alloc(ctx, a, BO_A, fixture == BO_PADDED ? BO_A_PADDED_SIZE : BO_A_SIZE,
			bo_a_page_offset[fixture]);
	bo_caller_alloc(ctx, b, BO_B, BO_B_SIZE, bo_b_page_offset[fixture]);

	bo_map_single(ctx, &spacer, DMA_TO_DEVICE);
	KUNIT_ASSERT_EQ(test, spacer.phys, ctx->pool->start);
	if (fixture == BO_PADDED) {
		/* As dma-iommu maps with an IOVA granule of 4 KiB. */
		a->phys = swiotlb_tbl_map_single(dev, virt_to_phys(a->data), a->size,
						 SZ_4K - 1, ctx->dir, 0);
		KUNIT_ASSERT_NE(test, a->phys, (phys_addr_t)DMA_MAPPING_ERROR);
		a->dma = phys_to_dma(dev, a->phys);
		a->by_core = true;
		a->live = true;
	} else {
		bo_map_single(ctx, a, ctx->dir);
	}
	bo_map_single(ctx, b, ctx->dir);
	dma_unmap_single(dev, spacer.dma, BO_SPACER, DMA_TO_DEVICE);

	KUNIT_ASSERT_PTR_EQ(test, swiotlb_find_pool(dev, a->phys), ctx->pool);
	KUNIT_ASSERT_PTR_EQ(test, swiotlb_find_pool(dev, b->phys), ctx->pool);
	first_a = bo_slot(ctx, a->phys) - pad;
	last_a = bo_slot(ctx, a->phys + a->size - 1);
	KUNIT_ASSERT_GE(test, first_a, 1UL);
	KUNIT_ASSERT_FALSE_MSG(test, test_bit(first_a - 1, ctx->pool->busy),
			       "the slot before A is in use");
	KUNIT_ASSERT_EQ_MSG(test, bo_slot(ctx, b->phys), last_a + 1,
			    "B does not follow A in the pool");
	KUNIT_ASSERT_EQ(test, b->phys & (IO_TLB_SIZE - 1), 0ULL);
	KUNIT_ASSERT_FALSE_MSG(test, test_bit(bo_slot(ctx, b->phys) + 1, ctx->pool->busy),
			       "the slot after B is in use");
	if (fixture == BO_MIN_ALIGN)
		KUNIT_ASSERT_EQ(test, a->phys & (IO_TLB_SIZE - 1), 0x240ULL);
	if (fixture == BO_PADDED) {
		KUNIT_ASSERT_EQ(test, a->phys & (IO_TLB_SIZE - 1), 0x200ULL);
		KUNIT_ASSERT_TRUE_MSG(test, test_bit(first_a, ctx->pool->busy),
				      "A took no padding slot");
	}
	a->nslots = last_a - first_a + 1;
	b->nslots = 1;
	ctx->used = a->nslots + b->nslots;
	bo_check_used(ctx, "after the maps");

	/* The device writes its pattern; everything else in the pool is canary. */
	memset(ctx->pool->vaddr, BO_POOL_CANARY, ctx->pool->nslabs << IO_TLB_SHIFT);
	memcpy(ctx->pool->vaddr + (a->phys - ctx->pool->start), a->bounce_exp, a->size);
	memcpy(ctx->pool->vaddr + (b->phys - ctx->pool->start), b->bounce_exp, b->size);
}

/* The model of a copy by a sync at @addr of @len bytes, toward the CPU or not. */
static void bo_expect_copy(struct bo_ctx *ctx, enum bo_target t, dma_addr_t addr,
			   size_t len, bool to_cpu)
{
	struct bo_map *map;
	size_t off, n;

	if (t == BO_NONE)
		return;
	map = &ctx->map[t];
	off = addr - map->dma;
	KUNIT_ASSERT_LT(ctx->test, off, map->size);
	n = min(len, map->size - off);
	if (to_cpu)
		memcpy(map->caller_exp + off, map->bounce_exp + off, n);
	else
		memcpy(map->bounce_exp + off, map->caller_exp + off, n);
}

/* Unmap properly, as the driver would, and expect the copy back. */
static void bo_unmap(struct bo_ctx *ctx, struct bo_map *map)
{
	if (map->by_core)
		swiotlb_tbl_unmap_single(ctx->dev, map->phys, map->size, ctx->dir, 0);
	else
		dma_unmap_single(ctx->dev, map->dma, map->size, ctx->dir);
	if (bo_copies_out(ctx->dir))
		memcpy(map->caller_exp, map->bounce_exp, map->size);
	map->live = false;
	ctx->used -= map->nslots;
}

static dma_addr_t bo_addr(struct bo_ctx *ctx, const struct bo_rule *r)
{
	struct bo_map *a = &ctx->map[BO_A], *b = &ctx->map[BO_B];

	switch (r->base) {
	case BO_A_BUF:
		return a->dma + r->delta;
	case BO_A_END:
		return a->dma + a->size + r->delta;
	case BO_A_PAD:
		return ALIGN_DOWN(a->dma, IO_TLB_SIZE) - IO_TLB_SIZE + r->delta;
	case BO_B_BUF:
		return b->dma + r->delta;
	case BO_B_END:
		return b->dma + b->size + r->delta;
	}
	return DMA_MAPPING_ERROR;
}

static size_t bo_len(struct bo_ctx *ctx, const struct bo_rule *r, dma_addr_t addr)
{
	switch (r->len_kind) {
	case BO_LEN_A:
		return ctx->map[BO_A].size + r->len;
	case BO_LEN_WRAP:
		return (size_t)0 - addr + 64;
	default:
		return r->len;
	}
}

static enum dma_data_direction bo_other_dir(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return DMA_FROM_DEVICE;
	case DMA_FROM_DEVICE:
		return DMA_BIDIRECTIONAL;
	default:
		return DMA_TO_DEVICE;
	}
}

static void bo_sg(struct scatterlist *sg, struct bo_ctx *ctx, dma_addr_t addr,
		  size_t len)
{
	/* The page is the caller's, any valid one: swiotlb goes by the DMA address. */
	sg_init_table(sg, 1);
	sg_set_buf(sg, ctx->map[BO_A].data, len);
	sg_dma_address(sg) = addr;
	sg_dma_len(sg) = len;
}

static void bo_call(struct bo_ctx *ctx, dma_addr_t addr, size_t len,
		    enum dma_data_direction dir)
{
	struct device *dev = ctx->dev;
	struct scatterlist sg;

	bracket_wrong_call(true);
	switch (ctx->entry) {
	case BO_SINGLE_FOR_CPU:
		dma_sync_single_for_cpu(dev, addr, len, dir);
		break;
	case BO_SG_FOR_CPU:
		bo_sg(&sg, ctx, addr, len);
		dma_sync_sg_for_cpu(dev, &sg, 1, dir);
		break;
	case BO_SINGLE_FOR_DEVICE:
		dma_sync_single_for_device(dev, addr, len, dir);
		break;
	case BO_SG_FOR_DEVICE:
		bo_sg(&sg, ctx, addr, len);
		dma_sync_sg_for_device(dev, &sg, 1, dir);
		break;
	case BO_UNMAP_SINGLE:
		dma_unmap_single(dev, addr, len, dir);
		break;
	case BO_UNMAP_PAGE:
		dma_unmap_page(dev, addr, len, dir);
		break;
	case BO_UNMAP_SG:
		bo_sg(&sg, ctx, addr, len);
		dma_unmap_sg(dev, &sg, 1, dir);
		break;
	}
	bracket_wrong_call(false);
}

static bool bo_is_sg(enum bo_entry entry)
{
	return entry == BO_SG_FOR_CPU || entry == BO_SG_FOR_DEVICE || entry == BO_UNMAP_SG;
}

/* One round: a fresh layout, the call through @entry, every check. */
static void bo_round(struct kunit *test, const struct bo_rule *r, enum bo_entry entry,
		     enum dma_data_direction dir)
{
	struct bo_ctx *ctx = test->priv;
	enum dma_data_direction call_dir = r->other_dir ? bo_other_dir(dir) : dir;
	const char *warns[2] = {};
	unsigned int nwarns = 0, i;
	dma_addr_t addr;
	size_t len;
	bool to_cpu;

	memset(ctx->map, 0, sizeof(ctx->map));
	ctx->dir = dir;
	ctx->entry = entry;
	wrong_call_log_clear();
	bo_layout(ctx, r->fixture);
	if (r->unmap_a_first)
		bo_unmap(ctx, &ctx->map[BO_A]);
	KUNIT_ASSERT_EQ_MSG(test, wrong_call_log_count(), 0U, "warnings before the call");

	addr = bo_addr(ctx, r);
	len = bo_len(ctx, r, addr);
	if (bo_is_sg(entry) && len > UINT_MAX) {
		/* A scatterlist entry cannot hold it: nothing to call. */
		goto unmap;
	}

	bo_call(ctx, addr, len, call_dir);

	/* The sync, or the sync for the CPU that dma-direct does before an unmap. */
	to_cpu = entry != BO_SINGLE_FOR_DEVICE && entry != BO_SG_FOR_DEVICE;
	if (to_cpu ? bo_copies_out(call_dir) : bo_copies_in(call_dir)) {
		bo_expect_copy(ctx, r->acts_on, addr, len, to_cpu);
		if (r->sync_warns)
			warns[nwarns++] = r->sync_warns;
	}
	if (entry == BO_UNMAP_SINGLE || entry == BO_UNMAP_PAGE || entry == BO_UNMAP_SG) {
		if (r->unmap_warns)
			warns[nwarns++] = r->unmap_warns;
		if (r->unmap_frees != BO_NONE) {
			ctx->map[r->unmap_frees].live = false;
			ctx->used -= ctx->map[r->unmap_frees].nslots;
		}
	}

	KUNIT_EXPECT_EQ_MSG(test, wrong_call_log_count(), nwarns,
			    "%s, %s: wrong-call warnings printed", bo_entry_name[entry],
			    bo_dir_name(dir));
	for (i = 0; i < nwarns; i++)
		KUNIT_EXPECT_TRUE_MSG(test, wrong_call_log_saw(warns[i]),
				      "%s, %s: no warning containing \"%s\"",
				      bo_entry_name[entry], bo_dir_name(dir), warns[i]);
	bo_check_used(ctx, "after the call");
	bo_check_memory(ctx, "after the call");

unmap:
	/* Proper unmaps still work, copy back, and give every slot back. */
	wrong_call_log_clear();
	for (i = 0; i < 2; i++) {
		if (ctx->map[i].live)
			bo_unmap(ctx, &ctx->map[i]);
	}
	KUNIT_EXPECT_EQ_MSG(test, wrong_call_log_count(), 0U,
			    "%s, %s: warnings from the proper unmaps", bo_entry_name[entry],
			    bo_dir_name(dir));
	KUNIT_EXPECT_EQ(test, ctx->used, 0UL);
	bo_check_used(ctx, "after the proper unmaps");
	bo_check_memory(ctx, "after the proper unmaps");
}

/* Run rule @r through every entry point of @family, in @ndirs directions. */
void bad_offsets_run_dirs(struct kunit *test, enum bo_family family, const struct bo_rule *r,
			  const enum dma_data_direction *dirs, unsigned int ndirs)
{
	unsigned int e, d;

	for (e = 0; e < bo_family_nentries[family]; e++)
		for (d = 0; d < ndirs; d++)
			bo_round(test, r, bo_family_entries[family][e], dirs[d]);
}

void bad_offsets_run(struct kunit *test, enum bo_family family, const struct bo_rule *r)
{
	bad_offsets_run_dirs(test, family, r, bo_family_dirs[family], bo_family_ndirs[family]);
}

KUNIT_DEFINE_ACTION_WRAPPER(bo_destroy_device, swiotlb_test_device_destroy, struct device *);

int bad_offsets_init(struct kunit *test)
{
	struct device_dma_parameters *parms;
	struct bo_ctx *ctx;
	struct device *dev;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	parms = kunit_kzalloc(test, sizeof(*parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_NOT_NULL(test, parms);
	dev = swiotlb_test_device_create("swiotlb-bad-offsets", BO_POOL_SLOTS << IO_TLB_SHIFT);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	/* Destroyed before its dma_parms are freed. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bo_destroy_device, dev), 0);
	dev->dma_parms = parms;
	ctx->test = test;
	ctx->dev = dev;
	ctx->pool = &dev->dma_io_tlb_mem->defpool;
	KUNIT_ASSERT_EQ(test, ctx->pool->nareas, 1U);
	test->priv = ctx;
	wrong_call_log_start(test);
	return 0;
}
