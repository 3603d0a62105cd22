// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb set-up: the default allocator and where its pool comes from.
 *
 * The default pool is set up at boot from memblock (or late, from the page
 * allocator) and sized by "swiotlb=<slots>[,<areas>][,force|noforce]" or by
 * the architecture; the other boot parameters
 * ("swiotlb_wait_timeout_ms=", "swiotlb_idle_ms=") set the policy's knobs.
 * Allocators other than the default one start from swiotlb_mem_init():
 * those of restricted DMA pools from the device tree (here too), of test
 * devices and of tests. Each device starts with the
 * default allocator (swiotlb_dev_init()).
 *
 * This file sits above the others of the core (only the test devices,
 * which set allocators of their own up through it, are higher): it sets
 * the allocators up (the pool layer's lists, the wait layer's queue and
 * work items, the statistics) and nothing below calls it.
 *
 * Locking: none of its own. Boot-time set-up runs single-threaded, before
 * any mapping; swiotlb_init_late() and swiotlb_exit() run before the
 * default pool is used or once nothing needs it; restricted pools are set
 * up by the reserved-memory code under its own serialisation.
 */

#define pr_fmt(fmt) "swiotlb: " fmt

#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/gfp.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/of_fdt.h>
#include <linux/of_reserved_mem.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"

struct io_tlb_mem io_tlb_default_mem = {
	.wait_lock = __SPIN_LOCK_UNLOCKED(io_tlb_default_mem.wait_lock),
	.waiters = LIST_HEAD_INIT(io_tlb_default_mem.waiters),
	.wait_timeout_ms = CONFIG_SWIOTLB_WAIT_TIMEOUT_MS,
#ifdef CONFIG_SWIOTLB_DYNAMIC
	.pools_lock = __SPIN_LOCK_UNLOCKED(io_tlb_default_mem.pools_lock),
	.pools = LIST_HEAD_INIT(io_tlb_default_mem.pools),
	.grow_work = __WORK_INITIALIZER(io_tlb_default_mem.grow_work, swiotlb_grow),
	.grow_ready = __WORK_INITIALIZER(io_tlb_default_mem.grow_ready, swiotlb_grow_ready),
	.grow_inline = true,
	.idle_ms = CONFIG_SWIOTLB_IDLE_MS,
	.shrink_work = __DELAYED_WORK_INITIALIZER(io_tlb_default_mem.shrink_work,
						  swiotlb_shrink_work, 0),
#endif
	.used = &swiotlb_default_used,
	.used_lock = __RAW_SPIN_LOCK_UNLOCKED(io_tlb_default_mem.used_lock),
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
	INIT_WORK(&mem->grow_ready, swiotlb_grow_ready);
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

/*
 * "swiotlb_wait_timeout_ms=": how long a mapping that may sleep waits for
 * room. "swiotlb_wait_ms=" is its older spelling, still accepted.
 */
static int __init swiotlb_parse_wait_timeout_ms(char *arg)
{
	return kstrtouint(arg, 0, &io_tlb_default_mem.wait_timeout_ms);
}
early_param("swiotlb_wait_timeout_ms", swiotlb_parse_wait_timeout_ms);

static int __init swiotlb_parse_wait_ms(char *arg)
{
	return swiotlb_parse_wait_timeout_ms(arg);
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

/* Who chose swiotlb_default_nslabs: an architecture only overrides the built-in size. */
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

	swiotlb_default_nareas = n > 1 ? roundup_pow_of_two(n) : 1;
	nslabs = swiotlb_round_nslabs(swiotlb_default_nslabs, swiotlb_default_nareas);
	if (nslabs != swiotlb_default_nslabs)
		pr_info("default pool rounded up to %lu MiB for %u areas\n",
			(nslabs << IO_TLB_SHIFT) >> 20, swiotlb_default_nareas);
	swiotlb_default_nslabs = nslabs;
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
		swiotlb_default_nslabs = cmd.nslabs;
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
	return swiotlb_default_nslabs << IO_TLB_SHIFT;
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
	unsigned long nslabs;

	if (default_size_from != SIZE_BUILTIN)
		return;
	default_size_from = SIZE_ARCH;
	nslabs = ALIGN(DIV_ROUND_UP(size, IO_TLB_SIZE), IO_TLB_SEGSIZE);
	swiotlb_default_nslabs = swiotlb_round_nslabs(nslabs, swiotlb_default_nareas);
	pr_info("default pool size set to %lu MiB\n",
		(swiotlb_default_nslabs << IO_TLB_SHIFT) >> 20);
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
	if (!swiotlb_default_nareas)
		swiotlb_set_nareas(num_possible_cpus());

	nslabs = swiotlb_default_nslabs;
	while (!(tlb = swiotlb_boot_memory(nslabs, flags, remap))) {
		if (nslabs <= SWIOTLB_MIN_NSLABS) {
			pr_warn("no memory for the default pool\n");
			return;
		}
		nslabs = ALIGN(nslabs / 2, IO_TLB_SEGSIZE);
	}
	if (nslabs != swiotlb_default_nslabs) {
		pr_info("default pool reduced from %lu to %lu slots\n",
			swiotlb_default_nslabs, nslabs);
		swiotlb_default_nslabs = nslabs;
	}

	nareas = swiotlb_fit_nareas(nslabs, swiotlb_default_nareas);
	meta = memblock_alloc(swiotlb_meta_size(nslabs, nareas), SMP_CACHE_BYTES);
	if (!meta) {
		pr_warn("no memory for the default pool's book-keeping\n");
		memblock_free(tlb, PAGE_ALIGN(nslabs << IO_TLB_SHIFT));
		return;
	}
	swiotlb_slots_setup(&mem->defpool, meta, __pa(tlb), tlb, nslabs, nareas);
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
	if (!swiotlb_default_nareas)
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

	nareas = swiotlb_fit_nareas(nslabs, swiotlb_default_nareas);
	meta = kvzalloc(swiotlb_meta_size(nslabs, nareas), GFP_KERNEL);
	if (!meta) {
		free_pages((unsigned long)tlb, order);
		return -ENOMEM;
	}
	set_memory_decrypted((unsigned long)tlb, nslabs >> (PAGE_SHIFT - IO_TLB_SHIFT));
	swiotlb_slots_setup(&mem->defpool, meta, virt_to_phys(tlb), tlb, nslabs, nareas);
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

#ifdef CONFIG_DEBUG_FS
/* The default allocator's debugfs files; restricted pools add theirs under it. */
static int __init swiotlb_debugfs_init(void)
{
	swiotlb_debugfs_add_default(&io_tlb_default_mem);
	return 0;
}
late_initcall(swiotlb_debugfs_init);
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
		swiotlb_slots_setup(&mem->defpool, meta, rmem->base,
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
