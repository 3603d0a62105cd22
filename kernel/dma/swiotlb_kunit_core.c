// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers of the white-box KUnit suites of the swiotlb core (see
 * swiotlb_kunit_core.h for the suites): private pools laid out over fresh
 * pages, a private allocator whose growth worker only counts requests, the
 * swiotlb_test_point() hook set for one case, bursts of mappings made from
 * kthreads over a full private pool, and the watch on the memory asked for
 * dynamic pools. Linked with the suites into the object swiotlb_core_kunit,
 * whose name its module parameters (swiotlb_stress's stress_ops) carry.
 *
 * Locking: none of its own. What a case sets up is undone by KUnit actions
 * when the case ends, in reverse order; the hook is cleared, and an RCU
 * grace period waited for, before the next case runs.
 */

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

/* ---- Private pools ---- */

struct test_pool {
	struct io_tlb_pool *pool;
	struct page *pages;
	unsigned int order;
};

static void test_pool_free(void *data)
{
	struct test_pool *tp = data;

	__free_pages(tp->pages, tp->order);
}

/*
 * Lay out @pool over fresh pages. The memory is aligned to its own size, so
 * slot numbers and DMA address bits line up predictably.
 */
void test_swiotlb_setup_pool(struct kunit *test, struct io_tlb_pool *pool,
			     unsigned long nslabs, unsigned int nareas)
{
	struct test_pool *tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);
	void *meta;

	KUNIT_ASSERT_NOT_NULL(test, tp);
	nareas = swiotlb_fit_nareas(nslabs, nareas);
	tp->pool = pool;
	tp->order = get_order(nslabs << IO_TLB_SHIFT);
	tp->pages = alloc_pages(GFP_KERNEL, tp->order);
	KUNIT_ASSERT_NOT_NULL(test, tp->pages);
	meta = kunit_kzalloc(test, swiotlb_meta_size(nslabs, nareas), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, meta);
	swiotlb_slots_setup(pool, meta, page_to_phys(tp->pages), page_address(tp->pages),
			    nslabs, nareas);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_pool_free, tp), 0);
}

#ifdef CONFIG_SWIOTLB_DYNAMIC

/* ---- A private allocator ---- */

/* Growth is only counted here: the tests decide what pools exist. */
void test_swiotlb_mem_grow(struct work_struct *work)
{
	struct test_mem *tm = container_of(work, struct test_mem, mem.grow_work);

	atomic_inc(&tm->grow_requests);
}

static void test_mem_release(void *data)
{
	struct test_mem *tm = data;
	struct io_tlb_pool *pool, *next;

	cancel_work_sync(&tm->mem.grow_work);
	/* A pool added from a mapping's context is listed (then retired below). */
	flush_work(&tm->mem.grow_ready);
	cancel_delayed_work_sync(&tm->mem.shrink_work);
	/* Dynamic pools that a test let the real worker add go too. */
	list_for_each_entry_safe(pool, next, &tm->mem.pools, node)
		if (pool != &tm->mem.defpool)
			swiotlb_pool_retire(pool);
	swiotlb_pools_settle();
}

static void test_mem_exit(void *data)
{
	struct test_mem *tm = data;

	swiotlb_mem_exit(&tm->mem);
}

/*
 * A private allocator for @dev with a default pool of @nslabs slots, which
 * may grow (into transient pools: the worker only counts).
 */
struct test_mem *test_swiotlb_mem(struct kunit *test, struct device *dev,
				  unsigned long nslabs)
{
	struct test_mem *tm = kunit_kzalloc(test, sizeof(*tm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tm);
	KUNIT_ASSERT_EQ(test, swiotlb_mem_init(&tm->mem), 0);
	/* At once: an assertion below must not leak the per-CPU counts. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_mem_exit, tm), 0);
	INIT_WORK(&tm->mem.grow_work, test_swiotlb_mem_grow);
	tm->mem.can_grow = true;
	tm->mem.grow_limit = DMA_BIT_MASK(32);
	tm->mem.force_bounce = true;
	test_swiotlb_setup_pool(test, &tm->mem.defpool, nslabs, 1);
	swiotlb_add_pool(&tm->mem, &tm->mem.defpool);
	/* Undone first (in reverse order): the pools go before the counts. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_mem_release, tm), 0);
	dev->dma_io_tlb_mem = &tm->mem;
	return tm;
}

int test_swiotlb_pools_init(struct kunit *test)
{
	struct device *dev = test_device(test);

	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32)), 0);
	test->priv = dev;
	return 0;
}

/* ---- The hook ---- */

/* The white-box hook of swiotlb_test_point(), cleared when the case ends. */
static void clear_test_hook(void *data)
{
	WRITE_ONCE(swiotlb_test_hook, NULL);
	WRITE_ONCE(swiotlb_test_unencrypted, false);
	synchronize_rcu();
}

void test_swiotlb_set_hook(struct kunit *test,
			   void (*hook)(enum swiotlb_test_point point, const void *arg))
{
	WRITE_ONCE(swiotlb_test_hook, hook);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, clear_test_hook, NULL), 0);
}

/* ---- Bursts of mappings ---- */

static int burst_worker_fn(void *data)
{
	struct burst_worker *w = data;
	phys_addr_t tlb;

	tlb = swiotlb_tbl_map_single(w->dev, virt_to_phys(w->buf), w->size, 0,
				     DMA_TO_DEVICE, w->attrs);
	w->mapped = tlb != (phys_addr_t)DMA_MAPPING_ERROR;
	if (w->mapped) {
		atomic_inc(w->served);
		w->verified = !memcmp(phys_to_virt(tlb), w->buf, w->size);
		swiotlb_tbl_unmap_single(w->dev, tlb, w->size, DMA_TO_DEVICE, 0);
	}
	/* Done for good: both the test and its cleanup wait for it. */
	complete_all(&w->done);
	return 0;
}

void test_swiotlb_burst_release_fill(struct burst *b)
{
	while (b->nfill) {
		b->nfill--;
		swiotlb_tbl_unmap_single(b->test->priv, b->fill[b->nfill], SZ_64K,
					 DMA_TO_DEVICE, 0);
	}
}

static void burst_cleanup(void *data)
{
	struct burst *b = data;
	unsigned int i;

	test_swiotlb_burst_release_fill(b);
	for (i = 0; i < b->nworkers; i++)
		wait_for_completion(&b->w[i].done);
	__free_pages(b->page, get_order(SWIOTLB_MAX_ALLOC));
}

/* A burst on a private 128-slot pool, filled with four 32-slot mappings. */
struct burst *test_swiotlb_burst_start(struct kunit *test, struct test_mem **tmp)
{
	struct burst *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	struct test_mem *tm;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	tm = test_swiotlb_mem(test, test->priv, IO_TLB_SEGSIZE);
	tm->mem.wait_timeout_ms = 60000;
	b->test = test;
	atomic_set(&b->served, 0);
	b->page = alloc_pages(GFP_KERNEL, get_order(SWIOTLB_MAX_ALLOC));
	KUNIT_ASSERT_NOT_NULL(test, b->page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, burst_cleanup, b), 0);
	for (i = 0; i < ARRAY_SIZE(b->fill); i++) {
		b->fill[i] = map_phys(test, page_to_phys(b->page) + i * SZ_64K, SZ_64K);
		b->nfill++;
	}
	*tmp = tm;
	return b;
}

/* Start a worker mapping @size bytes with @attrs. */
struct burst_worker *test_swiotlb_burst_add(struct burst *b, size_t size,
					    unsigned long attrs)
{
	struct kunit *test = b->test;
	struct burst_worker *w;
	struct task_struct *task;

	KUNIT_ASSERT_LT(test, b->nworkers, BURST_MAX_WORKERS);
	w = &b->w[b->nworkers];
	w->dev = test->priv;
	w->size = size;
	w->attrs = attrs;
	w->served = &b->served;
	w->buf = kunit_kmalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->buf);
	memset(w->buf, b->nworkers + 1, size);
	init_completion(&w->done);
	task = kthread_run(burst_worker_fn, w, "swiotlb-burst/%u", b->nworkers);
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	b->nworkers++;
	return w;
}

void test_swiotlb_burst_join(struct burst *b)
{
	unsigned int i;

	for (i = 0; i < b->nworkers; i++)
		wait_for_completion(&b->w[i].done);
}

/* ---- Memory asked for dynamic pools ---- */

struct pool_memory_seen test_swiotlb_pool_memory;

static void watch_pool_memory(enum swiotlb_test_point point, const void *arg)
{
	const struct swiotlb_test_memory *what = arg;

	if (point != SWIOTLB_TEST_MEMORY || what->per_mapping ||
	    current != READ_ONCE(test_swiotlb_pool_memory.task))
		return;
	test_swiotlb_pool_memory.n++;
	test_swiotlb_pool_memory.gfp = what->gfp;
	test_swiotlb_pool_memory.max_used = max(test_swiotlb_pool_memory.max_used,
						used_all(test_swiotlb_pool_memory.tm));
}

void test_swiotlb_watch_pool_memory(struct kunit *test, struct test_mem *tm)
{
	memset(&test_swiotlb_pool_memory, 0, sizeof(test_swiotlb_pool_memory));
	test_swiotlb_pool_memory.tm = tm;
	WRITE_ONCE(test_swiotlb_pool_memory.task, current);
	test_swiotlb_set_hook(test, watch_pool_memory);
}
#endif /* CONFIG_SWIOTLB_DYNAMIC */

MODULE_DESCRIPTION("White-box KUnit tests of the swiotlb core");
MODULE_LICENSE("GPL");
