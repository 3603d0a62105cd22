// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_stress: random mappings from four threads, on devices
 * with different min_align_mask, while a private allocator grows in
 * one-segment pools, gives idle ones back and makes transient pools; every
 * byte of every buffer is checked. stress_ops (module swiotlb_core_kunit)
 * sets the operations per thread: `make stress COUNT=n`, and the debug
 * run's fault storm, which runs this suite again.
 *
 * Locking: none of its own. Each thread owns its mappings and its device;
 * the run's totals are atomics; the allocator is the suite's own.
 */

#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"

static unsigned int stress_ops = 40000;
module_param(stress_ops, uint, 0644);
MODULE_PARM_DESC(stress_ops, "operations per thread of the swiotlb_stress suite");

#define STRESS_THREADS	4
#define STRESS_HELD	8		/* mappings a thread holds at most */
#define STRESS_MAX	SZ_64K
#define STRESS_GUARD	256		/* bytes either side that must not change */

struct stress_map {
	u8 *buf;			/* STRESS_MAX + 2 * STRESS_GUARD bytes */
	dma_addr_t dma;
	size_t off, size;
	enum dma_data_direction dir;
	u8 seed, dev_seed;		/* CPU pattern, device pattern */
	bool live;
};

struct stress {
	struct device *dev[STRESS_THREADS];
	atomic_long_t ops, maps, atomic_maps, failed_maps, bytes, errors;
	atomic_t left;
	struct completion done;
};

static u8 stress_byte(u8 seed, size_t i)
{
	return seed ^ (i * 131) ^ (i >> 8);
}

static bool stress_check(struct stress *s, const u8 *p, size_t n, u8 seed, size_t first)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != stress_byte(seed, first + i)) {
			if (atomic_long_inc_return(&s->errors) <= 5)
				pr_err("swiotlb stress: byte %zu is %#x, not %#x\n", first + i,
				       p[i], stress_byte(seed, first + i));
			return false;
		}
	}
	atomic_long_add(n, &s->bytes);
	return true;
}

static void stress_fill(u8 *p, size_t n, u8 seed, size_t first)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = stress_byte(seed, first + i);
}

/* Map a random piece of @m->buf, then play the device: check what it reads, write back. */
static void stress_start(struct stress *s, struct device *dev, struct stress_map *m,
			 struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);
	bool atomic = !(r & 3);
	u8 *bounce;

	m->size = (r >> 2) & 1 ? 1 + prandom_u32_state(rnd) % SZ_4K :
				 1 + prandom_u32_state(rnd) % STRESS_MAX;
	m->off = STRESS_GUARD + prandom_u32_state(rnd) % STRESS_GUARD;
	m->size = min_t(size_t, m->size, STRESS_MAX + STRESS_GUARD - m->off);
	m->dir = (r >> 3) % 3 == 0 ? DMA_TO_DEVICE :
		 (r >> 3) % 3 == 1 ? DMA_FROM_DEVICE : DMA_BIDIRECTIONAL;
	m->seed = r >> 8;
	m->dev_seed = r >> 16;
	stress_fill(m->buf, STRESS_MAX + 2 * STRESS_GUARD, m->seed, 0);

	if (atomic)
		preempt_disable();
	m->dma = dma_map_single_attrs(dev, m->buf + m->off, m->size, m->dir,
				      atomic ? DMA_ATTR_NO_WARN :
					       DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	if (atomic)
		preempt_enable();
	atomic_long_inc(&s->maps);
	if (atomic)
		atomic_long_inc(&s->atomic_maps);
	if (dma_mapping_error(dev, m->dma)) {
		atomic_long_inc(&s->failed_maps);
		return;
	}
	m->live = true;
	bounce = phys_to_virt(dma_to_phys(dev, m->dma));
	/* Whatever the direction, the device finds the buffer's bytes. */
	stress_check(s, bounce, m->size, m->seed, m->off);
	if (m->dir != DMA_TO_DEVICE)
		stress_fill(bounce, m->size, m->dev_seed, m->off);
	/* Half the time, a partial sync for the CPU of what the device wrote. */
	if (m->dir != DMA_TO_DEVICE && m->size > 1 && (r & BIT(24))) {
		size_t a = prandom_u32_state(rnd) % m->size;
		size_t n = 1 + prandom_u32_state(rnd) % (m->size - a);

		dma_sync_single_for_cpu(dev, m->dma + a, n, m->dir);
		stress_check(s, m->buf + m->off + a, n, m->dev_seed, m->off + a);
		dma_sync_single_for_device(dev, m->dma + a, n, m->dir);
	}
}

/* Unmap and check every byte of the buffer, guards included. */
static void stress_finish(struct stress *s, struct device *dev, struct stress_map *m)
{
	u8 *b = m->buf;
	size_t end = m->off + m->size;

	dma_unmap_single(dev, m->dma, m->size, m->dir);
	m->live = false;
	stress_check(s, b, m->off, m->seed, 0);
	stress_check(s, b + m->off, m->size, m->dir == DMA_TO_DEVICE ? m->seed : m->dev_seed,
		     m->off);
	stress_check(s, b + end, STRESS_MAX + 2 * STRESS_GUARD - end, m->seed, end);
}

static int stress_thread(void *data)
{
	struct stress *s = data;
	unsigned int me = atomic_dec_return(&s->left), i, n;
	struct device *dev = s->dev[me];
	struct stress_map *m = kcalloc(STRESS_HELD, sizeof(*m), GFP_KERNEL);
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 0x5eed + me);
	for (i = 0; m && i < STRESS_HELD; i++) {
		m[i].buf = kmalloc(STRESS_MAX + 2 * STRESS_GUARD, GFP_KERNEL);
		if (!m[i].buf)
			atomic_long_inc(&s->errors);
	}
	for (n = 0; m && n < stress_ops; n++) {
		struct stress_map *x = &m[prandom_u32_state(&rnd) % STRESS_HELD];

		if (!x->buf)
			continue;
		if (x->live)
			stress_finish(s, dev, x);
		else
			stress_start(s, dev, x, &rnd);
		atomic_long_inc(&s->ops);
		if (!(n & 63))
			cond_resched();
	}
	for (i = 0; m && i < STRESS_HELD; i++) {
		if (m[i].live)
			stress_finish(s, dev, &m[i]);
		kfree(m[i].buf);
	}
	if (!m)
		atomic_long_inc(&s->errors);
	kfree(m);
	complete(&s->done);
	return 0;
}

static void random_maps_from_many_threads_keep_every_byte(struct kunit *test)
{
	static const unsigned int min_align[STRESS_THREADS] = { 0, SZ_4K - 1, SZ_2K - 1, 0 };
	struct test_mem *tm = test_swiotlb_mem(test, test->priv, IO_TLB_SEGSIZE);
	struct swiotlb_stats *st = &tm->mem.stats;
	struct stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct io_tlb_pool *pool;
	u64 start = ktime_get_ns();
	unsigned long used = 0;
	char name[32];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	/* The real worker, in pools of one segment, given back after 100 ms unused. */
	INIT_WORK(&tm->mem.grow_work, swiotlb_grow);
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.idle_ms = 100;
	for (i = 0; i < STRESS_THREADS; i++) {
		snprintf(name, sizeof(name), "swiotlb-stress-%d", i);
		s->dev[i] = i ? test_device_named(test, name) : test->priv;
		KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(s->dev[i], DMA_BIT_MASK(32)), 0);
		dma_set_min_align_mask(s->dev[i], min_align[i]);
		s->dev[i]->dma_io_tlb_mem = &tm->mem;
	}
	init_completion(&s->done);
	atomic_set(&s->left, STRESS_THREADS);
	for (i = 0; i < STRESS_THREADS; i++) {
		struct task_struct *t = kthread_run(stress_thread, s, "swiotlb-stress/%d", i);

		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < STRESS_THREADS; i++)
		wait_for_completion(&s->done);

	kunit_info(test, "%ld ops, %ld maps (%ld atomic, %ld failed), %ld bytes verified, %llu ms; pools added/freed: dynamic %ld/%ld, transient %ld/%ld (%ld could not be allocated); %ld waits\n",
		   atomic_long_read(&s->ops), atomic_long_read(&s->maps),
		   atomic_long_read(&s->atomic_maps), atomic_long_read(&s->failed_maps),
		   atomic_long_read(&s->bytes), div_u64(ktime_get_ns() - start, NSEC_PER_MSEC),
		   counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_freed[SWIOTLB_POOL_DYNAMIC]),
		   counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]),
		   counter(&st->pools_freed[SWIOTLB_POOL_TRANSIENT]),
		   counter(&st->transient_failed), counter(&st->waits));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->ops), (long)STRESS_THREADS * stress_ops);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->bytes), 0);
	/*
	 * The run grew the allocator. Whether atomic maps also met full pools
	 * (transient pools) depends on timing: the policy and faults suites
	 * pin that path down; here it is only counted.
	 */
	KUNIT_EXPECT_GT(test, counter(&st->pools_added[SWIOTLB_POOL_DYNAMIC]), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->failed_maps), counter(&st->map_failures));

	/* Back to the start: nothing held, nobody waiting, every transient pool freed. */
	cancel_work_sync(&tm->mem.grow_work);
	swiotlb_pools_settle();
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&tm->mem.transient_nslabs), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tm->mem.nwaiters), 0);
	KUNIT_EXPECT_EQ(test, counter(&st->pools_added[SWIOTLB_POOL_TRANSIENT]),
			counter(&st->pools_freed[SWIOTLB_POOL_TRANSIENT]));
	for (i = 0; i < STRESS_THREADS; i++)
		KUNIT_EXPECT_TRUE(test, list_empty(&s->dev[i]->dma_io_tlb_pools));
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &tm->mem.pools, node)
		used += swiotlb_slots_used(pool);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, used, 0);
}

static struct kunit_case swiotlb_stress_cases[] = {
	KUNIT_CASE_SLOW(random_maps_from_many_threads_keep_every_byte),
	{}
};

static struct kunit_suite swiotlb_stress_suite = {
	.name = "swiotlb_stress",
	.init = test_swiotlb_pools_init,
	.test_cases = swiotlb_stress_cases,
};

kunit_test_suite(swiotlb_stress_suite);
