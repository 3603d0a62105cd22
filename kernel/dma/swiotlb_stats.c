// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb statistics: the counters behind debugfs and their files.
 *
 * Each allocator has a directory (the default one is "swiotlb", a restricted
 * DMA pool's is named after its device-tree node) with:
 *   io_tlb_nslabs            slots of the default and dynamic pools
 *   io_tlb_used              slots in use, transient pools included
 *   io_tlb_used_hiwater      highest io_tlb_used seen; write 0 to reset
 *   io_tlb_transient_nslabs  slots of the live transient pools
 *   transient_pools_created  transient pools made since boot
 *   transient_pools_freed    transient pools freed since boot
 *
 * Locking: the counters are atomics, updated after the slot allocator has
 * done its work; a reader may see them a moment behind it.
 */

#include <linux/debugfs.h>
#include <linux/init.h>

#include "swiotlb_internal.h"

/**
 * swiotlb_stats_add_used() - count slots taken, and raise the high-water mark
 * @mem:	the allocator
 * @nslots:	slots taken
 */
void swiotlb_stats_add_used(struct io_tlb_mem *mem, unsigned int nslots)
{
	long used = atomic_long_add_return(nslots, &mem->total_used);
	long high = atomic_long_read(&mem->used_hiwater);

	while (used > high && !atomic_long_try_cmpxchg(&mem->used_hiwater, &high, used))
		;
}

/* A counter: @data points to its atomic_long_t. */
static int counter_get(void *data, u64 *val)
{
	*val = atomic_long_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(counter_fops, counter_get, NULL, "%llu\n");

/* A high-water mark, which only takes 0 (to start again). */
static int hiwater_set(void *data, u64 val)
{
	if (val)
		return -EINVAL;
	atomic_long_set(data, 0);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hiwater_fops, counter_get, hiwater_set, "%llu\n");

/**
 * swiotlb_create_debugfs_files() - show an allocator's counters in debugfs
 * @mem:	the allocator
 * @dirname:	its directory, under the default allocator's (or at the
 *		top for the default allocator itself)
 */
void swiotlb_create_debugfs_files(struct io_tlb_mem *mem, const char *dirname)
{
	struct dentry *parent = mem == &io_tlb_default_mem ? NULL :
				io_tlb_default_mem.debugfs;

	mem->debugfs = debugfs_create_dir(dirname, parent);
	debugfs_create_ulong("io_tlb_nslabs", 0400, mem->debugfs, &mem->nslabs);
	debugfs_create_file("io_tlb_used", 0400, mem->debugfs, &mem->total_used,
			    &counter_fops);
	debugfs_create_file("io_tlb_used_hiwater", 0600, mem->debugfs, &mem->used_hiwater,
			    &hiwater_fops);
	debugfs_create_file("io_tlb_transient_nslabs", 0400, mem->debugfs,
			    &mem->transient_nslabs, &counter_fops);
	debugfs_create_file("transient_pools_created", 0400, mem->debugfs,
			    &mem->transient_created, &counter_fops);
	debugfs_create_file("transient_pools_freed", 0400, mem->debugfs,
			    &mem->transient_freed, &counter_fops);
}

static int __init swiotlb_debugfs_init(void)
{
	swiotlb_create_debugfs_files(&io_tlb_default_mem, "swiotlb");
	return 0;
}
late_initcall(swiotlb_debugfs_init);
