// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb pools: where bounce memory comes from and how an address finds it.
 *
 * The default pool is set up at boot from memblock (or late, from the page
 * allocator) and sized by "swiotlb=<slots>[,<areas>][,force|noforce]" or by
 * the architecture. With CONFIG_SWIOTLB_DYNAMIC an allocator whose pools
 * cannot serve a request (1) schedules a worker that adds a dynamic pool the
 * size of the default one, and (2) serves the request at once from a
 * transient pool: memory for exactly that mapping, taken without sleeping,
 * freed again after an RCU grace period once the mapping is gone.
 *
 * Finding the pool of a bounce address (swiotlb_find_pool()) costs the same
 * however many pools there are: the default pool is a range check, and
 * every other pool is entered in a hash table of 256 KiB chunks of physical
 * address space, one entry per chunk it overlaps. A lookup hashes the chunk
 * of the address and walks one short bucket under RCU, never taking a lock.
 *
 * Locking (all spinlocks irq-safe: mappings come from any context):
 *   mem->pools_lock             the list mem->pools and mem->nslabs
 *   swiotlb_index_lock    writers of the address index
 *   dev->dma_io_tlb_lock  the device's list of its transient pools
 * None is taken under another. Readers of these lists and of the index use
 * RCU; a pool is freed from a work item queued after a grace period
 * (queue_rcu_work()), in process context, as giving memory back to the host
 * of a confidential guest may sleep.
 */

#define pr_fmt(fmt) "swiotlb: " fmt

#include <linux/cc_platform.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/gfp.h>
#include <linux/hash.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/of_fdt.h>
#include <linux/of_reserved_mem.h>
#include <linux/rculist.h>
#include <linux/sched/mm.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"

#ifdef CONFIG_SWIOTLB_DYNAMIC
static void swiotlb_shrink_work(struct work_struct *work);
#endif

#ifdef CONFIG_DEBUG_FS
/* The slot counts of the default allocator, per CPU: see swiotlb_stats.c. */
static DEFINE_PER_CPU(struct swiotlb_used, swiotlb_default_used);
#endif

struct io_tlb_mem io_tlb_default_mem = {
	.wait_lock = __SPIN_LOCK_UNLOCKED(io_tlb_default_mem.wait_lock),
	.waiters = LIST_HEAD_INIT(io_tlb_default_mem.waiters),
	.wait_timeout_ms = CONFIG_SWIOTLB_WAIT_TIMEOUT_MS,
#ifdef CONFIG_SWIOTLB_DYNAMIC
	.pools_lock = __SPIN_LOCK_UNLOCKED(io_tlb_default_mem.pools_lock),
	.pools = LIST_HEAD_INIT(io_tlb_default_mem.pools),
	.grow_work = __WORK_INITIALIZER(io_tlb_default_mem.grow_work, swiotlb_grow),
	.grow_inline = true,
	.idle_ms = CONFIG_SWIOTLB_IDLE_POOL_MS,
	.shrink_work = __DELAYED_WORK_INITIALIZER(io_tlb_default_mem.shrink_work,
						  swiotlb_shrink_work, 0),
#endif
#ifdef CONFIG_DEBUG_FS
	.used = &swiotlb_default_used,
	.used_lock = __RAW_SPIN_LOCK_UNLOCKED(io_tlb_default_mem.used_lock),
#endif
};

/**
 * swiotlb_mem_init() - prepare an allocator other than the default one
 * @mem:	zeroed allocator; its pools are added afterwards
 *
 * Its policy knobs start from the default allocator's. Undo with
 * swiotlb_mem_exit() if it is ever freed.
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOMEM (the per-CPU counters): @mem must not be used
 * then, and there is nothing to undo.
 */
int swiotlb_mem_init(struct io_tlb_mem *mem)
{
	spin_lock_init(&mem->wait_lock);
	INIT_LIST_HEAD(&mem->waiters);
	mem->wait_timeout_ms = READ_ONCE(io_tlb_default_mem.wait_timeout_ms);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	spin_lock_init(&mem->pools_lock);
	INIT_LIST_HEAD(&mem->pools);
	INIT_WORK(&mem->grow_work, swiotlb_grow);
	mem->idle_ms = READ_ONCE(io_tlb_default_mem.idle_ms);
	INIT_DELAYED_WORK(&mem->shrink_work, swiotlb_shrink_work);
#endif
	return swiotlb_stats_init(mem);
}

/**
 * swiotlb_mem_exit() - free what swiotlb_mem_init() allocated
 * @mem:	an allocator nobody uses any more
 */
void swiotlb_mem_exit(struct io_tlb_mem *mem)
{
	swiotlb_stats_exit(mem);
}

/* "swiotlb_wait_ms=": how long a mapping that may sleep waits for room. */
static int __init swiotlb_parse_wait_ms(char *arg)
{
	return kstrtouint(arg, 0, &io_tlb_default_mem.wait_timeout_ms);
}
early_param("swiotlb_wait_ms", swiotlb_parse_wait_ms);

#ifdef CONFIG_SWIOTLB_DYNAMIC
/* "swiotlb_idle_ms=": how long a dynamic pool stays unused before it goes. */
static int __init swiotlb_parse_idle_ms(char *arg)
{
	return kstrtouint(arg, 0, &io_tlb_default_mem.idle_ms);
}
early_param("swiotlb_idle_ms", swiotlb_parse_idle_ms);
#endif

/* Set from the command line and by the architecture, before the pool. */
static unsigned long default_nslabs = IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT;
static unsigned int default_nareas;
/* Who chose default_nslabs: an architecture only overrides the built-in size. */
static enum { SIZE_BUILTIN, SIZE_CMDLINE, SIZE_ARCH } default_size_from;
static bool swiotlb_force_bounce;
static bool swiotlb_force_disable;

/* ---- Sizing ---- */

/**
 * swiotlb_round_nslabs() - the size of the default pool once its areas are
 * known
 * @nslabs:	slots asked for, a whole number of segments
 * @nareas:	areas, a power of two; 0 while not known
 *
 * Every area gets a segment at least, and a size that is not a power of two
 * goes up to the next one, so that the areas come out equal: a size from a
 * percentage of memory (confidential guests) or from the command line
 * keeps every area. This is the rule "swiotlb=" users and architectures
 * already count on.
 *
 * Return: the slots the default pool will have.
 */
unsigned long swiotlb_round_nslabs(unsigned long nslabs, unsigned int nareas)
{
	unsigned long least = (unsigned long)nareas * IO_TLB_SEGSIZE;

	if (!nareas)
		return nslabs;
	if (nslabs < least)
		return least;
	return roundup_pow_of_two(nslabs);
}

/* Use @n areas, rounded up to a power of two, and size the pool for them. */
static void swiotlb_set_nareas(unsigned int n)
{
	unsigned long nslabs;

	default_nareas = n > 1 ? roundup_pow_of_two(n) : 1;
	nslabs = swiotlb_round_nslabs(default_nslabs, default_nareas);
	if (nslabs != default_nslabs)
		pr_info("default pool rounded up to %lu MiB for %u areas\n",
			(nslabs << IO_TLB_SHIFT) >> 20, default_nareas);
	default_nslabs = nslabs;
}

/**
 * swiotlb_parse_arg() - read the value of "swiotlb="
 * @arg:	"<slots>[,<areas>][,force|noforce]" (either number may be left
 *		empty, "force" or "noforce" may come alone); cut up in place
 * @out:	what it says; zero where it says nothing
 *
 * The first number is the number of slots of the default pool, rounded up
 * to a whole segment; the second, the number of areas; "force" bounces every
 * mapping, "noforce" turns swiotlb off. A field that fits none of these is
 * ignored with a warning, as are the fields after it.
 */
void swiotlb_parse_arg(char *arg, struct swiotlb_cmdline *out)
{
	unsigned long val;
	unsigned int pos;
	char *field;

	memset(out, 0, sizeof(*out));
	for (pos = 0; (field = strsep(&arg, ",")); pos++) {
		if (pos < 2 && !*field)
			continue;
		if (pos < 2 && !kstrtoul(field, 0, &val)) {
			if (pos == 0)
				out->nslabs = ALIGN(max(val, 1UL), IO_TLB_SEGSIZE);
			else
				out->nareas = clamp_val(val, 1, INT_MAX);
			continue;
		}
		if (!strcmp(field, "force")) {
			out->force = true;
		} else if (!strcmp(field, "noforce")) {
			out->noforce = true;
		} else {
			pr_warn("ignoring 'swiotlb=' field '%s' and what follows\n", field);
			return;
		}
		if (arg)
			pr_warn("ignoring 'swiotlb=' after '%s'\n", field);
		return;
	}
}

static int __init swiotlb_parse_cmdline(char *arg)
{
	struct swiotlb_cmdline cmd;

	swiotlb_parse_arg(arg, &cmd);
	if (cmd.nslabs) {
		default_nslabs = cmd.nslabs;
		default_size_from = SIZE_CMDLINE;
	}
	if (cmd.nareas)
		swiotlb_set_nareas(cmd.nareas);
	swiotlb_force_bounce |= cmd.force;
	swiotlb_force_disable |= cmd.noforce;
	return 0;
}
early_param("swiotlb", swiotlb_parse_cmdline);

/**
 * swiotlb_size_or_default() - size the default pool will have
 *
 * Return: bytes, from "swiotlb=", the architecture, or the built-in default.
 */
unsigned long swiotlb_size_or_default(void)
{
	return default_nslabs << IO_TLB_SHIFT;
}

/**
 * swiotlb_adjust_size() - let the architecture pick the default pool size
 * @size:	bytes wanted
 *
 * Only the built-in default gives way: a size from "swiotlb=" or from an
 * earlier call stays. The size is rounded as swiotlb_round_nslabs() says
 * once the number of areas is known. Must run before the pool is set up.
 */
void __init swiotlb_adjust_size(unsigned long size)
{
	if (default_size_from != SIZE_BUILTIN)
		return;
	default_size_from = SIZE_ARCH;
	default_nslabs = swiotlb_round_nslabs(ALIGN(DIV_ROUND_UP(size, IO_TLB_SIZE),
						    IO_TLB_SEGSIZE), default_nareas);
	pr_info("default pool size set to %lu MiB\n",
		(default_nslabs << IO_TLB_SHIFT) >> 20);
}

/* ---- Pools of an allocator ---- */

/**
 * swiotlb_add_pool() - put a laid-out pool in an allocator's list
 * @mem:	the allocator
 * @pool:	a pool from swiotlb_pool_setup() (or the wrapping of a new block)
 *
 * Also how the allocators of tests and test devices get their fixed pool.
 */
void swiotlb_add_pool(struct io_tlb_mem *mem, struct io_tlb_pool *pool)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	unsigned long flags;
#endif

	pool->mem = mem;
	atomic_long_inc(&mem->stats.pools_added[pool->kind]);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	spin_lock_irqsave(&mem->pools_lock, flags);
	list_add_tail_rcu(&pool->node, &mem->pools);
	WRITE_ONCE(mem->nslabs, mem->nslabs + pool->nslabs);
	spin_unlock_irqrestore(&mem->pools_lock, flags);
#else
	mem->nslabs = pool->nslabs;
#endif
}

/* The reverse: readers that still hold @pool keep it until a grace period. */
static void swiotlb_del_pool(struct io_tlb_mem *mem, struct io_tlb_pool *pool)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	unsigned long flags;

	spin_lock_irqsave(&mem->pools_lock, flags);
	list_del_rcu(&pool->node);
	WRITE_ONCE(mem->nslabs, mem->nslabs - pool->nslabs);
	spin_unlock_irqrestore(&mem->pools_lock, flags);
#else
	mem->nslabs = 0;
#endif
}

/**
 * swiotlb_print_info() - log where the default pool is
 */
void swiotlb_print_info(void)
{
	struct io_tlb_pool *pool = &io_tlb_default_mem.defpool;

	if (!pool->nslabs) {
		pr_warn("no default pool\n");
		return;
	}
	pr_info("default pool %pa-%pa: %lu MiB, %lu slots in %u areas\n",
		&pool->start, &pool->end, (pool->nslabs << IO_TLB_SHIFT) >> 20,
		pool->nslabs, pool->nareas);
}

/* ---- The default pool ---- */

/**
 * swiotlb_init() - set up the default pool at boot
 * @addressing_limit: some device cannot reach all memory
 * @flags:	%SWIOTLB_VERBOSE, %SWIOTLB_FORCE, %SWIOTLB_ANY
 */
void __init swiotlb_init(bool addressing_limit, unsigned int flags)
{
	swiotlb_init_remap(addressing_limit, flags, NULL);
}

static void __init *swiotlb_boot_memory(unsigned long nslabs, unsigned int flags,
					int (*remap)(void *tlb, unsigned long nslabs))
{
	size_t bytes = PAGE_ALIGN(nslabs << IO_TLB_SHIFT);
	void *tlb = flags & SWIOTLB_ANY ? memblock_alloc(bytes, PAGE_SIZE) :
					  memblock_alloc_low(bytes, PAGE_SIZE);

	if (!tlb || !remap || remap(tlb, nslabs) >= 0)
		return tlb;
	pr_warn("remapping %zu bytes of bounce memory failed\n", bytes);
	memblock_free(tlb, bytes);
	return NULL;
}

/**
 * swiotlb_init_remap() - set up the default pool at boot
 * @addressing_limit: some device cannot reach all memory
 * @flags:	%SWIOTLB_VERBOSE, %SWIOTLB_FORCE, %SWIOTLB_ANY
 * @remap:	called on the memory before use (Xen); no dynamic pools then
 *
 * Does nothing unless a device needs bouncing or "swiotlb=force" was given,
 * nor when "swiotlb=noforce" was. Halves the pool until memory is found,
 * down to 1 MiB.
 */
void __init swiotlb_init_remap(bool addressing_limit, unsigned int flags,
			       int (*remap)(void *tlb, unsigned long nslabs))
{
	struct io_tlb_mem *mem = &io_tlb_default_mem;
	unsigned long nslabs;
	unsigned int nareas;
	void *tlb, *meta;

	if (swiotlb_force_disable || (!addressing_limit && !swiotlb_force_bounce))
		return;

	mem->force_bounce = swiotlb_force_bounce || (flags & SWIOTLB_FORCE);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	mem->can_grow = !remap;
	mem->grow_limit = flags & SWIOTLB_ANY ? virt_to_phys(high_memory - 1) :
						ARCH_LOW_ADDRESS_LIMIT;
#endif
	if (!default_nareas)
		swiotlb_set_nareas(num_possible_cpus());

	nslabs = default_nslabs;
	while (!(tlb = swiotlb_boot_memory(nslabs, flags, remap))) {
		if (nslabs <= SWIOTLB_MIN_NSLABS) {
			pr_warn("no memory for the default pool\n");
			return;
		}
		nslabs = ALIGN(nslabs / 2, IO_TLB_SEGSIZE);
	}
	if (nslabs != default_nslabs) {
		pr_info("default pool reduced from %lu to %lu slots\n",
			default_nslabs, nslabs);
		default_nslabs = nslabs;
	}

	nareas = swiotlb_fit_nareas(nslabs, default_nareas);
	meta = memblock_alloc(swiotlb_meta_size(nslabs, nareas), SMP_CACHE_BYTES);
	if (!meta) {
		pr_warn("no memory for the default pool's book-keeping\n");
		memblock_free(tlb, PAGE_ALIGN(nslabs << IO_TLB_SHIFT));
		return;
	}
	swiotlb_pool_setup(&mem->defpool, meta, __pa(tlb), tlb, nslabs, nareas);
	mem->defpool.kind = SWIOTLB_POOL_DEFAULT;
	swiotlb_add_pool(mem, &mem->defpool);

	if (flags & SWIOTLB_VERBOSE)
		swiotlb_print_info();
}

/**
 * swiotlb_init_late() - set up the default pool after boot
 * @size:	bytes wanted
 * @gfp_mask:	allocation flags; the zone they name bounds dynamic pools too
 * @remap:	called on the memory before use (Xen); no dynamic pools then
 *
 * Halves the pool until memory is found, down to 1 MiB.
 *
 * Return: 0 (also when a pool exists already or swiotlb is disabled), or a
 * negative error code.
 */
int swiotlb_init_late(size_t size, gfp_t gfp_mask,
		      int (*remap)(void *tlb, unsigned long nslabs))
{
	struct io_tlb_mem *mem = &io_tlb_default_mem;
	unsigned long nslabs;
	unsigned int order, nareas;
	void *tlb = NULL, *meta;
	int err = -ENOMEM;

	if (mem->nslabs || swiotlb_force_disable)
		return 0;

	mem->force_bounce = swiotlb_force_bounce;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	mem->can_grow = !remap;
	if (IS_ENABLED(CONFIG_ZONE_DMA) && (gfp_mask & __GFP_DMA))
		mem->grow_limit = zone_dma_limit;
	else if (IS_ENABLED(CONFIG_ZONE_DMA32) && (gfp_mask & __GFP_DMA32))
		mem->grow_limit = max_t(u64, DMA_BIT_MASK(32), zone_dma_limit);
	else
		mem->grow_limit = virt_to_phys(high_memory - 1);
#endif
	if (!default_nareas)
		swiotlb_set_nareas(num_possible_cpus());

	order = get_order(ALIGN(size, IO_TLB_SEGSIZE << IO_TLB_SHIFT));
	for (;;) {
		nslabs = SWIOTLB_SLOTS_PER_PAGE << order;
		if (nslabs < SWIOTLB_MIN_NSLABS)
			return err;
		tlb = (void *)__get_free_pages(gfp_mask | __GFP_NOWARN, order);
		if (tlb && remap) {
			err = remap(tlb, nslabs);
			if (err) {
				free_pages((unsigned long)tlb, order);
				tlb = NULL;
			}
		}
		if (tlb)
			break;
		order--;
	}
	if ((PAGE_SIZE << order) < size)
		pr_warn("default pool: got %lu MiB only\n", (PAGE_SIZE << order) >> 20);

	nareas = swiotlb_fit_nareas(nslabs, default_nareas);
	meta = kvzalloc(swiotlb_meta_size(nslabs, nareas), GFP_KERNEL);
	if (!meta) {
		free_pages((unsigned long)tlb, order);
		return -ENOMEM;
	}
	set_memory_decrypted((unsigned long)tlb, nslabs >> (PAGE_SHIFT - IO_TLB_SHIFT));
	swiotlb_pool_setup(&mem->defpool, meta, virt_to_phys(tlb), tlb, nslabs, nareas);
	mem->defpool.kind = SWIOTLB_POOL_DEFAULT;
	mem->defpool.late_alloc = true;
	swiotlb_add_pool(mem, &mem->defpool);
	swiotlb_print_info();
	return 0;
}

/**
 * swiotlb_exit() - give the default pool back when nothing needs it
 *
 * Kept when "swiotlb=force" was given.
 */
void __init swiotlb_exit(void)
{
	struct io_tlb_mem *mem = &io_tlb_default_mem;
	struct io_tlb_pool *pool = &mem->defpool;
	size_t bytes = PAGE_ALIGN(pool->nslabs << IO_TLB_SHIFT);
	size_t meta = swiotlb_meta_size(pool->nslabs, pool->nareas);

	if (swiotlb_force_bounce || !pool->nslabs)
		return;

	pr_info("releasing the default pool\n");
	swiotlb_del_pool(mem, pool);
	set_memory_encrypted((unsigned long)pool->vaddr, bytes >> PAGE_SHIFT);
	if (pool->late_alloc) {
		free_pages((unsigned long)pool->vaddr, get_order(bytes));
		kvfree(pool->areas);
	} else {
		memblock_free_late(pool->start, bytes);
		memblock_free_late(__pa(pool->areas), meta);
	}
	memset(pool, 0, sizeof(*pool));
}

/**
 * swiotlb_update_mem_attributes() - share the boot-time pool with the host
 *
 * For confidential guests, once set_memory_decrypted() works.
 */
void __init swiotlb_update_mem_attributes(void)
{
	struct io_tlb_pool *pool = &io_tlb_default_mem.defpool;

	if (!pool->nslabs || pool->late_alloc)
		return;
	set_memory_decrypted((unsigned long)pool->vaddr,
			     PFN_UP(pool->nslabs << IO_TLB_SHIFT));
}

/**
 * is_swiotlb_allocated() - whether the default pool exists
 *
 * Return: %true if it was set up and not released.
 */
bool is_swiotlb_allocated(void)
{
	return READ_ONCE(io_tlb_default_mem.nslabs);
}

/**
 * default_swiotlb_base() - physical address of the default pool
 *
 * Return: its start, or 0 if there is none.
 */
phys_addr_t default_swiotlb_base(void)
{
	return io_tlb_default_mem.defpool.start;
}

/**
 * default_swiotlb_limit() - highest physical address a default bounce
 * buffer can have
 *
 * Return: the end of the default pool, or the limit of dynamic pools.
 */
phys_addr_t default_swiotlb_limit(void)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	return io_tlb_default_mem.grow_limit;
#else
	return io_tlb_default_mem.defpool.end - 1;
#endif
}

/**
 * swiotlb_dev_init() - give a new device the default allocator
 * @dev:	the device
 */
void swiotlb_dev_init(struct device *dev)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	/* No transient pools yet: lookups stop at the default pool. */
	WRITE_ONCE(dev->dma_uses_io_tlb, false);
	spin_lock_init(&dev->dma_io_tlb_lock);
	INIT_LIST_HEAD(&dev->dma_io_tlb_pools);
#endif
	dev->dma_io_tlb_mem = &io_tlb_default_mem;
}

/**
 * swiotlb_dev_exit() - forget a device that is being released
 * @dev:	the device
 *
 * Called by the driver core; drops what swiotlb counted for @dev.
 */
void swiotlb_dev_exit(struct device *dev)
{
	swiotlb_dev_stats_drop(dev);
}

#ifdef CONFIG_SWIOTLB_DYNAMIC

/* ---- Memory for dynamic and transient pools ---- */

/*
 * Must new bounce memory be shared with the host (set_memory_decrypted()
 * does something: a confidential guest, or a host with memory encryption)?
 */
static bool swiotlb_must_share(void)
{
	return cc_platform_has(CC_ATTR_MEM_ENCRYPT) || swiotlb_test_unencrypted;
}

/* Can @dev reach @size bytes at @phys through its streaming mask? */
static bool swiotlb_atomic_pool_ok(struct device *dev, phys_addr_t phys, size_t size)
{
	return phys_to_dma_unencrypted(dev, phys) + size - 1 <= swiotlb_dev_limit(dev);
}

/*
 * Pages for @bytes of bounce memory at or below @limit, shared with the host
 * of a confidential guest; *@atomic_pool says where they came from. When the
 * buffer lands too high, try again from a lower zone.
 *
 * Sharing pages with the host (set_memory_decrypted()) may sleep, splits
 * the direct map and costs a page-state change: worth it for a pool that
 * serves many mappings, not for one. So where memory must be shared (a
 * confidential guest, a host with memory encryption), memory for a single
 * mapping (@per_mapping), or for a caller that cannot sleep, comes from the
 * atomic DMA pool, which is shared once and for all.
 */
static struct page *swiotlb_get_memory(struct device *dev, size_t bytes, u64 limit,
				       gfp_t gfp, bool per_mapping, void **vaddr,
				       bool *atomic_pool)
{
	struct swiotlb_test_memory what = {
		.dev = dev,
		.bytes = bytes,
		.gfp = current_gfp_context(gfp),
		.per_mapping = per_mapping,
	};
	unsigned int order = get_order(bytes);
	gfp_t zone = 0;
	struct page *page;

	*atomic_pool = false;
	if (swiotlb_should_fail(SWIOTLB_FAIL_MEMORY, bytes))
		return NULL;
	if (limit <= zone_dma_limit)
		zone = __GFP_DMA;
	else if (limit <= DMA_BIT_MASK(32))
		zone = __GFP_DMA32;

	if (dev && swiotlb_must_share() && (per_mapping || !gfpflags_allow_blocking(gfp))) {
		what.from_atomic_pool = true;
		swiotlb_test_point(SWIOTLB_TEST_MEMORY, &what);
		if (!IS_ENABLED(CONFIG_DMA_COHERENT_POOL))
			return NULL;
		page = dma_alloc_from_pool(dev, bytes, vaddr, (gfp & ~GFP_ZONEMASK) | zone,
					   swiotlb_atomic_pool_ok);
		*atomic_pool = !!page;
		return page;
	}
	swiotlb_test_point(SWIOTLB_TEST_MEMORY, &what);

	for (;;) {
		page = alloc_pages((gfp & ~GFP_ZONEMASK) | zone, order);
		if (!page)
			return NULL;
		if (page_to_phys(page) + bytes - 1 <= limit)
			break;
		__free_pages(page, order);
		if (!zone && IS_ENABLED(CONFIG_ZONE_DMA32) && limit < DMA_BIT_MASK(64))
			zone = __GFP_DMA32;
		else if (zone != __GFP_DMA && IS_ENABLED(CONFIG_ZONE_DMA))
			zone = __GFP_DMA;
		else
			return NULL;
	}

	*vaddr = page_address(page);
	if (set_memory_decrypted((unsigned long)*vaddr, PFN_UP(bytes))) {
		/* Memory in an unknown state is leaked, not reused. */
		if (!set_memory_encrypted((unsigned long)*vaddr, PFN_UP(bytes)))
			__free_pages(page, order);
		return NULL;
	}
	return page;
}

/* Give back what swiotlb_get_memory() gave. Sleeps unless @atomic_pool. */
static void swiotlb_put_memory(void *vaddr, size_t bytes, bool atomic_pool)
{
	if (IS_ENABLED(CONFIG_DMA_COHERENT_POOL) && atomic_pool) {
		dma_free_from_pool(NULL, vaddr, bytes);
		return;
	}
	if (!set_memory_encrypted((unsigned long)vaddr, PFN_UP(bytes)))
		free_pages((unsigned long)vaddr, get_order(bytes));
}

/* ---- The address index ---- */

#define SWIOTLB_CHUNK_SHIFT	(IO_TLB_SHIFT + ilog2(IO_TLB_SEGSIZE))
#define SWIOTLB_INDEX_BITS	10

/**
 * struct swiotlb_chunk - entry of the address index
 * @node:	in the bucket of @key
 * @key:	physical address >> %SWIOTLB_CHUNK_SHIFT
 * @pool:	a pool overlapping that chunk
 */
struct swiotlb_chunk {
	struct hlist_node node;
	unsigned long key;
	struct io_tlb_pool *pool;
};

static struct hlist_head swiotlb_index[1 << SWIOTLB_INDEX_BITS];
static DEFINE_SPINLOCK(swiotlb_index_lock);

static struct hlist_head *swiotlb_bucket(unsigned long key)
{
	return &swiotlb_index[hash_long(key, SWIOTLB_INDEX_BITS)];
}

static unsigned int swiotlb_nchunks(phys_addr_t start, phys_addr_t end)
{
	return ((end - 1) >> SWIOTLB_CHUNK_SHIFT) - (start >> SWIOTLB_CHUNK_SHIFT) + 1;
}

/**
 * __swiotlb_find_pool() - look a bounce address up in the index
 * @dev:	device the address was mapped for
 * @paddr:	the address
 *
 * The slow half of swiotlb_find_pool(), for pools other than the default
 * one. Lock-free; a pool found stays valid while its mapping is live.
 *
 * Return: the pool of @dev's allocator holding @paddr, or %NULL.
 */
struct io_tlb_pool *__swiotlb_find_pool(struct device *dev, phys_addr_t paddr)
{
	unsigned long key = paddr >> SWIOTLB_CHUNK_SHIFT;
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *found = NULL;
	struct swiotlb_chunk *c;

	rcu_read_lock();
	hlist_for_each_entry_rcu(c, swiotlb_bucket(key), node) {
		if (c->key == key && paddr >= c->pool->start &&
		    paddr < c->pool->end && c->pool->mem == mem) {
			found = c->pool;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static void swiotlb_index_add(struct io_tlb_pool *pool)
{
	unsigned long first = pool->start >> SWIOTLB_CHUNK_SHIFT;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&swiotlb_index_lock, flags);
	for (i = 0; i < pool->nchunks; i++) {
		pool->chunks[i].key = first + i;
		pool->chunks[i].pool = pool;
		hlist_add_head_rcu(&pool->chunks[i].node, swiotlb_bucket(first + i));
	}
	spin_unlock_irqrestore(&swiotlb_index_lock, flags);
}

static void swiotlb_index_del(struct io_tlb_pool *pool)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&swiotlb_index_lock, flags);
	for (i = 0; i < pool->nchunks; i++)
		hlist_del_rcu(&pool->chunks[i].node);
	spin_unlock_irqrestore(&swiotlb_index_lock, flags);
}

/* ---- Dynamic and transient pools ---- */

/*
 * Wrap a pool of @nslabs slots at @vaddr/@page around a block of memory
 * (@block, @block_bytes) obtained from swiotlb_get_memory().
 */
static struct io_tlb_pool *swiotlb_pool_wrap(struct io_tlb_mem *mem, void *block,
					     size_t block_bytes, bool atomic_pool,
					     struct page *page,
					     void *vaddr, unsigned long nslabs,
					     unsigned int nareas,
					     enum swiotlb_pool_kind kind, gfp_t gfp)
{
	phys_addr_t start = page_to_phys(page) + (vaddr - block);
	phys_addr_t end = start + ((phys_addr_t)nslabs << IO_TLB_SHIFT);
	unsigned int nchunks = swiotlb_nchunks(start, end);
	size_t meta = swiotlb_meta_size(nslabs, nareas);
	struct io_tlb_pool *pool;
	void *block_meta;

	if (swiotlb_should_fail(SWIOTLB_FAIL_META, meta))
		return NULL;
	pool = kzalloc(sizeof(*pool), gfp);
	if (!pool)
		return NULL;
	/* kvzalloc() does not take __GFP_NORETRY (swiotlb_grow_now() passes it). */
	block_meta = kvzalloc(meta + array_size(nchunks, sizeof(*pool->chunks)),
			      gfp & ~__GFP_NORETRY);
	if (!block_meta) {
		kfree(pool);
		return NULL;
	}
	swiotlb_pool_setup(pool, block_meta, start, vaddr, nslabs, nareas);
	pool->chunks = block_meta + meta;
	pool->nchunks = nchunks;
	pool->kind = kind;
	pool->late_alloc = true;
	pool->mem = mem;
	pool->last_used = jiffies;
	pool->block = block;
	pool->block_bytes = block_bytes;
	pool->block_atomic = atomic_pool;
	return pool;
}

/*
 * Retired pools are freed here: WQ_MEM_RECLAIM because they are retired on
 * the I/O path, and the memory they give back may be what reclaim needs.
 */
static struct workqueue_struct *swiotlb_wq;

static int __init swiotlb_wq_init(void)
{
	swiotlb_wq = alloc_workqueue("swiotlb", WQ_MEM_RECLAIM, 0);
	return swiotlb_wq ? 0 : -ENOMEM;
}
postcore_initcall(swiotlb_wq_init);

static void swiotlb_pool_free_work(struct work_struct *work)
{
	struct io_tlb_pool *pool =
		container_of(to_rcu_work(work), struct io_tlb_pool, free_work);
	struct io_tlb_mem *mem = pool->mem;
	enum swiotlb_pool_kind kind = pool->kind;

	swiotlb_pool_destroy(pool);
	atomic_long_inc(&mem->stats.pools_freed[kind]);
}

/**
 * swiotlb_pools_settle() - wait until every retired pool is freed
 *
 * Context: process context; sleeps.
 */
void swiotlb_pools_settle(void)
{
	rcu_barrier();
	flush_workqueue(swiotlb_wq ?: system_wq);
}

/**
 * swiotlb_pool_destroy() - free a pool nobody can see any more
 * @pool:	a dynamic or transient pool, unpublished or never published
 *
 * Context: process context; may sleep (giving memory back to the host of a
 * confidential guest does). See swiotlb_pool_discard() for other contexts.
 */
void swiotlb_pool_destroy(struct io_tlb_pool *pool)
{
	might_sleep();
	swiotlb_put_memory(pool->block, pool->block_bytes, pool->block_atomic);
	kvfree(pool->areas);
	kfree(pool);
}

static void swiotlb_pool_discard_work(struct work_struct *work)
{
	swiotlb_pool_destroy(container_of(work, struct io_tlb_pool, free_work.work));
}

/**
 * swiotlb_pool_discard() - free a pool that was never published
 * @pool:	from swiotlb_pool_create() or a transient pool's making
 * @gfp:	the flags of the caller's context: whether it may sleep
 *
 * Frees @pool at once where sleeping is allowed, else from a work item.
 * Not counted as freed: it was never counted as added.
 *
 * Context: any.
 */
void swiotlb_pool_discard(struct io_tlb_pool *pool, gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp)) {
		swiotlb_pool_destroy(pool);
		return;
	}
	INIT_WORK(&pool->free_work.work, swiotlb_pool_discard_work);
	queue_work(swiotlb_wq ?: system_wq, &pool->free_work.work);
}

/**
 * swiotlb_pool_create() - allocate a dynamic pool
 * @dev:	device it is for, if any (decides how memory is shared)
 * @mem:	allocator it will belong to
 * @nslabs:	slots wanted; halved on failure
 * @min_nslabs:	fewest slots worth having
 * @nareas:	areas wanted
 * @kind:	%SWIOTLB_POOL_DYNAMIC, or another kind for tests
 * @gfp:	allocation flags
 *
 * The pool is not published; see swiotlb_pool_publish().
 *
 * Return: the pool, or %NULL.
 */
struct io_tlb_pool *swiotlb_pool_create(struct device *dev, struct io_tlb_mem *mem,
					unsigned long nslabs, unsigned long min_nslabs,
					unsigned int nareas, enum swiotlb_pool_kind kind,
					gfp_t gfp)
{
	struct io_tlb_pool *pool;
	bool atomic_pool;
	struct page *page;
	size_t bytes;
	void *vaddr;

	nslabs = min(nslabs, SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER);
	for (;;) {
		bytes = nslabs << IO_TLB_SHIFT;
		page = swiotlb_get_memory(dev, bytes, mem->grow_limit, gfp, false, &vaddr,
					  &atomic_pool);
		if (page)
			break;
		if (nslabs <= min_nslabs)
			return NULL;
		nslabs = max(ALIGN(nslabs / 2, IO_TLB_SEGSIZE), min_nslabs);
	}
	pool = swiotlb_pool_wrap(mem, vaddr, bytes, atomic_pool, page, vaddr, nslabs,
				 swiotlb_fit_nareas(nslabs, nareas), kind, gfp);
	if (!pool)
		swiotlb_put_memory(vaddr, bytes, atomic_pool);
	return pool;
}

/**
 * swiotlb_pool_publish() - make a new pool usable and findable
 * @pool:	from swiotlb_pool_create() or a transient pool
 *
 * A transient pool goes on its owner's list, any other on its allocator's.
 * On the owner's list reservations come first and per-mapping pools after
 * them, so that a map looks through the device's reservations only.
 */
void swiotlb_pool_publish(struct io_tlb_pool *pool)
{
	unsigned long flags;

	swiotlb_index_add(pool);
	trace_swiotlb_pool_add(pool);
	if (pool->kind == SWIOTLB_POOL_TRANSIENT) {
		spin_lock_irqsave(&pool->owner->dma_io_tlb_lock, flags);
		if (pool->reserved)
			list_add_rcu(&pool->node, &pool->owner->dma_io_tlb_pools);
		else
			list_add_tail_rcu(&pool->node, &pool->owner->dma_io_tlb_pools);
		spin_unlock_irqrestore(&pool->owner->dma_io_tlb_lock, flags);
	} else {
		swiotlb_add_pool(pool->mem, pool);
	}
}

/**
 * swiotlb_pool_retire() - unpublish a pool and free it after a grace period
 * @pool:	a published dynamic or transient pool with no live mapping
 */
void swiotlb_pool_retire(struct io_tlb_pool *pool)
{
	unsigned long flags;

	swiotlb_index_del(pool);
	trace_swiotlb_pool_remove(pool);
	if (pool->kind == SWIOTLB_POOL_TRANSIENT) {
		spin_lock_irqsave(&pool->owner->dma_io_tlb_lock, flags);
		list_del_rcu(&pool->node);
		spin_unlock_irqrestore(&pool->owner->dma_io_tlb_lock, flags);
	} else {
		swiotlb_del_pool(pool->mem, pool);
	}
	INIT_RCU_WORK(&pool->free_work, swiotlb_pool_free_work);
	queue_rcu_work(swiotlb_wq ?: system_wq, &pool->free_work);
}

/**
 * swiotlb_request_growth() - ask the worker for a dynamic pool
 * @mem:	an allocator that can grow
 *
 * On the swiotlb workqueue, which has a rescuer: the I/O that waits for
 * the pool may be what reclaim waits for. Not within SWIOTLB_GROW_RETRY_MS
 * of a failed attempt: memory that just ran out is not asked for again at
 * the rate of the callers that find the pools full.
 *
 * Context: any.
 */
void swiotlb_request_growth(struct io_tlb_mem *mem)
{
	/* Pairs with the release in swiotlb_grow(): the time is that failure's. */
	if (smp_load_acquire(&mem->grow_failed) &&
	    time_before64(get_jiffies_64(), READ_ONCE(mem->grow_retry)))
		return;
	queue_work(swiotlb_wq ?: system_wq, &mem->grow_work);
}

/* Look for idle dynamic pools again in half the idle time (at least 0.1 s). */
static void swiotlb_arm_shrink(struct io_tlb_mem *mem)
{
	unsigned long delay = msecs_to_jiffies(max(READ_ONCE(mem->idle_ms) / 2, 100U));

	queue_delayed_work(system_wq, &mem->shrink_work, delay);
}

/**
 * swiotlb_grow() - the worker: add a dynamic pool of mem->grow_nslabs slots
 * @work:	&io_tlb_mem.grow_work of the allocator to grow
 *
 * Records whether it failed: then waiters may take transient pools.
 */
void swiotlb_grow(struct work_struct *work)
{
	struct io_tlb_mem *mem = container_of(work, struct io_tlb_mem, grow_work);
	unsigned long nslabs = READ_ONCE(mem->grow_nslabs) ?: default_nslabs;
	struct io_tlb_pool *pool;
	unsigned int noio;

	/* Waiters may be storage I/O: reclaim must not wait for it. */
	noio = memalloc_noio_save();
	pool = swiotlb_pool_create(NULL, mem, nslabs, min(nslabs, SWIOTLB_MIN_NSLABS),
				   default_nareas, SWIOTLB_POOL_DYNAMIC, GFP_KERNEL);
	memalloc_noio_restore(noio);
	if (!pool)
		WRITE_ONCE(mem->grow_retry,
			   get_jiffies_64() + msecs_to_jiffies(SWIOTLB_GROW_RETRY_MS));
	/* The retry time before the flag: see swiotlb_request_growth(). */
	smp_store_release(&mem->grow_failed, !pool);
	if (pool) {
		swiotlb_pool_publish(pool);
		swiotlb_arm_shrink(mem);
	} else {
		pr_warn_ratelimited("could not add a dynamic pool\n");
	}
	/* Either way the oldest waiter has something new to try. */
	swiotlb_wake_waiters(mem);
}

/* Whether inline growth is allowed now: no recent failure, room under the cap. */
static bool swiotlb_may_grow_now(struct io_tlb_mem *mem, unsigned long most)
{
	/* Pairs with the release in swiotlb_grow(), as in swiotlb_request_growth(). */
	if (smp_load_acquire(&mem->grow_failed) &&
	    time_before64(get_jiffies_64(), READ_ONCE(mem->grow_retry)))
		return false;
	if (time_before64(get_jiffies_64(), READ_ONCE(mem->grow_inline_retry)))
		return false;
	return READ_ONCE(mem->nslabs) + most <=
	       SWIOTLB_GROW_INLINE_TIMES * mem->defpool.nslabs;
}

/**
 * swiotlb_grow_now() - add a dynamic pool from the context of a mapping
 * @mem:	an allocator that can grow, with mem->grow_inline
 *
 * For a mapping that may sleep and found the pools full: it adds the pool
 * the worker would, at once, instead of waiting for the worker to be
 * scheduled, but only with memory that can be had without reclaim that
 * waits for I/O, without retrying and without the emergency reserves
 * (GFP_NOIO, __GFP_NORETRY, __GFP_NOMEMALLOC: the caller may be a driver
 * submitting I/O for reclaim, PF_MEMALLOC); when memory is short it gives
 * up, and the caller waits as before. Not within SWIOTLB_GROW_RETRY_MS of a
 * failed attempt of the worker or of a mapping (each attempt is an
 * allocation from the largest order down, with reclaim: repeated at every
 * wake-up of the oldest waiter while memory is short, it would only fail
 * again), one caller at a time (the others wait for the pool it adds), and
 * only while the pools would stay within SWIOTLB_GROW_INLINE_TIMES the
 * default pool, counting the pool as large as it can be built (no pool has
 * more than SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER slots): beyond that,
 * callers wait for slots to come back and for the worker, so that a burst
 * of callers that can wait does not pin more memory than it must.
 *
 * Context: process context; sleeps (allocates, shares memory with the host
 * of a confidential guest).
 * Return: %SWIOTLB_GREW_ADDED, %SWIOTLB_GREW_BUSY (another caller is adding
 * one) or %SWIOTLB_GREW_NO (no memory, or not now).
 */
enum swiotlb_grew swiotlb_grow_now(struct io_tlb_mem *mem)
{
	unsigned long nslabs = READ_ONCE(mem->grow_nslabs) ?: default_nslabs;
	unsigned long most = min(nslabs, SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER);
	struct io_tlb_pool *pool;

	might_sleep();
	if (!READ_ONCE(mem->grow_inline) || !swiotlb_may_grow_now(mem, most))
		return SWIOTLB_GREW_NO;
	if (test_and_set_bit_lock(0, &mem->grow_busy))
		return SWIOTLB_GREW_BUSY;
	/*
	 * Again with the bit held: a caller that passed the checks above while
	 * another one added a pool, or failed to, must not add one more.
	 */
	if (!swiotlb_may_grow_now(mem, most)) {
		clear_bit_unlock(0, &mem->grow_busy);
		return SWIOTLB_GREW_NO;
	}
	pool = swiotlb_pool_create(NULL, mem, nslabs, min(nslabs, SWIOTLB_MIN_NSLABS),
				   default_nareas, SWIOTLB_POOL_DYNAMIC,
				   GFP_NOIO | __GFP_NORETRY | __GFP_NOMEMALLOC | __GFP_NOWARN);
	if (pool) {
		swiotlb_pool_publish(pool);
		swiotlb_arm_shrink(mem);
	} else {
		/* Not again for a while (one that read the old time may try once). */
		WRITE_ONCE(mem->grow_inline_retry,
			   get_jiffies_64() + msecs_to_jiffies(SWIOTLB_GROW_RETRY_MS));
	}
	clear_bit_unlock(0, &mem->grow_busy);
	/*
	 * Added: those waiting behind may fit in what is left of it. Failed:
	 * those that found the bit taken went to sleep counting on this pool;
	 * woken, they find growth off for a while and ask the worker, which
	 * may still find memory with GFP_KERNEL.
	 */
	swiotlb_wake_waiters(mem);
	return pool ? SWIOTLB_GREW_ADDED : SWIOTLB_GREW_NO;
}

static void swiotlb_shrink_work(struct work_struct *work)
{
	struct io_tlb_mem *mem = container_of(to_delayed_work(work), struct io_tlb_mem,
					      shrink_work);

	swiotlb_shrink(mem);
	if (READ_ONCE(mem->nslabs) > mem->defpool.nslabs)
		swiotlb_arm_shrink(mem);
}

/* The newest dynamic pool unused for mem->idle_ms, or NULL. */
static struct io_tlb_pool *swiotlb_idle_pool(struct io_tlb_mem *mem)
{
	unsigned long idle = msecs_to_jiffies(READ_ONCE(mem->idle_ms));
	struct io_tlb_pool *pool, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node) {
		if (pool->kind == SWIOTLB_POOL_DYNAMIC && !swiotlb_pool_used(pool) &&
		    time_after_eq(jiffies, READ_ONCE(pool->last_used) + idle))
			found = pool;
	}
	rcu_read_unlock();
	return found;
}

/**
 * swiotlb_shrink() - give idle dynamic pools back
 * @mem:	the allocator
 *
 * A dynamic pool goes when it has been unused for mem->idle_ms, nobody is
 * waiting for room, and what remains would be at most half full (so that a
 * steady load does not make pools come and go). The default pool stays.
 * Newest pools go first.
 *
 * Context: process context; one caller at a time (the allocator's shrink
 * work, or a test).
 */
void swiotlb_shrink(struct io_tlb_mem *mem)
{
	struct io_tlb_pool *pool;

	while (!READ_ONCE(mem->nwaiters) && (pool = swiotlb_idle_pool(mem))) {
		if (2 * swiotlb_mem_used(mem) > READ_ONCE(mem->nslabs) - pool->nslabs)
			break;
		/* A mapping may have come meanwhile: then the pool stays. */
		if (!swiotlb_pool_close(pool))
			break;
		swiotlb_pool_retire(pool);
	}
}

/*
 * @dev has a mapping outside the default pool, whose index entry was just
 * added: from now on its lookups must consult the index.
 */
static void swiotlb_mark_dev(struct device *dev)
{
	/* The index entry becomes visible before the flag... */
	smp_wmb();
	if (!READ_ONCE(dev->dma_uses_io_tlb))
		WRITE_ONCE(dev->dma_uses_io_tlb, true);
	/*
	 * ...and both before the caller hands the address on, say to another
	 * CPU that will unmap it. Pairs with smp_rmb() in swiotlb_find_pool().
	 */
	smp_mb();
}

/**
 * swiotlb_transient_create() - a pool for exactly one mapping
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 * @gfp:	GFP_NOWAIT for callers that cannot sleep, GFP_KERNEL otherwise
 *		(called in a memalloc_noio_save() scope on the I/O path)
 *
 * The memory block holds enough extra slots that one of them has the
 * alignment @req needs; the pool starts there and is exactly @req->nslots
 * long. It is published and holds the mapping when this returns.
 *
 * Return: the pool, or %NULL (counted as a transient failure).
 */
struct io_tlb_pool *swiotlb_transient_create(struct device *dev,
					     const struct swiotlb_req *req,
					     int *head, gfp_t gfp)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	u64 mask = (req->align_mask | req->match_mask) >> IO_TLB_SHIFT;
	u64 want = ((req->orig & req->match_mask) >> IO_TLB_SHIFT) & mask;
	u64 limit = swiotlb_dev_limit(dev);
	size_t bytes = (req->nslots + mask) << IO_TLB_SHIFT;
	struct io_tlb_pool *pool = NULL;
	bool atomic_pool;
	struct page *page;
	dma_addr_t dma;
	void *block;
	u64 skip;

	page = swiotlb_get_memory(dev, bytes, limit, gfp, true, &block, &atomic_pool);
	if (!page)
		goto failed;
	dma = phys_to_dma_unencrypted(dev, page_to_phys(page));
	skip = (want - (dma >> IO_TLB_SHIFT)) & mask;
	pool = swiotlb_pool_wrap(mem, block, bytes, atomic_pool, page,
				 block + (skip << IO_TLB_SHIFT), req->nslots, 1,
				 SWIOTLB_POOL_TRANSIENT, gfp);
	if (!pool) {
		/* Memory of one mapping never needed sharing back (atomic pool, or none). */
		swiotlb_put_memory(block, bytes, atomic_pool);
		goto failed;
	}
	pool->owner = dev;
	*head = swiotlb_slots_alloc(dev, pool, 0, req);
	if (*head < 0) {
		/* A device segment boundary inside the block, or its DMA limit. */
		swiotlb_pool_discard(pool, gfp);
		goto failed;
	}
	swiotlb_pool_publish(pool);
	swiotlb_mark_dev(dev);
	swiotlb_stats_transient(mem, pool->nslabs);
	atomic_long_inc(&mem->stats.pools_added[SWIOTLB_POOL_TRANSIENT]);
	swiotlb_stats_take(dev, SWIOTLB_POOL_TRANSIENT, req->nslots);
	swiotlb_dev_event(dev, SWIOTLB_DEV_TRANSIENT);
	return pool;

failed:
	atomic_long_inc(&mem->stats.transient_failed);
	return NULL;
}

/* ---- Pools a driver reserves for its device ---- */

/*
 * A reserved pool is a transient pool that holds any number of mappings of
 * its owner and lives as long as the reservation or any of them: @refs
 * counts the reservation and each live mapping. Mappers take their
 * reference before looking for slots, so a pool whose count reached zero is
 * never used again; the last one out retires it (RCU-deferred free).
 */
static void swiotlb_dev_pool_put(struct io_tlb_pool *pool)
{
	if (atomic_dec_and_test(&pool->refs)) {
		swiotlb_stats_transient(pool->mem, -(long)pool->nslabs);
		swiotlb_pool_retire(pool);
	}
}

/*
 * Room in a pool @dev reserved, taken with a reference; under RCU. The
 * reservations head the device's list: the walk ends at the first pool of
 * a single mapping, however many of those are live.
 */
static struct io_tlb_pool *swiotlb_reserved_room(struct device *dev,
						 const struct swiotlb_req *req,
						 unsigned int area, int *head)
{
	struct io_tlb_pool *pool;

	if (!READ_ONCE(dev->dma_uses_io_tlb))
		return NULL;
	list_for_each_entry_rcu(pool, &dev->dma_io_tlb_pools, node) {
		if (!pool->reserved)
			break;
		if (!atomic_inc_not_zero(&pool->refs))
			continue;
		*head = swiotlb_slots_alloc(dev, pool, area, req);
		if (*head >= 0)
			return pool;
		swiotlb_dev_pool_put(pool);
	}
	return NULL;
}

/**
 * swiotlb_dev_has_reservation() - has @dev reserved a pool of its own?
 * @dev:	a device that bounces
 *
 * Return: a snapshot: %true if a reservation heads the device's pools.
 */
bool swiotlb_dev_has_reservation(struct device *dev)
{
	struct io_tlb_pool *pool;
	bool reserved = false;

	if (!READ_ONCE(dev->dma_uses_io_tlb))
		return false;
	rcu_read_lock();
	pool = list_first_or_null_rcu(&dev->dma_io_tlb_pools, struct io_tlb_pool, node);
	if (pool)
		reserved = pool->reserved;
	rcu_read_unlock();
	return reserved;
}

/**
 * swiotlb_dev_pool_reserve() - reserve bounce memory for one device
 * @dev:	the device; its mappings try this pool before any other
 * @bytes:	size of the pool, rounded up to whole slots
 *
 * For a driver that knows how much it keeps in flight and would rather not
 * compete for the shared pools. The pool counts as a transient pool in the
 * statistics. Give it back with swiotlb_dev_pool_release() before @dev is
 * released.
 *
 * Context: process context; sleeps.
 * Return: the pool, or an ERR_PTR(): -ENODEV if @dev does not bounce,
 * -EINVAL for a size of zero or above what one allocation can give,
 * -EOPNOTSUPP if @dev's allocator cannot add pools, -ENOMEM, or -ERANGE if
 * the memory obtained is beyond @dev's DMA mask.
 */
struct io_tlb_pool *swiotlb_dev_pool_reserve(struct device *dev, size_t bytes)
{
	struct io_tlb_mem *mem = swiotlb_dev_mem(dev);
	unsigned long nslabs = DIV_ROUND_UP(bytes, IO_TLB_SIZE);
	struct io_tlb_pool *pool;

	might_sleep();
	if (!mem || !READ_ONCE(mem->nslabs))
		return ERR_PTR(-ENODEV);
	if (!bytes || nslabs > SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER)
		return ERR_PTR(-EINVAL);
	if (!READ_ONCE(mem->can_grow))
		return ERR_PTR(-EOPNOTSUPP);

	pool = swiotlb_pool_create(dev, mem, nslabs, nslabs, 1, SWIOTLB_POOL_TRANSIENT,
				   GFP_KERNEL);
	if (!pool) {
		atomic_long_inc(&mem->stats.transient_failed);
		return ERR_PTR(-ENOMEM);
	}
	if (phys_to_dma_unencrypted(dev, pool->end - 1) > swiotlb_dev_limit(dev)) {
		swiotlb_pool_destroy(pool);
		return ERR_PTR(-ERANGE);
	}
	pool->owner = dev;
	pool->reserved = true;
	atomic_set(&pool->refs, 1);
	swiotlb_pool_publish(pool);
	swiotlb_mark_dev(dev);
	swiotlb_stats_transient(mem, pool->nslabs);
	atomic_long_inc(&mem->stats.pools_added[SWIOTLB_POOL_TRANSIENT]);
	return pool;
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_reserve);

/**
 * swiotlb_dev_pool_release() - end a reservation
 * @pool:	from swiotlb_dev_pool_reserve()
 *
 * No new mapping goes into @pool. Mappings still in it stay valid; the
 * pool is freed, after an RCU grace period, once the last is unmapped.
 * @pool must not be used by the caller afterwards.
 *
 * Context: any.
 */
void swiotlb_dev_pool_release(struct io_tlb_pool *pool)
{
	if (WARN_ON_ONCE(!pool->reserved))
		return;
	swiotlb_pool_seal(pool);
	swiotlb_dev_pool_put(pool);
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_release);

#endif /* CONFIG_SWIOTLB_DYNAMIC */

/*
 * Can a buffer for @req start at the beginning of @pool, within its limit?
 * If not, no run of the pool will do: they all lie higher.
 */
static bool swiotlb_pool_reachable(struct device *dev, struct io_tlb_pool *pool,
				   const struct swiotlb_req *req)
{
	return !req->limit ||
	       swiotlb_req_end(req, phys_to_dma_unencrypted(dev, pool->start)) <= req->limit;
}

/**
 * swiotlb_reaches_pools() - can a mapping for @req use a pool of its allocator?
 * @dev:	a device that bounces
 * @req:	the mapping; only dma-direct callers have a limit
 *
 * A device whose DMA mask lies below every pool gains nothing from room
 * freed in them, and hardly from a new dynamic pool either: those are
 * placed below the allocator's limit, not the device's.
 *
 * Return: %true if a pool may hold the buffer within its limit.
 */
bool swiotlb_reaches_pools(struct device *dev, const struct swiotlb_req *req)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *pool;
	bool reaches = false;

#ifdef CONFIG_SWIOTLB_DYNAMIC
	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "walk of the pools for reach");
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node) {
		if (swiotlb_pool_reachable(dev, pool, req)) {
			reaches = true;
			break;
		}
	}
	rcu_read_unlock();
#else
	pool = &mem->defpool;
	reaches = swiotlb_pool_reachable(dev, pool, req);
#endif
	return reaches;
}

/**
 * swiotlb_pools_lowest() - where the lowest of an allocator's pools starts
 * @dev:	a device that bounces
 *
 * One walk of the pools for a caller with many buffers to place: a buffer
 * reaches a pool (swiotlb_reaches_pools()) exactly when it can start at
 * the lowest one, which swiotlb_req_reaches() tells from this address.
 *
 * Return: the DMA address (as @dev sees it) of the lowest pool's first
 * slot, or U64_MAX if the allocator has no pool.
 */
u64 swiotlb_pools_lowest(struct device *dev)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	u64 lowest = U64_MAX;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct io_tlb_pool *pool;

	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "walk of the pools for reach");
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node)
		lowest = min_t(u64, lowest, phys_to_dma_unencrypted(dev, pool->start));
	rcu_read_unlock();
#else
	lowest = phys_to_dma_unencrypted(dev, mem->defpool.start);
#endif
	return lowest;
}

/**
 * swiotlb_find_room() - take slots for a bounce buffer from the pools
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 *
 * Tries the allocator's default and dynamic pools in order, starting each
 * at the area of this CPU; what happens when none has room is the wait
 * policy's business (swiotlb_get_room()).
 *
 * Return: the pool holding the mapping, or %NULL.
 */
struct io_tlb_pool *swiotlb_find_room(struct device *dev, const struct swiotlb_req *req,
				      int *head)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	unsigned int area = raw_smp_processor_id();
	struct io_tlb_pool *pool, *found = NULL;

#ifdef CONFIG_SWIOTLB_DYNAMIC
	rcu_read_lock();
	found = swiotlb_reserved_room(dev, req, area, head);
	list_for_each_entry_rcu(pool, &mem->pools, node) {
		if (found)
			break;
		/*
		 * Only a dma-direct caller has a limit, the one dma_capable()
		 * will check: runs beyond it are of no use to it, and a pool
		 * that starts beyond it has none other. Other callers (Xen,
		 * whose pool is placed by pseudo-physical address; dma-iommu,
		 * whose mask limits the IOVA) take any pool.
		 */
		if (!swiotlb_pool_reachable(dev, pool, req))
			continue;
		*head = swiotlb_slots_alloc(dev, pool, area, req);
		if (*head >= 0)
			found = pool;
	}
	rcu_read_unlock();
	if (found && found != &mem->defpool) {
		swiotlb_mark_dev(dev);
		if (time_after(jiffies, READ_ONCE(found->last_used)))
			WRITE_ONCE(found->last_used, jiffies);
	}
#else
	pool = &mem->defpool;
	*head = swiotlb_slots_alloc(dev, pool, area, req);
	if (*head >= 0)
		found = pool;
#endif
	if (found)
		swiotlb_stats_take(dev, found->kind, req->nslots);
	return found;
}

/**
 * swiotlb_release() - end the mapping headed by @head
 * @dev:	device of the mapping
 * @pool:	its pool
 * @head:	its head slot
 * @wake:	let the oldest waiter try again; %false only for slots the
 *		caller took a moment ago and gives back unused
 *
 * A transient pool goes with its mapping. Once the slots are back, a
 * dynamic pool may be given back and freed at any moment (it may have been
 * idle for longer than the mapping lived): nothing of @pool is read after
 * that, unless a mapping's reference keeps it (transient and reserved
 * pools).
 *
 * Return: %false, changing nothing, if @head heads no live mapping.
 */
bool swiotlb_release(struct device *dev, struct io_tlb_pool *pool, int head, bool wake)
{
	struct io_tlb_mem *mem = pool->mem;
	enum swiotlb_pool_kind kind = pool->kind;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	bool reserved = pool->reserved;
#endif
	unsigned int n = swiotlb_slots_release(pool, head);

	if (!n)
		return false;
	swiotlb_test_point(SWIOTLB_TEST_RELEASED, pool);
	swiotlb_stats_give(dev, kind, n);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	if (reserved) {
		/* The mapping's reference: the pool lives until here. */
		swiotlb_dev_pool_put(pool);
		/* Its owner may be waiting for the room just freed. */
		if (wake)
			swiotlb_wake_after_release(mem);
		return true;
	}
	if (kind == SWIOTLB_POOL_TRANSIENT) {
		/* Made for this mapping alone: nobody else frees it. */
		swiotlb_stats_transient(mem, -(long)pool->nslabs);
		swiotlb_pool_retire(pool);
		return true;
	}
#endif
	/* After swiotlb_slots_release() took the area lock: see there. */
	if (wake)
		swiotlb_wake_after_release(mem);
	return true;
}

/**
 * swiotlb_mem_used() - slots in use in an allocator's pools
 * @mem:	the allocator
 *
 * Counts the default and dynamic pools, not the transient ones.
 *
 * Return: a snapshot.
 */
unsigned long swiotlb_mem_used(struct io_tlb_mem *mem)
{
	unsigned long used = swiotlb_pool_used(&mem->defpool);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct io_tlb_pool *pool;

	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node)
		if (pool != &mem->defpool)
			used += swiotlb_pool_used(pool);
	rcu_read_unlock();
#endif
	return used;
}

/**
 * swiotlb_mem_used_locked() - slots in use in an allocator's pools, read
 * under their area locks
 * @mem:	the allocator
 *
 * As swiotlb_mem_used(), for a waiter that decides on the count whether to
 * try: see swiotlb_wake_after_release().
 *
 * Context: any; takes the area locks one at a time.
 * Return: a snapshot.
 */
unsigned long swiotlb_mem_used_locked(struct io_tlb_mem *mem)
{
	unsigned long used = swiotlb_pool_used_locked(&mem->defpool);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct io_tlb_pool *pool;

	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node)
		if (pool != &mem->defpool)
			used += swiotlb_pool_used_locked(pool);
	rcu_read_unlock();
#endif
	return used;
}

/**
 * swiotlb_dev_pool_info() - a snapshot of a pool
 * @pool:	a pool the caller keeps alive (a reservation, say)
 * @info:	filled in
 *
 * Context: any.
 */
void swiotlb_dev_pool_info(struct io_tlb_pool *pool, struct swiotlb_pool_info *info)
{
	info->kind = pool->kind;
	info->nslabs = pool->nslabs;
	info->used = swiotlb_pool_used(pool);
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_info);

#ifndef CONFIG_SWIOTLB_DYNAMIC
struct io_tlb_pool *swiotlb_dev_pool_reserve(struct device *dev, size_t bytes)
{
	return ERR_PTR(-EOPNOTSUPP);
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_reserve);

void swiotlb_dev_pool_release(struct io_tlb_pool *pool)
{
}
EXPORT_SYMBOL_GPL(swiotlb_dev_pool_release);
#endif

#ifdef CONFIG_DMA_RESTRICTED_POOL
/* ---- Restricted DMA pools from the device tree ---- */

static int rmem_swiotlb_device_init(struct reserved_mem *rmem, struct device *dev)
{
	struct io_tlb_mem *mem = rmem->priv;
	unsigned long nslabs = rmem->size >> IO_TLB_SHIFT;
	unsigned int nareas;
	void *meta;

	if (PageHighMem(pfn_to_page(PHYS_PFN(rmem->base)))) {
		dev_err(dev, "restricted DMA pool must be in low memory\n");
		return -EINVAL;
	}

	if (!mem) {
		mem = kzalloc(sizeof(*mem), GFP_KERNEL);
		if (!mem)
			return -ENOMEM;
		nareas = swiotlb_fit_nareas(nslabs, roundup_pow_of_two(num_possible_cpus()));
		meta = kvzalloc(swiotlb_meta_size(nslabs, nareas), GFP_KERNEL);
		if (!meta || swiotlb_mem_init(mem)) {
			kvfree(meta);
			kfree(mem);
			return -ENOMEM;
		}
		set_memory_decrypted((unsigned long)phys_to_virt(rmem->base),
				     rmem->size >> PAGE_SHIFT);
		swiotlb_pool_setup(&mem->defpool, meta, rmem->base,
				   phys_to_virt(rmem->base), nslabs, nareas);
		mem->defpool.kind = SWIOTLB_POOL_DEFAULT;
		mem->force_bounce = true;
		mem->for_alloc = true;
		swiotlb_add_pool(mem, &mem->defpool);
		rmem->priv = mem;
		swiotlb_create_debugfs_files(mem, rmem->name);
	}
	dev->dma_io_tlb_mem = mem;
	return 0;
}

static void rmem_swiotlb_device_release(struct reserved_mem *rmem, struct device *dev)
{
	dev->dma_io_tlb_mem = &io_tlb_default_mem;
}

static const struct reserved_mem_ops rmem_swiotlb_ops = {
	.device_init = rmem_swiotlb_device_init,
	.device_release = rmem_swiotlb_device_release,
};

static int __init rmem_swiotlb_setup(struct reserved_mem *rmem)
{
	static const char * const unsuitable[] = {
		"reusable", "linux,cma-default", "linux,dma-default", "no-map",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unsuitable); i++)
		if (of_get_flat_dt_prop(rmem->fdt_node, unsuitable[i], NULL))
			return -EINVAL;
	rmem->ops = &rmem_swiotlb_ops;
	pr_info("restricted DMA pool at %pa, %lu MiB\n", &rmem->base,
		(unsigned long)rmem->size >> 20);
	return 0;
}

RESERVEDMEM_OF_DECLARE(dma, "restricted-dma-pool", rmem_swiotlb_setup);
#endif /* CONFIG_DMA_RESTRICTED_POOL */
