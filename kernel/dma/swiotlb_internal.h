/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the swiotlb core share and nothing else sees.
 *
 *   swiotlb.c            the mapping API: map, unmap, sync, the bounce copy
 *   swiotlb_sg.c         scatterlists mapped whole (swiotlb_map_sg())
 *   swiotlb_wait.c       the policy when pools are full: who waits, who
 *                        gets a transient pool, when the pools grow and
 *                        shrink (the growth worker, the shrink work)
 *   swiotlb_boot.c       set-up: sizing, the command line, the default
 *                        allocator and pool, restricted DMA pools
 *   swiotlb_transient.c  pools of one device: transient pools and
 *                        reservations, tried before the allocator's
 *                        (swiotlb_pools_take()) (CONFIG_SWIOTLB_DYNAMIC)
 *   swiotlb_dynamic.c    dynamic pools: their memory, the address index,
 *                        adding and retiring them (CONFIG_SWIOTLB_DYNAMIC)
 *   swiotlb_pool.c       the pools of an allocator: adding, removing and
 *                        taking room in them, giving it back
 *   swiotlb_slots.c      the slot allocator inside one pool (areas, runs)
 *   swiotlb_stats.c      every counter, and swiotlb_read_counters()
 *   swiotlb_debugfs.c    the debugfs files (CONFIG_DEBUG_FS)
 *   swiotlb_fault.c      fault injection into the allocations of pools
 *   swiotlb_trace.c      the tracepoints and the test hooks
 *
 * Layering: each file uses (calls, or reads a variable of) only files
 * below it, never one beside or above; mk/tools/layers.py checks this on
 * the objects in `make lint`. From the top:
 *
 *   swiotlb_test_device.c               test devices (their allocators)
 *   swiotlb_boot.c                      sets every allocator up, owns the
 *                                       default one (io_tlb_default_mem)
 *   swiotlb_debugfs.c                   shows counters and knobs
 *   swiotlb_sg.c, then swiotlb.c        mapping API
 *     | asks the wait layer for room (swiotlb_policy_take(),
 *     | swiotlb_wait_for()) and, after giving slots back
 *     | (swiotlb_pools_give()), wakes a waiter (swiotlb_wake_after_free())
 *   swiotlb_wait.c                      wait layer (policy)
 *     | grows an allocator through swiotlb_dynamic_add() only, gives idle
 *     | pools back through swiotlb_shrink_one()
 *   swiotlb_transient.c                 a device's own pools; takes and
 *                                       gives room across all pools
 *   swiotlb_dynamic.c                   dynamic pools, the address index,
 *                                       retiring pools
 *   swiotlb_pool.c                      an allocator's list of pools
 *   swiotlb_slots.c                     slot allocator
 *   swiotlb_stats.c                     counters
 *   swiotlb_fault.c                     fault injection
 *   swiotlb_trace.c                     tracepoints, test hooks
 *
 * The pool layers wake nobody and read no state of the wait layer: who
 * waits, and when to try again, is the wait layer's; the pool layers
 * report what they did (enum swiotlb_gave, a pool added or not).
 */
#ifndef _KERNEL_DMA_SWIOTLB_INTERNAL_H
#define _KERNEL_DMA_SWIOTLB_INTERNAL_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/device.h>
#include <linux/minmax.h>
#include <linux/ratelimit.h>
#include <linux/swiotlb.h>

/* Slots in one page, and the smallest pool worth setting up (1 MiB). */
#define SWIOTLB_SLOTS_PER_PAGE	(PAGE_SIZE >> IO_TLB_SHIFT)
#define SWIOTLB_MIN_NSLABS	((1UL << 20) >> IO_TLB_SHIFT)

/* Largest bounce buffer: one full segment. */
#define SWIOTLB_MAX_ALLOC	((size_t)IO_TLB_SEGSIZE << IO_TLB_SHIFT)

/*
 * After the worker failed to add a pool, it is not asked again for this
 * long; the oldest waiter tries again at least this often meanwhile.
 */
#define SWIOTLB_GROW_RETRY_MS	100

/* orig_addr of a dma_alloc buffer, and of a head slot whose mapping ended. */
#define SWIOTLB_NO_ORIG		((phys_addr_t)~0ULL)

/**
 * struct swiotlb_area - a lock and the counters of one share of a pool
 * @lock:	protects @used, @closed, @next, and the busy bits, segment
 *		counters and slot records of the area's slots
 * @used:	slots in use
 * @closed:	the pool is being given back: no new runs
 * @next:	slot of the pool where the next search starts: the one after
 *		the last run taken in the area (slots are handed out in turn)
 * @first_seg:	the area's first segment in the pool
 * @nsegs:	its segments (areas of a pool differ by one at most)
 * @nslabs:	its slots
 */
struct swiotlb_area {
	spinlock_t lock;	/* see the comment at the top of swiotlb_slots.c */
	unsigned int used;
	bool closed;
	unsigned int next;
	unsigned int first_seg;
	unsigned int nsegs;
	unsigned int nslabs;
} ____cacheline_aligned_in_smp;

/**
 * struct swiotlb_slot - what the allocator records about one slot
 * @orig_addr:	head slot: the caller's buffer (%SWIOTLB_NO_ORIG for a buffer
 *		of dma_alloc)
 * @size:	head slot: bytes mapped
 * @to_head:	slot of a mapping: how many slots back its head slot is
 * @nslots:	head slot: slots taken, padding slots included; 0 elsewhere
 * @offset:	head slot: where in the slot the bounce buffer starts
 * @pad:	head slot: padding slots taken before the head
 * @dir:	head slot: the direction given to the map call
 *
 * The head slot is the one holding the first byte of the bounce buffer. A
 * free slot's record is never read, and a new pool's may hold anything
 * (nothing clears them). Taking a run writes what a lookup reads: every
 * slot's @to_head, and @nslots 0 but for the head. Once a mapping ended,
 * its head's record has @orig_addr %SWIOTLB_NO_ORIG, so that a lookup
 * racing the unmap (a driver's bug) more likely copies nothing; in any pool
 * but a transient one the rest of it is zeroes (a transient pool goes as it
 * is).
 */
struct swiotlb_slot {
	phys_addr_t orig_addr;
	unsigned int size;
	unsigned short to_head;
	unsigned short nslots;
	unsigned short offset;
	unsigned char pad;
	unsigned char dir;
};

/**
 * struct swiotlb_req - what a bounce buffer needs from the allocator
 * @orig:	the caller's buffer (%SWIOTLB_NO_ORIG for dma_alloc buffers)
 * @size:	bytes to bounce
 * @dir:	direction of the mapping
 * @nslots:	slots to take, padding slots included
 * @pad:	padding slots before the head slot
 * @offset:	where in the head slot the buffer starts
 * @align_mask:	bits of the first slot's DMA address that must be zero;
 *		covers at least the bits inside a slot
 * @match_mask:	bits of the first slot's DMA address that must equal the
 *		same bits of @orig (the device's min_align_mask above the
 *		slot size)
 * @boundary_mask: the device's DMA segment boundary: the slots taken must
 *		not cross a multiple of @boundary_mask + 1
 * @limit:	highest DMA address the buffer may end at, as dma_capable()
 *		will check it (dma-direct callers); 0: no check here, the
 *		caller checks what it needs (Xen, dma-iommu, dma_alloc)
 */
struct swiotlb_req {
	phys_addr_t orig;
	unsigned int size;
	enum dma_data_direction dir;
	unsigned int nslots;
	unsigned int pad;
	unsigned int offset;
	u64 align_mask;
	u64 match_mask;
	u64 boundary_mask;
	u64 limit;
};

/*
 * The kind @kind is counted as in the statistics (and reported as to
 * drivers): a reservation counts as a transient pool.
 */
static inline enum swiotlb_pool_kind swiotlb_counted_kind(enum swiotlb_pool_kind kind)
{
	return kind == SWIOTLB_POOL_RESERVED ? SWIOTLB_POOL_TRANSIENT : kind;
}

/* Does @pool belong to one device (transient or reserved) rather than to its allocator? */
static inline bool swiotlb_pool_owned(const struct io_tlb_pool *pool)
{
	return pool->kind == SWIOTLB_POOL_TRANSIENT || pool->kind == SWIOTLB_POOL_RESERVED;
}

/* DMA address of the last byte of @req's buffer in a run starting at @first. */
static inline u64 swiotlb_req_end(const struct swiotlb_req *req, u64 first)
{
	return first + ((u64)req->pad << IO_TLB_SHIFT) + req->offset + req->size - 1;
}

static inline phys_addr_t swiotlb_slot_addr(const struct io_tlb_pool *pool,
					    unsigned long index)
{
	return pool->start + ((phys_addr_t)index << IO_TLB_SHIFT);
}

static inline unsigned long swiotlb_slot_index(const struct io_tlb_pool *pool,
					       phys_addr_t addr)
{
	return (addr - pool->start) >> IO_TLB_SHIFT;
}

/* swiotlb.c: a wrong call by a driver, reported under one shared rate limit. */
extern struct ratelimit_state swiotlb_wrong_call_rs;
void swiotlb_wrong_call_reset(void);

#define swiotlb_wrong_call(dev, fmt, ...)					\
	do {									\
		if (__ratelimit(&swiotlb_wrong_call_rs))			\
			dev_warn(dev, "swiotlb: wrong call: " fmt, ##__VA_ARGS__); \
	} while (0)

/* swiotlb_slots.c */
size_t swiotlb_meta_size(unsigned long nslabs, unsigned int nareas);
unsigned int swiotlb_fit_nareas(unsigned long nslabs, unsigned int nareas);
void swiotlb_slots_layout(struct io_tlb_pool *pool, void *meta, phys_addr_t start,
			  void *vaddr, unsigned long nslabs, unsigned int nareas);
void swiotlb_slots_setup(struct io_tlb_pool *pool, void *meta, phys_addr_t start,
			 void *vaddr, unsigned long nslabs, unsigned int nareas);
void swiotlb_slots_clear(struct io_tlb_pool *pool, unsigned long first, unsigned long end);
void swiotlb_slots_clear_around(struct io_tlb_pool *pool, int head,
				const struct swiotlb_req *req);
void swiotlb_slots_clear_free(struct io_tlb_pool *pool);
int swiotlb_slots_alloc(struct device *dev, struct io_tlb_pool *pool,
			unsigned int first_area, const struct swiotlb_req *req);
int swiotlb_slots_head(struct io_tlb_pool *pool, phys_addr_t addr);
unsigned int swiotlb_slots_free(struct io_tlb_pool *pool, unsigned int head);
unsigned long swiotlb_slots_used(struct io_tlb_pool *pool);
unsigned long swiotlb_slots_used_locked(struct io_tlb_pool *pool);
bool swiotlb_slots_close(struct io_tlb_pool *pool);
void swiotlb_slots_seal(struct io_tlb_pool *pool);

/*
 * swiotlb.c: helpers of the single-mapping path that swiotlb_sg.c maps
 * the entries of a list with.
 */
int swiotlb_make_req(struct device *dev, phys_addr_t orig, size_t mapping_size,
		     unsigned int alloc_align_mask, enum dma_data_direction dir,
		     unsigned long attrs, u64 limit, struct swiotlb_req *req);
void swiotlb_no_room(struct device *dev, unsigned long nslots, unsigned long attrs);
phys_addr_t swiotlb_fill(struct device *dev, struct io_tlb_pool *pool, int head,
			 const struct swiotlb_req *req);
bool swiotlb_has_pool(struct device *dev, size_t size);
dma_addr_t swiotlb_hand_to_device(struct device *dev, phys_addr_t tlb_addr,
				  size_t size, enum dma_data_direction dir,
				  unsigned long attrs);
bool swiotlb_end_mapping(struct device *dev, struct io_tlb_pool *pool, int head,
			 bool wake);

/*
 * The default allocator (swiotlb_boot.c), the sizes of new pools
 * (swiotlb_pool.c) and the workqueue of growth (swiotlb_dynamic.c).
 */
extern struct io_tlb_mem io_tlb_default_mem;
extern unsigned long swiotlb_default_nslabs;
extern unsigned int swiotlb_default_nareas;
extern struct workqueue_struct *swiotlb_wq;

/**
 * struct swiotlb_cmdline - what "swiotlb=" says
 * @nslabs:	slots of the default pool (a whole number of segments), or 0
 * @nareas:	areas, or 0
 * @force:	"force": bounce every mapping
 * @noforce:	"noforce": no swiotlb at all
 */
struct swiotlb_cmdline {
	unsigned long nslabs;
	unsigned int nareas;
	bool force;
	bool noforce;
};

/* What swiotlb_pools_give() did. */
enum swiotlb_gave {
	SWIOTLB_GAVE_NOTHING,	/* no live mapping there: nothing changed */
	SWIOTLB_GAVE_ROOM,	/* the slots are back in a pool that stays */
	SWIOTLB_GAVE_POOL,	/* the pool (transient) went with the mapping */
};

void swiotlb_parse_arg(char *arg, struct swiotlb_cmdline *out);
unsigned long swiotlb_round_nslabs(unsigned long nslabs, unsigned int nareas);
int swiotlb_mem_init(struct io_tlb_mem *mem);
void swiotlb_mem_exit(struct io_tlb_mem *mem);

/* swiotlb_pool.c */
void swiotlb_add_pool(struct io_tlb_mem *mem, struct io_tlb_pool *pool);
void swiotlb_del_pool(struct io_tlb_mem *mem, struct io_tlb_pool *pool);
struct io_tlb_pool *swiotlb_mem_take(struct device *dev, const struct swiotlb_req *req,
				     int *head);
unsigned int swiotlb_pool_give(struct device *dev, struct io_tlb_pool *pool, int head);
unsigned long swiotlb_mem_used(struct io_tlb_mem *mem);
unsigned long swiotlb_mem_used_locked(struct io_tlb_mem *mem);
bool swiotlb_reaches_pools(struct device *dev, const struct swiotlb_req *req);
u64 swiotlb_pools_lowest(struct device *dev);
#ifdef CONFIG_SWIOTLB_DYNAMIC
void swiotlb_mark_dev(struct device *dev);
#endif

/* The highest DMA address @dev can reach: its mask, or a lower bus limit. */
static inline u64 swiotlb_dev_limit(struct device *dev)
{
	return min_not_zero(*dev->dma_mask, dev->bus_dma_limit);
}

/* Can a buffer for @req lie in a pool, the lowest of which starts at @lowest? */
static inline bool swiotlb_req_reaches(const struct swiotlb_req *req, u64 lowest)
{
	return lowest != U64_MAX && (!req->limit || swiotlb_req_end(req, lowest) <= req->limit);
}

/*
 * swiotlb_dynamic.c and swiotlb_transient.c: dynamic, transient and
 * reserved pools, built with CONFIG_SWIOTLB_DYNAMIC only.
 */
#ifdef CONFIG_SWIOTLB_DYNAMIC
bool swiotlb_must_share(void);
struct page *swiotlb_get_memory(struct device *dev, size_t bytes, u64 limit,
				gfp_t gfp, bool per_mapping, void **vaddr,
				bool *atomic_pool);
void swiotlb_put_memory(void *vaddr, size_t bytes, bool atomic_pool);
struct io_tlb_pool *swiotlb_pool_wrap(struct io_tlb_mem *mem, void *block,
				      size_t block_bytes, bool atomic_pool,
				      struct page *page,
				      void *vaddr, unsigned long nslabs,
				      unsigned int nareas,
				      enum swiotlb_pool_kind kind, gfp_t gfp);
struct io_tlb_pool *swiotlb_pool_create(struct device *dev, struct io_tlb_mem *mem,
					unsigned long nslabs, unsigned long min_nslabs,
					unsigned int nareas, enum swiotlb_pool_kind kind,
					gfp_t gfp);
void swiotlb_pool_publish(struct io_tlb_pool *pool);
void swiotlb_pool_retire(struct io_tlb_pool *pool);
void swiotlb_pool_destroy(struct io_tlb_pool *pool);
void swiotlb_pool_discard(struct io_tlb_pool *pool, gfp_t gfp);
void swiotlb_pools_settle(void);
bool swiotlb_dynamic_add(struct io_tlb_mem *mem, gfp_t gfp);
struct io_tlb_pool *swiotlb_dynamic_add_first(struct device *dev, const struct swiotlb_req *req,
					      int *head, gfp_t gfp);
void swiotlb_dynamic_ready(struct io_tlb_pool *pool);
bool swiotlb_shrink_one(struct io_tlb_mem *mem);
bool swiotlb_dev_has_reservation(struct device *dev);
void swiotlb_dev_pool_put(struct io_tlb_pool *pool);
struct io_tlb_pool *swiotlb_pools_take(struct device *dev, const struct swiotlb_req *req,
				       int *head);
enum swiotlb_gave swiotlb_pools_give(struct device *dev, struct io_tlb_pool *pool, int head);
struct io_tlb_pool *swiotlb_transient_create(struct device *dev,
					     const struct swiotlb_req *req,
					     int *head, gfp_t gfp);

/* May the allocator add dynamic and transient pools? */
static inline bool swiotlb_can_grow(struct io_tlb_mem *mem)
{
	return READ_ONCE(mem->can_grow);
}
#else
static inline bool swiotlb_must_share(void)
{
	return false;
}

static inline bool swiotlb_dev_has_reservation(struct device *dev)
{
	return false;
}

/* Only the default pool: no pool of a device's own to try or to drop. */
static inline struct io_tlb_pool *swiotlb_pools_take(struct device *dev,
						     const struct swiotlb_req *req,
						     int *head)
{
	return swiotlb_mem_take(dev, req, head);
}

static inline enum swiotlb_gave swiotlb_pools_give(struct device *dev,
						   struct io_tlb_pool *pool, int head)
{
	return swiotlb_pool_give(dev, pool, head) ? SWIOTLB_GAVE_ROOM : SWIOTLB_GAVE_NOTHING;
}

static inline struct io_tlb_pool *swiotlb_transient_create(struct device *dev,
							   const struct swiotlb_req *req,
							   int *head, gfp_t gfp)
{
	return NULL;
}

static inline bool swiotlb_can_grow(struct io_tlb_mem *mem)
{
	return false;
}
#endif

/* swiotlb_wait.c */
struct io_tlb_pool *swiotlb_policy_take(struct device *dev, const struct swiotlb_req *req,
					int *head, unsigned long attrs);
struct io_tlb_pool *swiotlb_try_room(struct device *dev, const struct swiotlb_req *req,
				     int *head, bool queued);
struct io_tlb_pool *swiotlb_grow_room(struct device *dev, const struct swiotlb_req *req,
				      int *head, bool queued);
struct io_tlb_pool *swiotlb_fallback_room(struct device *dev, const struct swiotlb_req *req,
					  int *head);
bool swiotlb_wait_for(struct device *dev, size_t size,
		      bool (*try)(struct device *dev, void *ctx), void *ctx);
bool swiotlb_can_sleep(void);
void swiotlb_wake_waiters(struct io_tlb_mem *mem);
void swiotlb_wake_after_free(struct io_tlb_mem *mem);

/*
 * Memory for bounce buffers that a mapping may take from its own context
 * without waiting on anybody: no reclaim that waits for I/O (the caller
 * may be submitting I/O for reclaim), no retries, never the emergency
 * reserves (they are for reclaim to make progress), no warning on failure
 * (the caller waits instead).
 */
#define SWIOTLB_GFP_AT_ONCE	(GFP_NOIO | __GFP_NORETRY | __GFP_NOMEMALLOC | __GFP_NOWARN)

/* What swiotlb_grow_now() did. */
enum swiotlb_grew {
	/* A dynamic pool was added (or, from swiotlb_grow_first(), the pools had room). */
	SWIOTLB_GREW_ADDED,
	SWIOTLB_GREW_BUSY,	/* another caller is adding one */
	SWIOTLB_GREW_NO,	/* none: no memory at once, or not now */
};

#ifdef CONFIG_SWIOTLB_DYNAMIC
void swiotlb_request_growth(struct io_tlb_mem *mem);
bool swiotlb_growth_serves(struct device *dev, u64 limit);
enum swiotlb_grew swiotlb_grow_now(struct device *dev, u64 limit);
enum swiotlb_grew swiotlb_grow_first(struct device *dev, const struct swiotlb_req *req,
				     int *head, struct io_tlb_pool **pool);
void swiotlb_grow(struct work_struct *work);
void swiotlb_grow_ready(struct work_struct *work);
void swiotlb_shrink(struct io_tlb_mem *mem);
void swiotlb_shrink_work(struct work_struct *work);

/* Did the worker's last attempt to add a dynamic pool fail? */
static inline bool swiotlb_grow_failed(struct io_tlb_mem *mem)
{
	return READ_ONCE(mem->grow_failed);
}
#else
static inline void swiotlb_request_growth(struct io_tlb_mem *mem)
{
}

static inline bool swiotlb_growth_serves(struct device *dev, u64 limit)
{
	return false;
}

static inline enum swiotlb_grew swiotlb_grow_now(struct device *dev, u64 limit)
{
	return SWIOTLB_GREW_NO;
}

static inline enum swiotlb_grew swiotlb_grow_first(struct device *dev,
						   const struct swiotlb_req *req,
						   int *head, struct io_tlb_pool **pool)
{
	*pool = NULL;
	return SWIOTLB_GREW_NO;
}

static inline bool swiotlb_grow_failed(struct io_tlb_mem *mem)
{
	return false;
}
#endif

/*
 * Points where a white-box test may run code of its own: to widen a race
 * window, or to see what the core decided. Nothing without those tests.
 *
 *   SWIOTLB_TEST_FREED      a mapping's slots were just given back, before
 *                           anything else is done; @arg is its pool
 *   SWIOTLB_TEST_MEMORY     memory for a pool is being taken; @arg is a
 *                           &struct swiotlb_test_memory
 *   SWIOTLB_TEST_MAPPED     a bounce buffer was just filled; @arg is the
 *                           device
 *   SWIOTLB_TEST_SLOW_STEP  a map, unmap or list took a step the common
 *                           case should not need (a lookup in the table
 *                           of devices, a full barrier for waiters, a walk
 *                           of the pools, a lookup in the address index, a
 *                           move of counter budget); @arg
 *                           is a string naming it. May be called with
 *                           interrupts off.
 *   SWIOTLB_TEST_CLEARING   a pool added from a mapping's context is about
 *                           to be cleared, off that mapping's path, before
 *                           other mappings may use it; @arg is the pool
 *   SWIOTLB_TEST_UNCLEARED  a new pool whose memory is cleared only where
 *                           needed (around a mapping's buffer, free slots
 *                           later) is laid out, nothing cleared yet; @arg is
 *                           the pool (a test may dirty its memory)
 */
enum swiotlb_test_point {
	SWIOTLB_TEST_FREED,
	SWIOTLB_TEST_MEMORY,
	SWIOTLB_TEST_MAPPED,
	SWIOTLB_TEST_SLOW_STEP,
	SWIOTLB_TEST_CLEARING,
	SWIOTLB_TEST_UNCLEARED,
};

/**
 * struct swiotlb_test_memory - how memory for a pool is taken
 * @dev:	the device it is for (%NULL: the growth worker's)
 * @bytes:	its size
 * @gfp:	the allocation flags in effect (current_gfp_context() applied)
 * @per_mapping: for a transient pool of one mapping
 * @from_atomic_pool: from the pre-shared atomic DMA pool, not the page
 *		allocator
 */
struct swiotlb_test_memory {
	struct device *dev;
	size_t bytes;
	gfp_t gfp;
	bool per_mapping;
	bool from_atomic_pool;
};

#ifdef CONFIG_SWIOTLB_CORE_KUNIT_TEST
extern void (*swiotlb_test_hook)(enum swiotlb_test_point point, const void *arg);
extern bool swiotlb_test_unencrypted;

static inline void swiotlb_test_point(enum swiotlb_test_point point, const void *arg)
{
	void (*hook)(enum swiotlb_test_point point, const void *arg);

	hook = READ_ONCE(swiotlb_test_hook);
	if (unlikely(hook))
		hook(point, arg);
}
#else
#define swiotlb_test_unencrypted false

static inline void swiotlb_test_point(enum swiotlb_test_point point, const void *arg)
{
}
#endif

/* swiotlb_fault.c: allocations that fault injection can make fail. */
enum swiotlb_fail_site {
	SWIOTLB_FAIL_MEMORY = BIT(0),	/* memory of a dynamic, transient, reserved pool */
	SWIOTLB_FAIL_META = BIT(1),	/* such a pool's structure and records */
	SWIOTLB_FAIL_DEV_STATS = BIT(2),	/* a device's statistics record */
};

#ifdef CONFIG_FAULT_INJECTION
bool swiotlb_should_fail(enum swiotlb_fail_site site, size_t size);
void swiotlb_fail_arm(u32 sites, int times);
#else
static inline bool swiotlb_should_fail(enum swiotlb_fail_site site, size_t size)
{
	return false;
}
#endif

/* Events counted per device (debugfs swiotlb/devices). */
enum swiotlb_dev_event {
	SWIOTLB_DEV_TRANSIENT,	/* a transient pool was made for it */
	SWIOTLB_DEV_WAIT,	/* a mapping of it waited for room */
	SWIOTLB_DEV_TIMEOUT,	/* ... and gave up */
	SWIOTLB_DEV_FAILURE,	/* a mapping of it failed for want of room */
	SWIOTLB_DEV_EVENTS
};

/**
 * struct swiotlb_dev_stats - what swiotlb did for one device
 * @node:	in the table of devices, keyed by @dev
 * @rcu:	frees the record after a grace period
 * @dev:	the device (compared, never dereferenced after its release)
 * @dropped:	the device is being released: the record is no longer found
 * @name:	its name, kept for the debugfs listing
 * @used:	slots its mappings hold now, in per-CPU shares (read with
 *		swiotlb_dev_stats_used())
 * @used_lock:	moves of budget between the CPUs' shares of @used
 * @used_hiwater: highest @used seen (a peak made by CPUs mapping at the
 *		same moment as budget moves between them may be missed, as
 *		for the allocator's mark)
 * @events:	counts of each &enum swiotlb_dev_event
 */
struct swiotlb_dev_stats {
	struct hlist_node node;
	struct rcu_head rcu;
	struct device *dev;
	bool dropped;
	char name[32];
	struct swiotlb_share __percpu *used;
	raw_spinlock_t used_lock;
	atomic_long_t used_hiwater;
	atomic_long_t events[SWIOTLB_DEV_EVENTS];
};

/**
 * struct swiotlb_share - one CPU's share of a slot count that has a
 * high-water mark
 * @used:	slots taken on this CPU less slots given back on it; negative
 *		when this CPU gave back more than it took
 * @budget:	how high @used may go before the high-water mark must be
 *		looked at (see swiotlb_stats.c)
 *
 * Written by its CPU with interrupts off; @budget also by other CPUs under
 * the count's lock, read by folds without a lock.
 */
struct swiotlb_share {
	long used;
	long budget;
};

/* Index of the count of all kinds together in &struct swiotlb_used. */
#define SWIOTLB_USED_ALL	SWIOTLB_POOL_KINDS

/**
 * struct swiotlb_used - one CPU's shares of an allocator's slot counts
 * @c:		per pool kind and (at %SWIOTLB_USED_ALL) in all; budget moves
 *		under &io_tlb_mem.used_lock
 */
struct swiotlb_used {
	struct swiotlb_share c[SWIOTLB_POOL_KINDS + 1];
};

/*
 * swiotlb_stats.c: the statistics layer. Every counter is written through
 * these calls, whatever the configuration; debugfs only shows them.
 */
DECLARE_PER_CPU(struct swiotlb_used, swiotlb_default_used);
int swiotlb_stats_init(struct io_tlb_mem *mem);
void swiotlb_stats_exit(struct io_tlb_mem *mem);
long swiotlb_stats_used(struct io_tlb_mem *mem, unsigned int which);
void swiotlb_stats_restart_hiwater(struct io_tlb_mem *mem);
void swiotlb_stats_take(struct device *dev, enum swiotlb_pool_kind kind,
			unsigned int nslots);
void swiotlb_stats_give(struct device *dev, enum swiotlb_pool_kind kind,
			unsigned int nslots);
void swiotlb_stats_pool_added(struct io_tlb_pool *pool);
void swiotlb_stats_pool_retired(struct io_tlb_pool *pool);
void swiotlb_stats_pool_freed(struct io_tlb_mem *mem, enum swiotlb_pool_kind kind);
void swiotlb_stats_transient_failed(struct io_tlb_mem *mem);
void swiotlb_stats_wait_begin(struct device *dev);
void swiotlb_stats_wait_attempt(struct io_tlb_mem *mem);
void swiotlb_stats_wait_end(struct device *dev, u64 ns, bool served);
void swiotlb_stats_no_room(struct device *dev);
void swiotlb_stats_unreachable(struct device *dev);
struct swiotlb_dev_stats *swiotlb_dev_stats_find(struct device *dev);
long swiotlb_dev_stats_used(const struct swiotlb_dev_stats *ds);
void swiotlb_dev_stats_drop(struct device *dev);
void swiotlb_dev_stats_for_each(void (*fn)(const struct swiotlb_dev_stats *ds, void *arg),
				void *arg);

/* swiotlb_debugfs.c: the files that show the counters and knobs. */
#ifdef CONFIG_DEBUG_FS
void __init swiotlb_debugfs_add_default(struct io_tlb_mem *mem);
void swiotlb_create_debugfs_files(struct io_tlb_mem *mem, const char *dirname);
#else
static inline void swiotlb_debugfs_add_default(struct io_tlb_mem *mem)
{
}

static inline void swiotlb_create_debugfs_files(struct io_tlb_mem *mem,
						const char *dirname)
{
}
#endif

#endif /* _KERNEL_DMA_SWIOTLB_INTERNAL_H */
