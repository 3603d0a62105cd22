// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb fault injection: the allocations of the map path fail on demand.
 *
 * The kernel's fault-injection knobs (Documentation/fault-injection/) under
 * the name "fail_swiotlb": the boot parameter
 * fail_swiotlb=<interval>,<probability>,<space>,<times>, and, with
 * CONFIG_FAULT_INJECTION_DEBUG_FS, /sys/kernel/debug/fail_swiotlb/ with the
 * usual files plus "sites", a mask of the allocations that may fail:
 *
 *   0x1  memory of a dynamic, transient or reserved pool
 *   0x2  book-keeping of such a pool (its structure and slot records)
 *   0x4  a device's statistics record
 *
 * Whatever fails, a mapping fails cleanly or waits, and nothing leaks.
 */

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/init.h>

#include "swiotlb_internal.h"

static DECLARE_FAULT_ATTR(swiotlb_fail_attr);
static u32 swiotlb_fail_sites = SWIOTLB_FAIL_MEMORY | SWIOTLB_FAIL_META |
				SWIOTLB_FAIL_DEV_STATS;

static int __init swiotlb_fail_setup(char *str)
{
	/* setup_fault_attr() answers in __setup() terms: 1 is success. */
	return setup_fault_attr(&swiotlb_fail_attr, str) ? 0 : -EINVAL;
}
early_param("fail_swiotlb", swiotlb_fail_setup);

/**
 * swiotlb_should_fail() - should this allocation fail?
 * @site:	which allocation (&enum swiotlb_fail_site)
 * @size:	its size
 *
 * Return: %true to make the caller behave as if the allocation failed.
 */
bool swiotlb_should_fail(enum swiotlb_fail_site site, size_t size)
{
	return (READ_ONCE(swiotlb_fail_sites) & site) && should_fail(&swiotlb_fail_attr, size);
}

/**
 * swiotlb_fail_arm() - make the next allocations at some sites fail
 * @sites:	mask of &enum swiotlb_fail_site; 0 stops failing
 * @times:	how many allocations fail (-1: all of them)
 *
 * For tests: quiet (no stack dump per failure), every time, in any task.
 */
void swiotlb_fail_arm(u32 sites, int times)
{
	swiotlb_fail_attr.verbose = 0;
	swiotlb_fail_attr.interval = 1;
	swiotlb_fail_attr.probability = sites ? 100 : 0;
	atomic_set(&swiotlb_fail_attr.times, sites ? times : 0);
	WRITE_ONCE(swiotlb_fail_sites, sites);
}

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static int __init swiotlb_fail_debugfs(void)
{
	struct dentry *dir;

	dir = fault_create_debugfs_attr("fail_swiotlb", NULL, &swiotlb_fail_attr);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	debugfs_create_x32("sites", 0600, dir, &swiotlb_fail_sites);
	return 0;
}
late_initcall(swiotlb_fail_debugfs);
#endif
