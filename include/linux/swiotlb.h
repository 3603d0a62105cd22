/* SPDX-License-Identifier: GPL-2.0 */
/*
 * swiotlb: bounce buffers for devices that cannot reach a buffer directly.
 *
 * A mapping copies the caller's buffer into a run of slots of a pool the
 * device can address, hands the device that address, and copies back on
 * sync or unmap. Pools come in four kinds: the default pool set up at boot,
 * dynamic pools a worker adds when the pools run short, transient pools
 * made for a single mapping that found no room, and pools a driver reserves
 * for its device. See Documentation/core-api/swiotlb.rst.
 */
#ifndef __LINUX_SWIOTLB_H
#define __LINUX_SWIOTLB_H

#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/init.h>
#include <linux/types.h>
#include <linux/limits.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct device;
struct page;
struct scatterlist;

/*
 * A slot is the unit of allocation: 2 KiB. One mapping takes at most
 * IO_TLB_SEGSIZE contiguous slots and never crosses a segment, a run of
 * IO_TLB_SEGSIZE slots aligned to the pool start (Xen makes each segment
 * machine-contiguous and relies on this).
 */
#define IO_TLB_SHIFT	11
#define IO_TLB_SIZE	BIT(IO_TLB_SHIFT)
#define IO_TLB_SEGSIZE	128

/*
 * Setting up the default pool. Declared in every configuration: the
 * architectures call these only when they select swiotlb.
 */
#define IO_TLB_DEFAULT_SIZE (64UL << 20)	/* unless "swiotlb=" or the arch say else */
#define SWIOTLB_VERBOSE	BIT(0)	/* report the pool once it is set up */
#define SWIOTLB_FORCE	BIT(1)	/* bounce every mapping, needed or not */
#define SWIOTLB_ANY	BIT(2)	/* the pool may sit anywhere in memory */

void __init swiotlb_init_remap(bool addressing_limit, unsigned int flags,
			       int (*remap)(void *tlb, unsigned long nslabs));
int swiotlb_init_late(size_t size, gfp_t gfp_mask,
		      int (*remap)(void *tlb, unsigned long nslabs));
void __init swiotlb_update_mem_attributes(void);
unsigned long swiotlb_size_or_default(void);

/**
 * enum swiotlb_pool_kind - where a pool came from
 * @SWIOTLB_POOL_DEFAULT:   set up at boot (or by swiotlb_init_late()), or a
 *                          restricted DMA pool from the device tree
 * @SWIOTLB_POOL_DYNAMIC:   added by the background worker when the pools of
 *                          an allocator ran short
 * @SWIOTLB_POOL_TRANSIENT: made on the spot for one mapping that found no
 *                          room, freed when that mapping goes
 * @SWIOTLB_POOL_KINDS:     the number of kinds the statistics count apart
 *                          (the kinds above)
 * @SWIOTLB_POOL_RESERVED:  reserved by a driver for its device
 *                          (swiotlb_dev_pool_reserve()), holding any number
 *                          of its mappings until the reservation ends and
 *                          the last of them goes; counted, and reported by
 *                          swiotlb_mapping_kind() and swiotlb_dev_pool_info(),
 *                          as %SWIOTLB_POOL_TRANSIENT
 */
enum swiotlb_pool_kind {
	SWIOTLB_POOL_DEFAULT,
	SWIOTLB_POOL_DYNAMIC,
	SWIOTLB_POOL_TRANSIENT,
	SWIOTLB_POOL_KINDS,
	SWIOTLB_POOL_RESERVED,
};

/**
 * struct swiotlb_stats - what an allocator did, for debugfs and tests
 * @used_hiwater: highest number of slots in use seen, per pool kind (the
 *		slots in use are counted per CPU, see &io_tlb_mem.used)
 * @pools_added: pools added, per kind
 * @pools_freed: pools freed (after their grace period), per kind
 * @transient_failed: transient pools that could not be allocated
 * @waits:	mappings that had to wait for room
 * @wait_attempts: tries for room by waiters (the oldest, or all once a pool is added)
 * @wait_timeouts: waits that ended without room
 * @wait_ns:	time spent waiting, all waits together
 * @wait_ns_max: longest wait
 * @map_failures: mappings that failed for want of room
 */
struct swiotlb_stats {
	atomic_long_t used_hiwater[SWIOTLB_POOL_KINDS];
	atomic_long_t pools_added[SWIOTLB_POOL_KINDS];
	atomic_long_t pools_freed[SWIOTLB_POOL_KINDS];
	atomic_long_t transient_failed;
	atomic_long_t waits;
	atomic_long_t wait_attempts;
	atomic_long_t wait_timeouts;
	atomic64_t wait_ns;
	atomic64_t wait_ns_max;
	atomic_long_t map_failures;
};

struct swiotlb_area;
struct swiotlb_slot;
struct swiotlb_used;
struct swiotlb_chunk;

/**
 * struct io_tlb_pool - one contiguous block of bounce memory
 * @start:	physical address of the first slot
 * @end:	physical address just past the last slot
 * @vaddr:	kernel virtual address of @start
 * @nslabs:	number of slots
 * @nareas:	number of areas (each with its own lock and whole segments);
 *		a power of two
 * @kind:	where the pool came from
 * @late_alloc:	memory came from the page allocator (not from memblock)
 * @areas:	per-area locks and counters
 * @slots:	per-slot mapping records
 * @busy:	bitmap of slots in use
 * @seg_free:	free slots of each segment
 * @mem:	the allocator the pool belongs to
 * @owner:	for a transient or reserved pool, the device it serves
 * @node:	entry in @mem's list of pools (default and dynamic), or in the
 *		owner's list (reserved; a transient pool is on no list)
 * @chunks:	entries of the address index (dynamic, transient and reserved
 *		pools)
 * @nchunks:	number of @chunks
 * @block:	the memory block the pool was carved from (dynamic, transient
 *		and reserved pools; a transient pool may start past its
 *		beginning)
 * @block_bytes: size of @block
 * @block_atomic: @block came from the atomic DMA pool (shared with the host
 *		of a confidential guest already), not the page allocator
 * @last_used:	jiffies when a mapping last took slots here (dynamic pools)
 * @refs:	reserved pools: one for the reservation plus one per live
 *		mapping; the pool is retired when it drops to zero. A
 *		transient pool: one while its mapping lives; the unmap that
 *		drops it ends the mapping
 * @free_work:	frees the pool after a grace period, where that may sleep
 * @free_rcu:	frees the pool after a grace period, where that need not
 *
 * Everything but the slot state (@areas, @slots, @busy, @seg_free, which
 * the area locks protect) is set before the pool is published and stays.
 */
struct io_tlb_pool {
	phys_addr_t start;
	phys_addr_t end;
	void *vaddr;
	unsigned long nslabs;
	unsigned int nareas;
	enum swiotlb_pool_kind kind;
	bool late_alloc;
	struct swiotlb_area *areas;
	struct swiotlb_slot *slots;
	unsigned long *busy;
	u8 *seg_free;
	struct io_tlb_mem *mem;
	struct device *owner;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct list_head node;
	struct swiotlb_chunk *chunks;
	unsigned int nchunks;
	void *block;
	size_t block_bytes;
	bool block_atomic;
	unsigned long last_used;
	atomic_t refs;
	union {
		struct rcu_work free_work;
		struct rcu_head free_rcu;
	};
#endif
};

/**
 * struct io_tlb_mem - a bounce-buffer allocator: its pools and its policy
 * @force_bounce: bounce every mapping of the devices using it
 * @for_alloc:	serves dma_alloc_*() too (restricted DMA pools)
 * @nslabs:	slots of all default and dynamic pools together
 * @defpool:	the pool set up at init; always first in @pools
 * @wait_lock:	protects @waiters and @nwaiters
 * @waiters:	mappings waiting for room, oldest first
 * @nwaiters:	length of @waiters
 * @wait_timeout_ms: how long a mapping may wait for room
 * @pools:	default and dynamic pools, RCU-protected
 * @pools_lock:	serialises changes to @pools and @nslabs
 * @can_grow:	dynamic and transient pools may be added
 * @grow_failed: the last attempt to add a dynamic pool failed: waiters may
 *		take transient pools
 * @grow_retry:	while @grow_failed, the worker is not asked again before
 *		this time (jiffies_64: it does not wrap)
 * @grow_limit:	highest physical address a dynamic pool may use
 * @grow_nslabs: slots of the pools @grow_work adds; 0: as many as the
 *		default pool of the boot allocator
 * @grow_work:	adds a dynamic pool
 * @grow_inline: a mapping that may sleep and finds the pools full adds a
 *		dynamic pool itself, when memory can be had at once, rather
 *		than wait for @grow_work (the default allocator's way; private
 *		allocators of tests and test devices leave it off)
 * @grow_busy:	bit 0 set while a mapping adds a pool that way, until the
 *		pool is ready for every mapping
 * @grow_pending: the pool a mapping added that way, which holds its mapping
 *		but is cleared (and so usable by others) only by @grow_ready
 * @grow_ready:	clears @grow_pending and lets every mapping use it
 * @grow_inline_retry: after a mapping failed to add a pool that way, none
 *		tries again before this time (jiffies_64: it does not wrap)
 * @idle_ms:	how long a dynamic pool stays unused before it is given back
 * @shrink_work: gives idle dynamic pools back
 * @debugfs:	debugfs directory of this allocator
 * @used:	per CPU, slots taken and given back on that CPU, per pool
 *		kind and in all, and how far each may go before the high-water
 *		marks must be looked at: see swiotlb_stats.c
 * @used_lock:	serialises the moves of those limits between CPUs
 * @used_hiwater: highest number of slots in use in all pools seen, transient
 *		ones included (debugfs can reset it)
 * @transient_nslabs: slots of all live transient and reserved pools
 * @stats:	what the allocator did
 */
struct io_tlb_mem {
	bool force_bounce;
	bool for_alloc;
	unsigned long nslabs;
	struct io_tlb_pool defpool;
	spinlock_t wait_lock;	/* protects @waiters and @nwaiters */
	struct list_head waiters;
	unsigned int nwaiters;
	unsigned int wait_timeout_ms;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct list_head pools;
	spinlock_t pools_lock;	/* protects @pools and @nslabs changes */
	bool can_grow;
	bool grow_failed;
	u64 grow_retry;
	u64 grow_limit;
	unsigned long grow_nslabs;
	struct work_struct grow_work;
	bool grow_inline;
	unsigned long grow_busy;
	struct io_tlb_pool *grow_pending;
	struct work_struct grow_ready;
	u64 grow_inline_retry;
	unsigned int idle_ms;
	struct delayed_work shrink_work;
#endif
	struct dentry *debugfs;
	struct swiotlb_used __percpu *used;
	raw_spinlock_t used_lock;	/* moves of budget between CPUs in @used */
	atomic_long_t used_hiwater;
	atomic_long_t transient_nslabs;
	struct swiotlb_stats stats;
};

#ifdef CONFIG_SWIOTLB
/* Setting up and tearing down the default pool, at boot. */
void swiotlb_init(bool addressing_limited, unsigned int flags);
void __init swiotlb_adjust_size(unsigned long size);
void __init swiotlb_exit(void);

/* Where the default pool is. */
bool is_swiotlb_allocated(void);
phys_addr_t default_swiotlb_base(void);
phys_addr_t default_swiotlb_limit(void);

/* Per device. */
void swiotlb_dev_init(struct device *dev);
void swiotlb_dev_exit(struct device *dev);
size_t swiotlb_max_mapping_size(struct device *dev);
struct io_tlb_pool *__swiotlb_find_pool(struct device *dev, phys_addr_t paddr);

static inline struct io_tlb_mem *swiotlb_dev_mem(struct device *dev)
{
	return dev->dma_io_tlb_mem;
}
#else
/* Without swiotlb there is no pool, and nothing ever bounces. */
static inline void swiotlb_exit(void)
{
}

static inline void swiotlb_adjust_size(unsigned long size)
{
}

static inline void swiotlb_init(bool addressing_limited, unsigned int flags)
{
}

static inline phys_addr_t default_swiotlb_limit(void)
{
	return 0;
}

static inline phys_addr_t default_swiotlb_base(void)
{
	return 0;
}

static inline bool is_swiotlb_allocated(void)
{
	return false;
}

static inline void swiotlb_dev_init(struct device *dev)
{
}

static inline void swiotlb_dev_exit(struct device *dev)
{
}

static inline struct io_tlb_mem *swiotlb_dev_mem(struct device *dev)
{
	return NULL;
}

static inline size_t swiotlb_max_mapping_size(struct device *dev)
{
	return SIZE_MAX;
}
#endif /* CONFIG_SWIOTLB */

/**
 * swiotlb_find_pool() - the pool holding a bounce address, if any
 * @dev:	device the address was mapped for
 * @paddr:	physical address to look up
 *
 * Tells whether @paddr is a bounce buffer of @dev, and where. Lock-free: the
 * default pool is a range check; other pools (only once @dev has used one)
 * are found through an RCU-protected index whose cost does not depend on
 * the number of pools.
 *
 * Return: the pool, or %NULL if @paddr is not a bounce buffer of @dev.
 */
static inline struct io_tlb_pool *swiotlb_find_pool(struct device *dev,
						    phys_addr_t paddr)
{
	struct io_tlb_mem *mem = swiotlb_dev_mem(dev);

	if (!mem)
		return NULL;
	if (paddr >= mem->defpool.start && paddr < mem->defpool.end)
		return &mem->defpool;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	/*
	 * @paddr may come from a mapping another CPU just made, which set the
	 * flag below before handing the address on: the caller's load of the
	 * address comes before the load of the flag...
	 */
	smp_rmb();
	/* Set once one of @dev's mappings landed outside the default pool. */
	if (!READ_ONCE(dev->dma_uses_io_tlb))
		return NULL;
	/*
	 * ...and seeing the flag implies seeing the index entry of that pool.
	 * Both pair with the barriers in swiotlb_mark_dev().
	 */
	smp_rmb();
	return __swiotlb_find_pool(dev, paddr);
#else
	return NULL;
#endif
}

/* Does every mapping of @dev bounce, needed or not? */
static inline bool is_swiotlb_force_bounce(struct device *dev)
{
	struct io_tlb_mem *mem = swiotlb_dev_mem(dev);

	return mem && mem->force_bounce;
}

/* Can mappings of @dev bounce at all? */
static inline bool is_swiotlb_active(struct device *dev)
{
	struct io_tlb_mem *mem = swiotlb_dev_mem(dev);

	return mem && READ_ONCE(mem->nslabs);
}

/*
 * The mapping calls are declared whatever the configuration: dma-iommu
 * references them in code that the compiler drops when swiotlb is off.
 */
phys_addr_t swiotlb_tbl_map_single(struct device *dev, phys_addr_t phys,
				   size_t mapping_size, unsigned int alloc_aligned_mask,
				   enum dma_data_direction dir, unsigned long attrs);
dma_addr_t swiotlb_map(struct device *dev, phys_addr_t phys, size_t size,
		       enum dma_data_direction dir, unsigned long attrs);

int swiotlb_map_sg(struct device *dev, struct scatterlist *sgl, int nents,
		   enum dma_data_direction dir, unsigned long attrs);

void __swiotlb_tbl_unmap_single(struct device *dev, phys_addr_t tlb_addr,
				size_t mapping_size, enum dma_data_direction dir,
				unsigned long attrs, struct io_tlb_pool *pool);
void __swiotlb_sync_single_for_device(struct device *dev, phys_addr_t tlb_addr,
				      size_t size, enum dma_data_direction dir,
				      struct io_tlb_pool *pool);
void __swiotlb_sync_single_for_cpu(struct device *dev, phys_addr_t tlb_addr,
				   size_t size, enum dma_data_direction dir,
				   struct io_tlb_pool *pool);

/**
 * swiotlb_tbl_unmap_single() - end a mapping if @addr is a bounce buffer
 * @dev:	device of the mapping
 * @addr:	physical address the mapping returned
 * @size:	size given to the map call
 * @dir:	direction given to the map call
 * @attrs:	DMA_ATTR_* flags; %DMA_ATTR_SKIP_CPU_SYNC skips the copy back
 *
 * Does nothing when @addr is not a bounce buffer of @dev.
 */
static inline void swiotlb_tbl_unmap_single(struct device *dev, phys_addr_t addr,
					    size_t size, enum dma_data_direction dir,
					    unsigned long attrs)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(dev, addr);

	if (unlikely(pool))
		__swiotlb_tbl_unmap_single(dev, addr, size, dir, attrs, pool);
}

static inline void swiotlb_sync_single_for_device(struct device *dev,
						  phys_addr_t addr, size_t size,
						  enum dma_data_direction dir)
{
	struct io_tlb_pool *pool;

	/* Nothing to copy for the device: no lookup either. */
	if (dir != DMA_TO_DEVICE && dir != DMA_BIDIRECTIONAL)
		return;
	pool = swiotlb_find_pool(dev, addr);
	if (unlikely(pool))
		__swiotlb_sync_single_for_device(dev, addr, size, dir, pool);
}

static inline void swiotlb_sync_single_for_cpu(struct device *dev,
					       phys_addr_t addr, size_t size,
					       enum dma_data_direction dir)
{
	struct io_tlb_pool *pool;

	/* Nothing to copy for the CPU: no lookup either. */
	if (dir != DMA_FROM_DEVICE && dir != DMA_BIDIRECTIONAL)
		return;
	pool = swiotlb_find_pool(dev, addr);
	if (unlikely(pool))
		__swiotlb_sync_single_for_cpu(dev, addr, size, dir, pool);
}

void swiotlb_print_info(void);

/**
 * struct swiotlb_pool_info - a snapshot of one pool
 * @kind:	where the pool came from
 * @nslabs:	its slots
 * @used:	slots in use
 */
struct swiotlb_pool_info {
	enum swiotlb_pool_kind kind;
	unsigned long nslabs;
	unsigned long used;
};

/**
 * struct swiotlb_counters - a snapshot of an allocator's &struct swiotlb_stats
 * @used:	slots in use, per pool kind
 * @used_hiwater: highest @used seen, per kind
 * @pools_added: pools added, per kind
 * @pools_freed: pools freed, per kind
 * @transient_failed: transient pools that could not be allocated
 * @waits:	mappings that waited for room
 * @wait_timeouts: waits that ended without room
 * @wait_ns:	total time spent waiting
 * @wait_ns_max: longest wait
 * @map_failures: mappings that failed for want of room
 *
 * Plain numbers, so that code outside the core (Rust among it) can read them.
 */
struct swiotlb_counters {
	u64 used[SWIOTLB_POOL_KINDS];
	u64 used_hiwater[SWIOTLB_POOL_KINDS];
	u64 pools_added[SWIOTLB_POOL_KINDS];
	u64 pools_freed[SWIOTLB_POOL_KINDS];
	u64 transient_failed;
	u64 waits;
	u64 wait_timeouts;
	u64 wait_ns;
	u64 wait_ns_max;
	u64 map_failures;
};

#ifdef CONFIG_SWIOTLB
int swiotlb_mapping_kind(struct device *dev, dma_addr_t addr);
int swiotlb_read_counters(struct device *dev, struct swiotlb_counters *c);
struct io_tlb_pool *swiotlb_dev_pool_reserve(struct device *dev, size_t bytes);
void swiotlb_dev_pool_release(struct io_tlb_pool *pool);
void swiotlb_dev_pool_info(struct io_tlb_pool *pool, struct swiotlb_pool_info *info);
#endif

#ifdef CONFIG_SWIOTLB_TEST_DEVICE
struct device *swiotlb_test_device_create(const char *name, size_t pool_bytes);
void swiotlb_test_device_destroy(struct device *dev);
int swiotlb_test_device_dma(struct device *dev, dma_addr_t addr, void *buf,
			    size_t len, bool to_memory);
#endif

/* Restricted DMA pools (from the device tree) serve dma_alloc_*() too. */
static inline bool is_swiotlb_for_alloc(struct device *dev)
{
	struct io_tlb_mem *mem = swiotlb_dev_mem(dev);

	return IS_ENABLED(CONFIG_DMA_RESTRICTED_POOL) && mem && mem->for_alloc;
}

#ifdef CONFIG_DMA_RESTRICTED_POOL
struct page *swiotlb_alloc(struct device *dev, size_t size);
bool swiotlb_free(struct device *dev, struct page *page, size_t size);
#else
static inline bool swiotlb_free(struct device *dev, struct page *page, size_t size)
{
	return false;
}

static inline struct page *swiotlb_alloc(struct device *dev, size_t size)
{
	return NULL;
}
#endif /* CONFIG_DMA_RESTRICTED_POOL */

#endif /* __LINUX_SWIOTLB_H */
