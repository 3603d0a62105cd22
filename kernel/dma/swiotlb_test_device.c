// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb test devices: a device whose every streaming mapping bounces,
 * through a small bounce allocator of its own.
 *
 * The hardware that needs bounce buffers (a device in a confidential guest,
 * a 32-bit device on a machine with memory above 4 GiB) is not there in a
 * test VM. A test device looks the same to the DMA API: it uses dma-direct,
 * and its allocator bounces every mapping. The allocator being private, a
 * test or the sample driver can fill it without starving anybody else, and
 * the counters it reads are its own.
 *
 * The allocator has one fixed pool of the size asked for, with one area,
 * and does not grow: once it is full, callers that may sleep wait for
 * unmaps and the others get transient pools (or, without
 * CONFIG_SWIOTLB_DYNAMIC, fail), which makes over-subscription easy to
 * reach and repeatable. Its memory is not shared with a hypervisor,
 * so it is no model of a confidential guest's memory encryption.
 *
 * The device is freed when its last reference goes (Rust mappings hold
 * one), and the allocator with it, from a work item: the release may come
 * from any context, and freeing waits for retired transient pools.
 */

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#include "swiotlb_internal.h"

struct swiotlb_test_device {
	struct device dev;
	u64 dma_mask;
	struct io_tlb_mem mem;
	struct page *pages;
	unsigned int order;
	void *meta;
	struct work_struct free_work;
};

static struct swiotlb_test_device *to_test_device(struct device *dev)
{
	return container_of(dev, struct swiotlb_test_device, dev);
}

#ifdef CONFIG_SWIOTLB_DYNAMIC
/* The pool does not grow: there is nothing to do when asked to. */
static void swiotlb_test_device_no_growth(struct work_struct *work)
{
}
#endif

static void swiotlb_test_device_free(struct work_struct *work)
{
	struct swiotlb_test_device *td =
		container_of(work, struct swiotlb_test_device, free_work);

#ifdef CONFIG_SWIOTLB_DYNAMIC
	cancel_work_sync(&td->mem.grow_work);
	/* Transient pools of this allocator count into it when freed. */
	swiotlb_pools_settle();
#endif
	swiotlb_mem_exit(&td->mem);
	kvfree(td->meta);
	if (td->pages)
		__free_pages(td->pages, td->order);
	kfree(td);
}

static void swiotlb_test_device_release(struct device *dev)
{
	struct swiotlb_test_device *td = to_test_device(dev);

	INIT_WORK(&td->free_work, swiotlb_test_device_free);
	schedule_work(&td->free_work);
}

/* Lay the fixed pool out and make @td's allocator bounce everything. */
static int swiotlb_test_device_pool(struct swiotlb_test_device *td, unsigned long nslabs)
{
	struct io_tlb_mem *mem = &td->mem;

	td->order = get_order(nslabs << IO_TLB_SHIFT);
	td->pages = alloc_pages(GFP_KERNEL, td->order);
	td->meta = kvzalloc(swiotlb_meta_size(nslabs, 1), GFP_KERNEL);
	if (!td->pages || !td->meta)
		return -ENOMEM;

	swiotlb_slots_setup(&mem->defpool, td->meta, page_to_phys(td->pages),
			    page_address(td->pages), nslabs, 1);
	swiotlb_add_pool(mem, &mem->defpool);
	mem->force_bounce = true;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	mem->can_grow = true;
	mem->grow_limit = DMA_BIT_MASK(64);
#endif
	return 0;
}

/**
 * swiotlb_test_device_create() - a device whose every mapping bounces
 * @name:	device name (shown in swiotlb warnings and debugfs)
 * @pool_bytes:	size of its private pool, rounded up to whole slots
 *
 * The device has a 64-bit DMA mask, uses dma-direct, and is registered
 * without a bus or driver. See the top of this file for its allocator.
 *
 * Context: process context; sleeps.
 * Return: the device, holding one reference for the caller, or an
 * ERR_PTR(): -EINVAL for a pool size of zero or above one allocation,
 * -ENOMEM, or what device_add() returned.
 */
struct device *swiotlb_test_device_create(const char *name, size_t pool_bytes)
{
	unsigned long nslabs = DIV_ROUND_UP(pool_bytes, IO_TLB_SIZE);
	struct swiotlb_test_device *td;
	int err;

	if (!nslabs || nslabs > SWIOTLB_SLOTS_PER_PAGE << MAX_PAGE_ORDER)
		return ERR_PTR(-EINVAL);
	td = kzalloc(sizeof(*td), GFP_KERNEL);
	if (!td)
		return ERR_PTR(-ENOMEM);
	/* Ready before anything can fail: the release path cancels its work. */
	err = swiotlb_mem_init(&td->mem);
#ifdef CONFIG_SWIOTLB_DYNAMIC
	INIT_WORK(&td->mem.grow_work, swiotlb_test_device_no_growth);
#endif

	device_initialize(&td->dev);
	td->dev.release = swiotlb_test_device_release;
	td->dma_mask = DMA_BIT_MASK(64);
	td->dev.dma_mask = &td->dma_mask;
	td->dev.coherent_dma_mask = DMA_BIT_MASK(64);
	if (!err)
		err = dev_set_name(&td->dev, "%s", name);
	if (!err)
		err = swiotlb_test_device_pool(td, nslabs);
	if (!err) {
		/* After device_initialize(), which gives it the default one. */
		td->dev.dma_io_tlb_mem = &td->mem;
		err = device_add(&td->dev);
	}
	if (err) {
		put_device(&td->dev);
		return ERR_PTR(err);
	}
	return &td->dev;
}
EXPORT_SYMBOL_GPL(swiotlb_test_device_create);

/**
 * swiotlb_test_device_dma() - move bytes at a DMA address, as the device would
 * @dev:	a test device
 * @addr:	a DMA address the device was given (a mapping, coherent memory)
 * @buf:	kernel buffer of @len bytes
 * @len:	bytes to move
 * @to_memory:	%true: the device writes @buf to @addr; %false: it reads @addr
 *		into @buf
 *
 * What the device may touch is the caller's business, as with hardware;
 * this only refuses addresses that are not memory.
 *
 * Context: any.
 * Return: 0, or -EFAULT.
 */
int swiotlb_test_device_dma(struct device *dev, dma_addr_t addr, void *buf,
			    size_t len, bool to_memory)
{
	phys_addr_t phys = dma_to_phys(dev, addr);
	void *mem;

	if (!len)
		return 0;
	if (addr == DMA_MAPPING_ERROR || phys + len < phys ||
	    !pfn_valid(PHYS_PFN(phys)) || !pfn_valid(PHYS_PFN(phys + len - 1)))
		return -EFAULT;
	mem = phys_to_virt(phys);
	if (to_memory)
		memcpy(mem, buf, len);
	else
		memcpy(buf, mem, len);
	return 0;
}
EXPORT_SYMBOL_GPL(swiotlb_test_device_dma);

/**
 * swiotlb_test_device_destroy() - unregister a test device
 * @dev:	from swiotlb_test_device_create()
 *
 * Drops the creator's reference; the device and its allocator are freed
 * once nobody else holds one. Unmap everything first: mappings left behind
 * keep nothing alive in C.
 *
 * Context: process context; sleeps.
 */
void swiotlb_test_device_destroy(struct device *dev)
{
	device_unregister(dev);
}
EXPORT_SYMBOL_GPL(swiotlb_test_device_destroy);
