/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the white-box KUnit suites of the swiotlb core share: a test device,
 * private pools for the slot allocator, and (with SWIOTLB_DYNAMIC) a private
 * allocator, struct test_mem, with its map helpers, the swiotlb_test_point()
 * hook, bursts of mappings from kthreads, and a watch on the memory asked for
 * dynamic pools. The functions are in swiotlb_kunit_core.c; the suites are
 * linked with it into one object, swiotlb_core_kunit:
 *
 *   swiotlb_slots_kunit.c         swiotlb_slots         the slot allocator
 *   swiotlb_pools_kunit.c         swiotlb_pools         pools and the index
 *   swiotlb_policy_kunit.c        swiotlb_policy        full pools: waits,
 *                                                       transient pools, growth
 *   swiotlb_policy_lists_kunit.c  swiotlb_policy_lists  scatter-gather lists
 *   swiotlb_policy_stats_kunit.c  swiotlb_policy_stats  idle pools given back,
 *                                                       counters, tracepoints
 *   swiotlb_stress_kunit.c        swiotlb_stress        random maps, threads
 *   swiotlb_faults_kunit.c        swiotlb_faults        failed allocations
 *
 * The shared functions are named test_swiotlb_*, never swiotlb_*: the debug
 * run's fault storm (mk/initramfs/run.d/50-fault-storm.sh) takes the text
 * symbols named swiotlb_* for the swiotlb's own code.
 *
 * Locking: none of its own. Each case owns its allocator, pools and devices;
 * the hook and the watch are set for one case at a time (KUnit runs cases one
 * by one) and cleared when it ends.
 */
#ifndef _KERNEL_DMA_SWIOTLB_KUNIT_CORE_H
#define _KERNEL_DMA_SWIOTLB_KUNIT_CORE_H

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"

/* ---- Test devices and private pools ---- */

/* A KUnit device; @name must differ from the other devices of the case. */
static inline struct device *test_device_named(struct kunit *test, const char *name)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	return dev;
}

static inline struct device *test_device(struct kunit *test)
{
	return test_device_named(test, "swiotlb-core-kunit");
}

void test_swiotlb_setup_pool(struct kunit *test, struct io_tlb_pool *pool,
			     unsigned long nslabs, unsigned int nareas);

#ifdef CONFIG_SWIOTLB_DYNAMIC

/* ---- A private allocator ---- */

static inline long counter(atomic_long_t *c)
{
	return atomic_long_read(c);
}

/* A private bounce allocator, whose growth worker only counts requests. */
struct test_mem {
	struct io_tlb_mem mem;
	atomic_t grow_requests;
};

/* Slots in use in all pools of @tm, as debugfs io_tlb_used shows them. */
static inline long used_all(struct test_mem *tm)
{
	return swiotlb_stats_used(&tm->mem, SWIOTLB_USED_ALL);
}

static inline phys_addr_t map_phys_for(struct kunit *test, struct device *dev,
				       phys_addr_t orig, size_t size, unsigned long attrs)
{
	phys_addr_t tlb = swiotlb_tbl_map_single(dev, orig, size, 0, DMA_TO_DEVICE, attrs);

	KUNIT_ASSERT_NE_MSG(test, tlb, (phys_addr_t)DMA_MAPPING_ERROR, "mapping %zu bytes", size);
	return tlb;
}

static inline phys_addr_t map_phys(struct kunit *test, phys_addr_t orig, size_t size)
{
	return map_phys_for(test, test->priv, orig, size, 0);
}

static inline void unmap_phys(struct kunit *test, phys_addr_t tlb, size_t size)
{
	swiotlb_tbl_unmap_single(test->priv, tlb, size, DMA_TO_DEVICE, 0);
}

void test_swiotlb_mem_grow(struct work_struct *work);
struct test_mem *test_swiotlb_mem(struct kunit *test, struct device *dev,
				  unsigned long nslabs);

/*
 * Fill @tm's default pool with one mapping of @page (from a
 * SWIOTLB_MAX_ALLOC allocation), and let mappings that may sleep add a
 * pool of the default's size themselves, waiting at most @wait_ms.
 * Return: the filling mapping.
 */
static inline phys_addr_t fill_and_grow_inline(struct kunit *test, struct test_mem *tm,
					       struct page *page, unsigned int wait_ms)
{
	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = wait_ms;
	return map_phys(test, page_to_phys(page), SWIOTLB_MAX_ALLOC);
}

/* Poll (bounded, 5 to 20 s) until @cond holds: a result never depends on timing. */
#define test_poll_until(cond)						\
	do {								\
		unsigned int __i;					\
									\
		for (__i = 0; __i < 10000 && !(cond); __i++)		\
			usleep_range(1000, 2000);			\
	} while (0)

/* Poll until @n mappings wait on @mem; fail the case if they never do. */
static inline void expect_waiters(struct kunit *test, struct io_tlb_mem *mem, unsigned int n)
{
	test_poll_until(READ_ONCE(mem->nwaiters) == n);
	KUNIT_ASSERT_EQ(test, READ_ONCE(mem->nwaiters), n);
}

int test_swiotlb_pools_init(struct kunit *test);
void test_swiotlb_set_hook(struct kunit *test,
			   void (*hook)(enum swiotlb_test_point point, const void *arg));

/* ---- Bursts of mappings, each from a kthread ---- */

#define BURST_MAX_WORKERS	16

/* One mapping made by a kthread, as a driver's submission path would. */
struct burst_worker {
	struct device *dev;
	u8 *buf;
	size_t size;
	unsigned long attrs;
	atomic_t *served;
	bool mapped;
	bool verified;
	struct completion done;
};

/*
 * A burst: @fill holds the private pool full until released; the workers
 * then compete for room. Cleanup releases the fill and waits for every
 * worker, so that a failed assertion never leaves one behind.
 */
struct burst {
	struct kunit *test;
	struct page *page;
	phys_addr_t fill[4];
	unsigned int nfill;
	unsigned int nworkers;
	atomic_t served;
	struct burst_worker w[BURST_MAX_WORKERS];
};

struct burst *test_swiotlb_burst_start(struct kunit *test, struct test_mem **tmp);
struct burst_worker *test_swiotlb_burst_add(struct burst *b, size_t size,
					    unsigned long attrs);
void test_swiotlb_burst_join(struct burst *b);
void test_swiotlb_burst_release_fill(struct burst *b);

/* ---- Memory asked for dynamic pools ---- */

/*
 * What the watch sees of the memory asked for dynamic pools: how many
 * requests the task under test made, the flags of the last one and the
 * most slots in use in its allocator when one was made. A case stops the
 * watch by clearing @task.
 */
struct pool_memory_seen {
	struct task_struct *task;
	struct test_mem *tm;
	unsigned int n;
	gfp_t gfp;
	long max_used;
};

extern struct pool_memory_seen test_swiotlb_pool_memory;

void test_swiotlb_watch_pool_memory(struct kunit *test, struct test_mem *tm);

#endif /* CONFIG_SWIOTLB_DYNAMIC */
#endif /* _KERNEL_DMA_SWIOTLB_KUNIT_CORE_H */
