/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the swiotlb bounce-buffer layer:
 *
 *   swiotlb_bounced      a streaming mapping is about to be bounced (also
 *                        emitted by dma-iommu and swiotlb-xen)
 *   swiotlb_map          a bounce buffer was taken, in a pool of some kind
 *   swiotlb_unmap        a bounce buffer is given back
 *   swiotlb_pool_add     a dynamic or transient pool was published (a
 *                        dynamic pool a single mapping added: put in the
 *                        address index holding that mapping; others may
 *                        use it once its memory is cleared)
 *   swiotlb_pool_remove  one was unpublished (freed after a grace period)
 *   swiotlb_wait_begin   a mapping that may sleep starts waiting for room
 *   swiotlb_wait_end     ... and stops: served or timed out
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM swiotlb

#if !defined(_TRACE_SWIOTLB_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_SWIOTLB_H

#include <linux/swiotlb.h>
#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(SWIOTLB_POOL_DEFAULT);
TRACE_DEFINE_ENUM(SWIOTLB_POOL_DYNAMIC);
TRACE_DEFINE_ENUM(SWIOTLB_POOL_TRANSIENT);
TRACE_DEFINE_ENUM(SWIOTLB_POOL_RESERVED);

#define show_swiotlb_pool_kind(kind)					\
	__print_symbolic(kind,						\
			 { SWIOTLB_POOL_DEFAULT, "default" },		\
			 { SWIOTLB_POOL_DYNAMIC, "dynamic" },		\
			 { SWIOTLB_POOL_TRANSIENT, "transient" },	\
			 { SWIOTLB_POOL_RESERVED, "reserved" })

/*
 * The record of swiotlb_bounced starts with the five fields tools have read
 * since the event was first defined, by these names and in this order
 * (mk/check-trace-format.sh holds us to it); ours come after them.
 */
#define swiotlb_bounced_fields_kept					\
	__string(dev_name, dev_name(dev))				\
	__field(u64, dma_mask)						\
	__field(dma_addr_t, dev_addr)					\
	__field(size_t, size)						\
	__field(bool, force)

/*
 * @size bytes at @dev_addr are about to be bounced for @dev (dma_mask is 0
 * for a device without one). "reachable": the buffer lies within the
 * device's DMA mask and bus limit, so bouncing is forced or memory is
 * encrypted; if not, this is an addressing limit.
 */
TRACE_EVENT(swiotlb_bounced,
	TP_PROTO(struct device *dev, dma_addr_t dev_addr, size_t size),
	TP_ARGS(dev, dev_addr, size),
	TP_STRUCT__entry(
		swiotlb_bounced_fields_kept
		__field(bool, reachable)
	),
	TP_fast_assign(
		u64 mask = dev->dma_mask ? *dev->dma_mask : 0;

		__assign_str(dev_name);
		__entry->dev_addr = dev_addr;
		__entry->size = size;
		__entry->dma_mask = mask;
		__entry->force = is_swiotlb_force_bounce(dev);
		__entry->reachable = dev->dma_mask &&
				     dev_addr + size - 1 <= min_not_zero(mask, dev->bus_dma_limit);
	),
	TP_printk("dev_name: %s dma_mask=%llx dev_addr=%llx size=%zu %s %s",
		  __get_str(dev_name), __entry->dma_mask,
		  (unsigned long long)__entry->dev_addr, __entry->size,
		  __entry->force ? "FORCE" : "NORMAL",
		  __entry->reachable ? "reachable" : "beyond-mask")
);

/* A bounce buffer of @size bytes at @tlb_addr, in a pool of @kind. */
DECLARE_EVENT_CLASS(swiotlb_buffer,
	TP_PROTO(struct device *dev, phys_addr_t tlb_addr, size_t size,
		 enum swiotlb_pool_kind kind),
	TP_ARGS(dev, tlb_addr, size, kind),
	TP_STRUCT__entry(
		__string(device, dev_name(dev))
		__field(u64, tlb_addr)
		__field(size_t, size)
		__field(int, kind)
	),
	TP_fast_assign(
		__assign_str(device);
		__entry->tlb_addr = tlb_addr;
		__entry->size = size;
		__entry->kind = kind;
	),
	TP_printk("%s: %zu bytes at %#llx in a %s pool", __get_str(device),
		  __entry->size, __entry->tlb_addr, show_swiotlb_pool_kind(__entry->kind))
);

DEFINE_EVENT(swiotlb_buffer, swiotlb_map,
	TP_PROTO(struct device *dev, phys_addr_t tlb_addr, size_t size,
		 enum swiotlb_pool_kind kind),
	TP_ARGS(dev, tlb_addr, size, kind)
);

DEFINE_EVENT(swiotlb_buffer, swiotlb_unmap,
	TP_PROTO(struct device *dev, phys_addr_t tlb_addr, size_t size,
		 enum swiotlb_pool_kind kind),
	TP_ARGS(dev, tlb_addr, size, kind)
);

/* A pool coming or going; a transient one names the device it serves. */
DECLARE_EVENT_CLASS(swiotlb_pool_change,
	TP_PROTO(struct io_tlb_pool *pool),
	TP_ARGS(pool),
	TP_STRUCT__entry(
		__string(owner, pool->owner ? dev_name(pool->owner) : "-")
		__field(u64, start)
		__field(unsigned long, nslabs)
		__field(int, kind)
	),
	TP_fast_assign(
		__assign_str(owner);
		__entry->start = pool->start;
		__entry->nslabs = pool->nslabs;
		__entry->kind = pool->kind;
	),
	TP_printk("%s pool of %lu slots at %#llx, for %s",
		  show_swiotlb_pool_kind(__entry->kind), __entry->nslabs,
		  __entry->start, __get_str(owner))
);

DEFINE_EVENT(swiotlb_pool_change, swiotlb_pool_add,
	TP_PROTO(struct io_tlb_pool *pool),
	TP_ARGS(pool)
);

DEFINE_EVENT(swiotlb_pool_change, swiotlb_pool_remove,
	TP_PROTO(struct io_tlb_pool *pool),
	TP_ARGS(pool)
);

TRACE_EVENT(swiotlb_wait_begin,
	TP_PROTO(struct device *dev, size_t size, unsigned int queued),
	TP_ARGS(dev, size, queued),
	TP_STRUCT__entry(
		__string(device, dev_name(dev))
		__field(size_t, size)
		__field(unsigned int, queued)
	),
	TP_fast_assign(
		__assign_str(device);
		__entry->size = size;
		__entry->queued = queued;
	),
	TP_printk("%s: waiting for %zu bytes, %u in the queue",
		  __get_str(device), __entry->size, __entry->queued)
);

TRACE_EVENT(swiotlb_wait_end,
	TP_PROTO(struct device *dev, size_t size, u64 waited_ns, bool served),
	TP_ARGS(dev, size, waited_ns, served),
	TP_STRUCT__entry(
		__string(device, dev_name(dev))
		__field(size_t, size)
		__field(u64, waited_ns)
		__field(bool, served)
	),
	TP_fast_assign(
		__assign_str(device);
		__entry->size = size;
		__entry->waited_ns = waited_ns;
		__entry->served = served;
	),
	TP_printk("%s: %zu bytes %s after %llu ns", __get_str(device), __entry->size,
		  __entry->served ? "served" : "timed out", __entry->waited_ns)
);

#endif /* _TRACE_SWIOTLB_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
