// SPDX-License-Identifier: GPL-2.0

#include <linux/dma-mapping.h>

dma_addr_t rust_helper_dma_map_single_attrs(struct device *dev, void *ptr,
					    size_t size,
					    enum dma_data_direction dir,
					    unsigned long attrs)
{
	return dma_map_single_attrs(dev, ptr, size, dir, attrs);
}

void rust_helper_dma_unmap_single_attrs(struct device *dev, dma_addr_t addr,
					size_t size,
					enum dma_data_direction dir,
					unsigned long attrs)
{
	dma_unmap_single_attrs(dev, addr, size, dir, attrs);
}

void rust_helper_dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr,
					 size_t size,
					 enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr, size, dir);
}

void rust_helper_dma_sync_single_for_device(struct device *dev,
					    dma_addr_t addr, size_t size,
					    enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr, size, dir);
}

int rust_helper_dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	return dma_mapping_error(dev, addr);
}

void *rust_helper_dma_alloc_coherent(struct device *dev, size_t size,
				     dma_addr_t *dma_handle, gfp_t gfp)
{
	return dma_alloc_coherent(dev, size, dma_handle, gfp);
}

void rust_helper_dma_free_coherent(struct device *dev, size_t size,
				   void *cpu_addr, dma_addr_t dma_handle)
{
	dma_free_coherent(dev, size, cpu_addr, dma_handle);
}

void rust_helper_dma_might_sleep(void)
{
	might_sleep();
}

void rust_helper_dma_rmb(void)
{
	dma_rmb();
}

void rust_helper_dma_wmb(void)
{
	dma_wmb();
}

u64 rust_helper_dma_get_mask(struct device *dev)
{
	return dma_get_mask(dev);
}

void *rust_helper_dma_page_address(struct page *page)
{
	return page_address(page);
}

void rust_helper_dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
				   enum dma_data_direction dir,
				   unsigned long attrs)
{
	dma_unmap_sgtable(dev, sgt, dir, attrs);
}

void rust_helper_dma_sync_sgtable_for_cpu(struct device *dev,
					  struct sg_table *sgt,
					  enum dma_data_direction dir)
{
	dma_sync_sgtable_for_cpu(dev, sgt, dir);
}

void rust_helper_dma_sync_sgtable_for_device(struct device *dev,
					     struct sg_table *sgt,
					     enum dma_data_direction dir)
{
	dma_sync_sgtable_for_device(dev, sgt, dir);
}

dma_addr_t rust_helper_dma_sg_address(struct scatterlist *sg)
{
	return sg_dma_address(sg);
}

unsigned int rust_helper_dma_sg_len(struct scatterlist *sg)
{
	return sg_dma_len(sg);
}

void rust_helper_dma_set_min_align_mask(struct device *dev,
					unsigned int min_align_mask)
{
	dma_set_min_align_mask(dev, min_align_mask);
}

void rust_helper_dma_set_max_seg_size(struct device *dev, unsigned int size)
{
	dma_set_max_seg_size(dev, size);
}
