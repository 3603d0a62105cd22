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

static int used_get(void *data, u64 *val)
{
	*val = atomic_long_read(&((struct io_tlb_mem *)data)->total_used);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(used_fops, used_get, NULL, "%llu\n");

static int hiwater_get(void *data, u64 *val)
{
	*val = atomic_long_read(&((struct io_tlb_mem *)data)->used_hiwater);
	return 0;
}

static int hiwater_set(void *data, u64 val)
{
	if (val)
		return -EINVAL;
	atomic_long_set(&((struct io_tlb_mem *)data)->used_hiwater, 0);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(hiwater_fops, hiwater_get, hiwater_set, "%llu\n");

static int transient_get(void *data, u64 *val)
{
	*val = atomic_long_read(&((struct io_tlb_mem *)data)->transient_nslabs);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(transient_fops, transient_get, NULL, "%llu\n");

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
	debugfs_create_file("io_tlb_used", 0400, mem->debugfs, mem, &used_fops);
	debugfs_create_file("io_tlb_used_hiwater", 0600, mem->debugfs, mem, &hiwater_fops);
	debugfs_create_file("io_tlb_transient_nslabs", 0400, mem->debugfs, mem,
			    &transient_fops);
}

static int __init swiotlb_debugfs_init(void)
{
	swiotlb_create_debugfs_files(&io_tlb_default_mem, "swiotlb");
	return 0;
}
late_initcall(swiotlb_debugfs_init);
