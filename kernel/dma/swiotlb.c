// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb mapping API: bounce buffers for streaming DMA.
 *
 * A map takes a run of slots (swiotlb_pools_take(), which picks the pool),
 * fills it from the caller's buffer and returns its address; syncs copy
 * between the two in the direction the DMA API asks; an unmap copies back
 * what the device wrote and gives the slots back.
 *
 * Every address handed in is checked against the allocator's records before
 * anything is copied or freed: an unmap or sync of an address that is not a
 * live bounce buffer, a double unmap, a sync that starts or runs past the end
 * of its mapping, or an unmap whose size or direction differ from the map's
 * is a wrong call. It gets a warning (all wrong calls share one rate limit),
 * no byte outside the mapping is copied, and the pools stay consistent (the
 * recorded mapping wins).
 *
 * Locking: none here. The slot allocator and the pool code take their own
 * locks; the records of a live mapping are read by its owner only.
 */

#define pr_fmt(fmt) "swiotlb: " fmt

#include <linux/cc_platform.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/highmem.h>
#include <linux/kmsan-checks.h>
#include <linux/pci-p2pdma.h>
#include <linux/ratelimit.h>
#include <linux/sched/mm.h>
#include <linux/scatterlist.h>
#include <linux/swiotlb.h>

#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"

/* One rate limit for every wrong call: a driver gone wrong cannot flood the log. */
struct ratelimit_state swiotlb_wrong_call_rs =
	RATELIMIT_STATE_INIT(swiotlb_wrong_call_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);

/**
 * swiotlb_wrong_call_reset() - let the next wrong calls be reported again
 *
 * For tests, which expect a warning from each wrong call they make.
 */
void swiotlb_wrong_call_reset(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&swiotlb_wrong_call_rs.lock, flags);
	swiotlb_wrong_call_rs.begin = jiffies;
	swiotlb_wrong_call_rs.printed = 0;
	swiotlb_wrong_call_rs.missed = 0;
	raw_spin_unlock_irqrestore(&swiotlb_wrong_call_rs.lock, flags);
}

static const char *swiotlb_dir_name(unsigned int dir)
{
	switch (dir) {
	case DMA_BIDIRECTIONAL:
		return "bidirectional";
	case DMA_TO_DEVICE:
		return "to-device";
	case DMA_FROM_DEVICE:
		return "from-device";
	default:
		return "no-direction";
	}
}

/*
 * Copy @size bytes between the caller's memory at @orig and the bounce
 * buffer at @bounce: into the bounce buffer for DMA_TO_DEVICE, out of it
 * otherwise. Highmem is mapped a page at a time.
 */
static void swiotlb_copy(phys_addr_t orig, void *bounce, size_t size,
			 enum dma_data_direction dir)
{
	if (!PageHighMem(pfn_to_page(PHYS_PFN(orig)))) {
		if (dir == DMA_TO_DEVICE) {
			memcpy(bounce, phys_to_virt(orig), size);
		} else {
			/* The device wrote it: KMSAN cannot know. */
			kmsan_unpoison_memory(bounce, size);
			memcpy(phys_to_virt(orig), bounce, size);
		}
		return;
	}

	while (size) {
		struct page *page = pfn_to_page(PHYS_PFN(orig));
		size_t off = offset_in_page(orig);
		size_t n = min_t(size_t, size, PAGE_SIZE - off);

		if (dir == DMA_TO_DEVICE) {
			memcpy_from_page(bounce, page, off, n);
		} else {
			kmsan_unpoison_memory(bounce, n);
			memcpy_to_page(page, off, bounce, n);
		}
		orig += n;
		bounce += n;
		size -= n;
	}
}

/* Address of the first byte of the bounce buffer headed by @head. */
static phys_addr_t swiotlb_buffer_addr(struct io_tlb_pool *pool, int head)
{
	return swiotlb_slot_addr(pool, head) + pool->slots[head].offset;
}

/*
 * A copy of @size bytes at @tlb_addr that does not lie wholly inside the
 * @mapped bytes of the bounce buffer at @buf: warn (out of the copy's line),
 * and return how much of it may be copied, 0 for nothing.
 */
static noinline size_t swiotlb_bad_range(struct device *dev, phys_addr_t tlb_addr,
					 phys_addr_t buf, size_t size, unsigned int mapped)
{
	size_t skip;

	if (tlb_addr < buf) {
		swiotlb_wrong_call(dev, "sync at %pa: before the start of its bounce buffer\n",
				   &tlb_addr);
		return 0;
	}
	skip = tlb_addr - buf;
	if (skip >= mapped) {
		swiotlb_wrong_call(dev,
				   "sync of %zu bytes at offset %zu of a %u-byte bounce buffer: past its end\n",
				   size, skip, mapped);
		return 0;
	}
	swiotlb_wrong_call(dev,
			   "sync of %zu bytes at offset %zu of a %u-byte bounce buffer: cut at its end\n",
			   size, skip, mapped);
	return mapped - skip;
}

/*
 * Copy @size bytes at @tlb_addr, inside the mapping headed by @head, to
 * (DMA_TO_DEVICE) or from the caller's buffer. Only bytes of the mapping
 * are ever copied: a range that starts outside it is refused, one that runs
 * past its end is cut there.
 */
static void swiotlb_bounce(struct device *dev, struct io_tlb_pool *pool, int head,
			   phys_addr_t tlb_addr, size_t size,
			   enum dma_data_direction dir)
{
	struct swiotlb_slot *rec = &pool->slots[head];
	phys_addr_t buf = swiotlb_buffer_addr(pool, head);
	size_t skip;

	/* In this order: the offset is only computed once it cannot wrap. */
	if (unlikely(tlb_addr < buf || tlb_addr - buf >= rec->size ||
		     size > rec->size - (tlb_addr - buf))) {
		size = swiotlb_bad_range(dev, tlb_addr, buf, size, rec->size);
		if (!size)
			return;
	}
	skip = tlb_addr - buf;
	if (rec->orig_addr == SWIOTLB_NO_ORIG)
		return;
	swiotlb_copy(rec->orig_addr + skip, pool->vaddr + (tlb_addr - pool->start),
		     size, dir);
}

/* The refusals of swiotlb_make_req(), out of its line. */
static noinline int swiotlb_bad_req(struct device *dev, size_t mapping_size,
				    unsigned long attrs)
{
	if (!mapping_size)
		swiotlb_wrong_call(dev, "refusing to bounce a zero-size buffer\n");
	else if (!(attrs & DMA_ATTR_NO_WARN))
		swiotlb_wrong_call(dev, "cannot bounce %zu bytes: at most %zu fit\n",
				   mapping_size, swiotlb_max_mapping_size(dev));
	return -EINVAL;
}

/*
 * The body of swiotlb_make_req(), inlined into the single-mapping path:
 * every map runs it, and a call costs that path as much as its checks do.
 */
static __always_inline int __swiotlb_make_req(struct device *dev, phys_addr_t orig,
					      size_t mapping_size,
					      unsigned int alloc_align_mask,
					      enum dma_data_direction dir,
					      unsigned long attrs, u64 limit,
					      struct swiotlb_req *req)
{
	unsigned int min_align = dma_get_min_align_mask(dev);
	unsigned int offset;
	size_t alloc;

	/* Before any arithmetic on it: a size near SIZE_MAX must not wrap. */
	if (unlikely(!mapping_size || mapping_size > SWIOTLB_MAX_ALLOC))
		return swiotlb_bad_req(dev, mapping_size, attrs);
	dev_WARN_ONCE(dev, alloc_align_mask > ~PAGE_MASK,
		      "bounce alignment %#x above a page: largest mappings may fail\n",
		      alloc_align_mask);

	/*
	 * The bytes of @orig under min_align_mask (within the alignment unit)
	 * are kept by starting the buffer that far into the run; whole slots of
	 * that become padding slots before the head slot.
	 */
	offset = orig & min_align & (alloc_align_mask | (IO_TLB_SIZE - 1));
	alloc = ALIGN(mapping_size + offset, (size_t)alloc_align_mask + 1);
	if (unlikely(alloc > SWIOTLB_MAX_ALLOC))
		return swiotlb_bad_req(dev, mapping_size, attrs);

	*req = (struct swiotlb_req) {
		.orig = orig,
		.size = mapping_size,
		.dir = dir,
		.nslots = DIV_ROUND_UP(alloc, IO_TLB_SIZE),
		.pad = offset >> IO_TLB_SHIFT,
		.offset = offset & (IO_TLB_SIZE - 1),
		.align_mask = alloc_align_mask | (IO_TLB_SIZE - 1),
		.boundary_mask = dma_get_seg_boundary(dev),
		.limit = limit,
	};
	/* Buffers of a page or more were always page-aligned; keep it so. */
	if (!alloc_align_mask && !(min_align & ~(IO_TLB_SIZE - 1)) && alloc >= PAGE_SIZE)
		req->align_mask |= PAGE_SIZE - 1;
	req->match_mask = min_align & ~req->align_mask;
	return 0;
}

/*
 * Describe in @req the bounce buffer for @mapping_size bytes at @orig for
 * @dev, ending at or below DMA address @limit (0: anywhere).
 * Return: 0, or -EINVAL (warned, unless DMA_ATTR_NO_WARN) for a buffer no
 * pool could ever hold.
 */
int swiotlb_make_req(struct device *dev, phys_addr_t orig, size_t mapping_size,
		     unsigned int alloc_align_mask, enum dma_data_direction dir,
		     unsigned long attrs, u64 limit, struct swiotlb_req *req)
{
	return __swiotlb_make_req(dev, orig, mapping_size, alloc_align_mask, dir,
				  attrs, limit, req);
}

/* Count and report a mapping (or a whole list) that found no room for @nslots slots. */
void swiotlb_no_room(struct device *dev, unsigned long nslots, unsigned long attrs)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	swiotlb_stats_no_room(dev);
	if (!(attrs & DMA_ATTR_NO_WARN))
		dev_warn_ratelimited(dev,
				     "no bounce buffer: %zu bytes wanted below DMA mask %llx, %lu of %lu slots in use\n",
				     (size_t)nslots << IO_TLB_SHIFT, swiotlb_dev_limit(dev),
				     swiotlb_mem_used(mem), READ_ONCE(mem->nslabs));
}

/* Fill the bounce buffer headed by @head from the caller's buffer. */
static __always_inline phys_addr_t __swiotlb_fill(struct device *dev, struct io_tlb_pool *pool,
						  int head, const struct swiotlb_req *req)
{
	phys_addr_t tlb_addr = swiotlb_buffer_addr(pool, head);

	/* From now on this device's syncs must not be skipped. */
	dma_reset_need_sync(dev);
	swiotlb_copy(req->orig, pool->vaddr + (tlb_addr - pool->start), req->size,
		     DMA_TO_DEVICE);
	trace_swiotlb_map(dev, tlb_addr, req->size, pool->kind);
	swiotlb_test_point(SWIOTLB_TEST_MAPPED, dev);
	return tlb_addr;
}

phys_addr_t swiotlb_fill(struct device *dev, struct io_tlb_pool *pool, int head,
			 const struct swiotlb_req *req)
{
	return __swiotlb_fill(dev, pool, head, req);
}

/* Can @dev's allocator bounce at all? Warns if not. */
bool swiotlb_has_pool(struct device *dev, size_t size)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	if (unlikely(!mem || !READ_ONCE(mem->nslabs))) {
		dev_warn_ratelimited(dev, "no bounce buffer pool: cannot map %zu bytes\n", size);
		return false;
	}
	if (cc_platform_has(CC_ATTR_MEM_ENCRYPT))
		pr_warn_once("memory encryption is active: DMA goes through bounce buffers\n");
	return true;
}

/*
 * Bounce @mapping_size bytes at @orig for @dev; the buffer ends at or below
 * DMA address @limit (0: anywhere). See swiotlb_tbl_map_single().
 */
static __always_inline phys_addr_t swiotlb_bounce_map(struct device *dev, phys_addr_t orig,
						      size_t mapping_size,
						      unsigned int alloc_align_mask,
						      enum dma_data_direction dir,
						      unsigned long attrs, u64 limit)
{
	struct io_tlb_pool *pool;
	struct swiotlb_req req;
	int head;

	if (!swiotlb_has_pool(dev, mapping_size) ||
	    __swiotlb_make_req(dev, orig, mapping_size, alloc_align_mask, dir, attrs, limit, &req))
		return (phys_addr_t)DMA_MAPPING_ERROR;
	pool = swiotlb_policy_take(dev, &req, &head, attrs);
	if (unlikely(!pool)) {
		swiotlb_no_room(dev, req.nslots, attrs);
		return (phys_addr_t)DMA_MAPPING_ERROR;
	}
	return __swiotlb_fill(dev, pool, head, &req);
}

/**
 * swiotlb_tbl_map_single() - bounce a buffer
 * @dev:	device that will do the DMA
 * @orig:	physical address of the caller's buffer
 * @mapping_size: bytes to bounce
 * @alloc_align_mask: bits of the start of the slot run that must be zero
 *		(on top of slot alignment); 0 for none
 * @dir:	direction of the DMA
 * @attrs:	DMA_ATTR_* flags; %DMA_ATTR_NO_WARN quiets a failure,
 *		%DMA_ATTR_MAY_BLOCK lets the call wait for room
 *
 * The bounce buffer keeps the bits of @orig under the device's
 * min_align_mask, and is filled from @orig whatever @dir and @attrs say, so
 * the device never sees what an earlier user left in the slots.
 *
 * The caller checks that the device can reach the buffer (dma_capable(),
 * or its own rule): the pool of Xen PV is placed by pseudo-physical address
 * and made reachable by machine address, and dma-iommu's mask limits the
 * IOVA it maps the buffer at, not the buffer's physical address.
 *
 * Context: any; may sleep with %DMA_ATTR_MAY_BLOCK.
 * Return: physical address of the bounce buffer, or %DMA_MAPPING_ERROR.
 */
phys_addr_t swiotlb_tbl_map_single(struct device *dev, phys_addr_t orig,
				   size_t mapping_size, unsigned int alloc_align_mask,
				   enum dma_data_direction dir, unsigned long attrs)
{
	return swiotlb_bounce_map(dev, orig, mapping_size, alloc_align_mask, dir, attrs, 0);
}

/* Warn that the call @what at @tlb_addr found no live mapping there. */
static noinline void swiotlb_no_mapping(struct device *dev, phys_addr_t tlb_addr,
					const char *what)
{
	swiotlb_wrong_call(dev, "%s of %pa: no live bounce buffer there\n", what, &tlb_addr);
}

/*
 * The head slot of the mapping @tlb_addr points into, or -1 with a warning
 * naming @what when there is none.
 */
static int swiotlb_mapping_at(struct device *dev, struct io_tlb_pool *pool,
			      phys_addr_t tlb_addr, const char *what)
{
	int head = swiotlb_slots_head(pool, tlb_addr);

	if (unlikely(head < 0))
		swiotlb_no_mapping(dev, tlb_addr, what);
	return head;
}

/*
 * Give the slots of the mapping headed by @head back to @pool, then let the
 * oldest waiter try again, unless @wake is %false (slots the caller took a
 * moment ago and gives back unused, see swiotlb_list_undo()) or the pool
 * went with the mapping. Return: %false if @head heads no live mapping.
 */
bool swiotlb_end_mapping(struct device *dev, struct io_tlb_pool *pool, int head,
			 bool wake)
{
	/* Read first: once the slots are back, @pool may be freed at any moment. */
	struct io_tlb_mem *mem = pool->mem;

	switch (swiotlb_pools_give(dev, pool, head)) {
	case SWIOTLB_GAVE_NOTHING:
		return false;
	case SWIOTLB_GAVE_ROOM:
		/* After swiotlb_slots_free() took the area lock: see there. */
		if (wake)
			swiotlb_wake_after_free(mem);
		break;
	case SWIOTLB_GAVE_POOL:
		break;
	}
	return true;
}

/* Warn of an unmap of @tlb_addr that is wrong for the reason @why. */
static noinline void swiotlb_bad_unmap(struct device *dev, phys_addr_t tlb_addr,
				       const char *why)
{
	swiotlb_wrong_call(dev, "unmap of %pa: %s\n", &tlb_addr, why);
}

/* Warn of an unmap of @tlb_addr whose size or direction is not its map's. */
static noinline void swiotlb_unmap_mismatch(struct device *dev, phys_addr_t tlb_addr,
					    size_t mapping_size, enum dma_data_direction dir,
					    const struct swiotlb_slot *rec)
{
	swiotlb_wrong_call(dev, "unmap of %pa as %zu bytes %s: it was mapped as %u bytes %s\n",
			   &tlb_addr, mapping_size, swiotlb_dir_name(dir),
			   rec->size, swiotlb_dir_name(rec->dir));
}

/**
 * __swiotlb_tbl_unmap_single() - end a bounce mapping
 * @dev:	device of the mapping
 * @tlb_addr:	address swiotlb_tbl_map_single() returned
 * @mapping_size: size given to the map call
 * @dir:	direction given to the map call
 * @attrs:	DMA_ATTR_* flags; %DMA_ATTR_SKIP_CPU_SYNC skips the copy back
 * @pool:	the pool swiotlb_find_pool() found for @tlb_addr
 *
 * Copies back what the device may have written (for from-device and
 * bidirectional mappings) and frees the slots.
 *
 * Context: any.
 */
void __swiotlb_tbl_unmap_single(struct device *dev, phys_addr_t tlb_addr,
				size_t mapping_size, enum dma_data_direction dir,
				unsigned long attrs, struct io_tlb_pool *pool)
{
	struct swiotlb_slot *rec;
	int head = swiotlb_mapping_at(dev, pool, tlb_addr, "unmap");

	if (head < 0)
		return;
	if (unlikely(swiotlb_buffer_addr(pool, head) != tlb_addr)) {
		swiotlb_bad_unmap(dev, tlb_addr, "not the start of its bounce buffer");
		return;
	}
	rec = &pool->slots[head];
	if (unlikely(rec->size != mapping_size || rec->dir != dir))
		swiotlb_unmap_mismatch(dev, tlb_addr, mapping_size, dir, rec);

	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC) &&
	    (rec->dir == DMA_FROM_DEVICE || rec->dir == DMA_BIDIRECTIONAL))
		swiotlb_bounce(dev, pool, head, tlb_addr, rec->size, DMA_FROM_DEVICE);
	trace_swiotlb_unmap(dev, tlb_addr, rec->size, pool->kind);

	if (unlikely(!swiotlb_end_mapping(dev, pool, head, true)))
		swiotlb_bad_unmap(dev, tlb_addr, "unmapped twice at once");
}

/* Copy (part of) the mapping at @tlb_addr toward @copy; @what names the call. */
static void swiotlb_sync(struct device *dev, struct io_tlb_pool *pool, phys_addr_t tlb_addr,
			 size_t size, enum dma_data_direction copy, const char *what)
{
	int head = swiotlb_mapping_at(dev, pool, tlb_addr, what);

	if (head >= 0)
		swiotlb_bounce(dev, pool, head, tlb_addr, size, copy);
}

/**
 * __swiotlb_sync_single_for_device() - hand (part of) a bounce buffer to
 * the device
 * @dev:	device of the mapping
 * @tlb_addr:	address inside the bounce buffer
 * @size:	bytes from @tlb_addr
 * @dir:	direction of the mapping
 * @pool:	the pool swiotlb_find_pool() found for @tlb_addr
 *
 * Copies the caller's data in for to-device and bidirectional mappings.
 *
 * Context: any.
 */
void __swiotlb_sync_single_for_device(struct device *dev, phys_addr_t tlb_addr,
				      size_t size, enum dma_data_direction dir,
				      struct io_tlb_pool *pool)
{
	if (dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL)
		swiotlb_sync(dev, pool, tlb_addr, size, DMA_TO_DEVICE, "sync for device");
}

/**
 * __swiotlb_sync_single_for_cpu() - hand (part of) a bounce buffer back to
 * the CPU
 * @dev:	device of the mapping
 * @tlb_addr:	address inside the bounce buffer
 * @size:	bytes from @tlb_addr
 * @dir:	direction of the mapping
 * @pool:	the pool swiotlb_find_pool() found for @tlb_addr
 *
 * Copies what the device wrote out for from-device and bidirectional
 * mappings.
 *
 * Context: any.
 */
void __swiotlb_sync_single_for_cpu(struct device *dev, phys_addr_t tlb_addr,
				   size_t size, enum dma_data_direction dir,
				   struct io_tlb_pool *pool)
{
	if (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL)
		swiotlb_sync(dev, pool, tlb_addr, size, DMA_FROM_DEVICE, "sync for cpu");
}

/* The device cannot reach the bounce buffer at @tlb_addr (@dma): undo the mapping. */
static noinline dma_addr_t swiotlb_unreachable(struct device *dev, phys_addr_t tlb_addr,
					       dma_addr_t dma, size_t size,
					       enum dma_data_direction dir,
					       unsigned long attrs)
{
	swiotlb_stats_unreachable(dev);
	dev_warn_ratelimited(dev, "bounce buffer %pad+%zu beyond DMA mask %llx\n",
			     &dma, size, *dev->dma_mask);
	__swiotlb_tbl_unmap_single(dev, tlb_addr, size, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC,
				   swiotlb_find_pool(dev, tlb_addr));
	return DMA_MAPPING_ERROR;
}

/*
 * The device's address for the bounce buffer at @tlb_addr, made ready for
 * the device; %DMA_MAPPING_ERROR, undoing the mapping, if the device cannot
 * reach it.
 */
static __always_inline dma_addr_t __swiotlb_hand_to_device(struct device *dev,
							   phys_addr_t tlb_addr, size_t size,
							   enum dma_data_direction dir,
							   unsigned long attrs)
{
	dma_addr_t dma = phys_to_dma_unencrypted(dev, tlb_addr);

	if (likely(dma_capable(dev, dma, size, true))) {
		if (!dev_is_dma_coherent(dev) && !(attrs & DMA_ATTR_SKIP_CPU_SYNC))
			arch_sync_dma_for_device(tlb_addr, size, dir);
		return dma;
	}
	return swiotlb_unreachable(dev, tlb_addr, dma, size, dir, attrs);
}

dma_addr_t swiotlb_hand_to_device(struct device *dev, phys_addr_t tlb_addr,
				  size_t size, enum dma_data_direction dir,
				  unsigned long attrs)
{
	return __swiotlb_hand_to_device(dev, tlb_addr, size, dir, attrs);
}

/**
 * swiotlb_map() - bounce a buffer and return the device's address for it
 * @dev:	device that will do the DMA
 * @paddr:	physical address of the caller's buffer
 * @size:	bytes to map
 * @dir:	direction of the DMA
 * @attrs:	DMA_ATTR_* flags
 *
 * Context: any.
 * Return: the DMA address, or %DMA_MAPPING_ERROR.
 */
dma_addr_t swiotlb_map(struct device *dev, phys_addr_t paddr, size_t size,
		       enum dma_data_direction dir, unsigned long attrs)
{
	phys_addr_t tlb_addr;

	trace_swiotlb_bounced(dev, phys_to_dma(dev, paddr), size);
	/* dma-direct: dma_capable() below is the rule, so runs beyond it are no use. */
	tlb_addr = swiotlb_bounce_map(dev, paddr, size, 0, dir, attrs, swiotlb_dev_limit(dev));
	if (tlb_addr == (phys_addr_t)DMA_MAPPING_ERROR)
		return DMA_MAPPING_ERROR;
	return __swiotlb_hand_to_device(dev, tlb_addr, size, dir, attrs);
}

/**
 * swiotlb_max_mapping_size() - largest buffer swiotlb can bounce for @dev
 * @dev:	the device
 *
 * A full segment, less room for the offset the device's min_align_mask
 * may need.
 *
 * Return: bytes.
 */
size_t swiotlb_max_mapping_size(struct device *dev)
{
	unsigned int min_align = dma_get_min_align_mask(dev);

	return SWIOTLB_MAX_ALLOC - (min_align ? ALIGN(min_align, IO_TLB_SIZE) : 0);
}

/**
 * swiotlb_mapping_kind() - did a streaming mapping bounce, and where to
 * @dev:	device of the mapping
 * @addr:	DMA address the map call returned (dma-direct devices only: an
 *		IOMMU address is never a bounce buffer of this kind)
 *
 * Context: any; lock-free. Meaningful only while the mapping is live.
 * Return: the &enum swiotlb_pool_kind of the pool holding the bounce buffer,
 * or -ENOENT if @addr is not a bounce buffer of @dev.
 */
int swiotlb_mapping_kind(struct device *dev, dma_addr_t addr)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(dev, dma_to_phys(dev, addr));

	return pool ? swiotlb_counted_kind(pool->kind) : -ENOENT;
}
EXPORT_SYMBOL_GPL(swiotlb_mapping_kind);

#ifdef CONFIG_DMA_RESTRICTED_POOL
/**
 * swiotlb_alloc() - allocate coherent memory from a restricted DMA pool
 * @dev:	device with a restricted pool
 * @size:	bytes
 *
 * The memory is aligned to its order, PAGE_SIZE << get_order(@size), as
 * dma_alloc_coherent() promises.
 *
 * Context: any (the pool never grows, so nobody waits).
 * Return: the first page, or %NULL.
 */
struct page *swiotlb_alloc(struct device *dev, size_t size)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *pool;
	struct swiotlb_req req = {
		.orig = SWIOTLB_NO_ORIG,
		.size = size,
		.dir = DMA_BIDIRECTIONAL,
		.nslots = DIV_ROUND_UP(size, IO_TLB_SIZE),
		.boundary_mask = dma_get_seg_boundary(dev),
	};
	int head;

	if (!mem || !size || size > SWIOTLB_MAX_ALLOC)
		return NULL;
	/* dma_alloc_coherent() promises alignment to the allocation's order. */
	req.align_mask = (PAGE_SIZE << get_order(size)) - 1;
	pool = swiotlb_policy_take(dev, &req, &head, 0);
	if (!pool)
		return NULL;
	return pfn_to_page(PFN_DOWN(swiotlb_slot_addr(pool, head)));
}

/**
 * swiotlb_free() - give back memory from swiotlb_alloc()
 * @dev:	device it was allocated for
 * @page:	first page
 * @size:	bytes
 *
 * Return: %true if @page came from @dev's restricted pool (and is freed).
 */
bool swiotlb_free(struct device *dev, struct page *page, size_t size)
{
	phys_addr_t tlb_addr = page_to_phys(page);
	struct io_tlb_pool *pool = swiotlb_find_pool(dev, tlb_addr);
	int head;

	if (!pool)
		return false;
	head = swiotlb_mapping_at(dev, pool, tlb_addr, "free");
	if (head >= 0)
		swiotlb_end_mapping(dev, pool, head, true);
	return true;
}
#endif /* CONFIG_DMA_RESTRICTED_POOL */
