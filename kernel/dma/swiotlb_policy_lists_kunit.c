// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite swiotlb_policy_lists: scatter-gather lists that may sleep
 * over full pools, on a private allocator: a list takes all its bounce
 * buffers or none and waits holding none, so two lists never wait on one
 * another; a list larger than all fixed pools is refused at once; entries
 * given back wake whom they should and nobody else; no pool is added while
 * the list holds slots. Each case states one rule in its name.
 *
 * Locking: none of its own. Each case owns a private allocator
 * (test_swiotlb_mem()) and its devices, which KUnit actions undo when the
 * case ends.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "swiotlb_internal.h"
#include "swiotlb_kunit_core.h"
#include "swiotlb_kunit_log.h"

/* Two lists mapped at once, each three 64 KiB entries (96 of 128 slots). */
#define LIST_ENTRIES	3

struct list_mapper {
	struct device *dev;
	struct scatterlist sg[LIST_ENTRIES];
	int ret;
	struct completion done;
};

static struct {
	struct task_struct *task[2];
	atomic_t mapped[2];
} lists_meet;

/*
 * The mappers go in step for their first two buffers: each, once it has
 * filled one, waits (1 s at most) until the other has filled as many. That
 * is the interleaving in which mapping entry by entry leaves both lists
 * holding two thirds of what they need, and the pool full.
 */
static void lists_meet_after_each_entry(enum swiotlb_test_point point, const void *arg)
{
	unsigned int i, n;
	int mine;

	if (point != SWIOTLB_TEST_MAPPED)
		return;
	for (i = 0; i < ARRAY_SIZE(lists_meet.task); i++)
		if (READ_ONCE(lists_meet.task[i]) == current)
			break;
	if (i == ARRAY_SIZE(lists_meet.task))
		return;
	mine = atomic_inc_return(&lists_meet.mapped[i]);
	if (mine > 2)
		return;
	for (n = 0; n < 100 && atomic_read(&lists_meet.mapped[!i]) < mine; n++)
		usleep_range(10000, 11000);
}

static int list_mapper_fn(void *data)
{
	struct list_mapper *m = data;

	m->ret = dma_map_sg_attrs(m->dev, m->sg, LIST_ENTRIES, DMA_TO_DEVICE,
				  DMA_ATTR_MAY_BLOCK);
	if (m->ret > 0) {
		msleep(100);
		dma_unmap_sg_attrs(m->dev, m->sg, LIST_ENTRIES, DMA_TO_DEVICE, 0);
	}
	complete_all(&m->done);
	return 0;
}

/*
 * dma_map_sg() maps entry by entry; two lists that each got part of a full
 * pool would wait for each other until the wait timed out. A list that may
 * sleep takes all its bounce buffers or none, and waits holding none.
 */
static void two_lists_over_a_full_pool_never_wait_on_one_another(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct list_mapper *m = kunit_kcalloc(test, 2, sizeof(*m), GFP_KERNEL);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(LIST_ENTRIES * SZ_64K));
	struct task_struct *task;
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, page);
	/* A deadlock shows as a time-out (no growth, no transient pools here). */
	tm->mem.wait_timeout_ms = 3000;
	memset(&lists_meet, 0, sizeof(lists_meet));
	test_swiotlb_set_hook(test, lists_meet_after_each_entry);
	for (i = 0; i < 2; i++) {
		m[i].dev = dev;
		init_completion(&m[i].done);
		sg_init_table(m[i].sg, LIST_ENTRIES);
		for (j = 0; j < LIST_ENTRIES; j++)
			sg_set_page(&m[i].sg[j], page + j * (SZ_64K >> PAGE_SHIFT), SZ_64K, 0);
	}
	for (i = 0; i < 2; i++) {
		task = kthread_create(list_mapper_fn, &m[i], "swiotlb-list/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		WRITE_ONCE(lists_meet.task[i], task);
	}
	for (i = 0; i < 2; i++)
		wake_up_process(lists_meet.task[i]);
	for (i = 0; i < 2; i++)
		wait_for_completion(&m[i].done);

	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ_MSG(test, m[i].ret, LIST_ENTRIES, "list %u", i);
	KUNIT_EXPECT_GE(test, atomic_read(&lists_meet.mapped[0]), 2);
	KUNIT_EXPECT_GE(test, atomic_read(&lists_meet.mapped[1]), 2);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 0);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_TRANSIENT]), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	/*
	 * The list that waits tries when it becomes the oldest waiter and
	 * once per unmap of the other list at most, not in a loop for the
	 * other list's 100 ms. And it takes no entry only to give it back
	 * while the pools' count says it cannot fit: each list fills its
	 * entries once after the two of the first round.
	 */
	KUNIT_EXPECT_LE(test, counter(&tm->mem.stats.wait_attempts), 2 + 2 * LIST_ENTRIES);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_LE_MSG(test, atomic_read(&lists_meet.mapped[i]), 2 + LIST_ENTRIES,
				    "buffers filled by list %u", i);
	__free_pages(page, get_order(LIST_ENTRIES * SZ_64K));
}

/*
 * For the list tests below: fill a pool of IO_TLB_SEGSIZE slots with three
 * 64 KiB buffers from @page and give the middle one back, so that 64 slots
 * are free in two runs of 32 (@hold keeps the outer two), and build in @sgt
 * a list of two entries, 8 and 48 slots, which the count says may fit and
 * the runs say does not.
 */
static void split_pool_for_list(struct kunit *test, struct page *page, phys_addr_t hold[3],
				struct sg_table *sgt)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		hold[i] = map_phys(test, page_to_phys(page), SZ_64K);
	KUNIT_ASSERT_EQ(test, hold[1], hold[0] + SZ_64K);
	KUNIT_ASSERT_EQ(test, hold[2], hold[1] + SZ_64K);
	unmap_phys(test, hold[1], SZ_64K);

	KUNIT_ASSERT_EQ(test, sg_alloc_table(sgt, 2, GFP_KERNEL), 0);
	sg_set_page(&sgt->sgl[0], page, 8 * IO_TLB_SIZE, 0);
	sg_set_page(&sgt->sgl[1], page, 48 * IO_TLB_SIZE, 0);
}

/*
 * An attempt that gets some entries of a list but not all gives them back;
 * that frees nothing anyone was waiting for, so it wakes nobody, least of
 * all the list itself, which would try again at once for as long as its
 * wait lasts. Here the pool has 64 slots free, in two runs of 32, and the
 * list wants 8 and 48: the count says it may fit, the runs say no.
 */
static void list_giving_back_its_entries_does_not_wake_itself(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SZ_128K));
	phys_addr_t hold[3];
	struct sg_table sgt;

	KUNIT_ASSERT_NOT_NULL(test, page);
	split_pool_for_list(test, page, hold, &sgt);
	tm->mem.wait_timeout_ms = 300;
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE,
					      DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN), -ENOMEM);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 1);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 1);
	/* Once as the oldest waiter, once more at the deadline at most. */
	KUNIT_EXPECT_LE(test, counter(&tm->mem.stats.wait_attempts), 2);
	KUNIT_EXPECT_EQ(test, used_all(tm), 2 * (SZ_64K / IO_TLB_SIZE));

	unmap_phys(test, hold[0], SZ_64K);
	unmap_phys(test, hold[2], SZ_64K);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sg_free_table(&sgt);
	__free_pages(page, get_order(SZ_128K));
}

/*
 * Where no pool can be added, a list larger than all pools together could
 * only wait until its wait timed out: it is refused at once, with a warning
 * that says how large it was, and nothing is left mapped.
 */
static void list_larger_than_fixed_pools_is_refused_without_waiting(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	unsigned int n = IO_TLB_SEGSIZE * IO_TLB_SIZE / SZ_64K + 1, i;
	struct page *page = alloc_pages(GFP_KERNEL, get_order(n * SZ_64K));
	struct sg_table sgt;
	char want[64];
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, n, GFP_KERNEL), 0);
	for (i = 0; i < n; i++)
		sg_set_page(&sgt.sgl[i], page + i * (SZ_64K >> PAGE_SHIFT), SZ_64K, 0);
	tm->mem.can_grow = false;
	tm->mem.wait_timeout_ms = 60000;

	wrong_call_log_start(test);
	bracket_wrong_call(true);
	ret = dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK);
	bracket_wrong_call(false);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	snprintf(want, sizeof(want), "needing %lu slots at once, more than all %u",
		 (unsigned long)n * (SZ_64K / IO_TLB_SIZE), IO_TLB_SEGSIZE);
	SWIOTLB_EXPECT_WARNINGS(test, 1, want);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.waits), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);

	/* One entry fewer fits: it is mapped. */
	sgt.orig_nents = n - 1;
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK), 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), (long)(n - 1) * (SZ_64K / IO_TLB_SIZE));
	dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sgt.orig_nents = n;
	sg_free_table(&sgt);
	__free_pages(page, get_order(n * SZ_64K));
}

/*
 * A list that may sleep adds a dynamic pool only while it holds no slot:
 * never between its entries, where the allocation (reclaim, a page-state
 * change in a confidential guest) would keep the slots of the entries
 * before it from everyone else. Here the count says the list fits (64 slots
 * free, in two runs of 32) but its second entry (48 slots) does not: the
 * list gives its first entry back, adds a pool, and maps.
 */
static void list_holds_no_slots_while_it_adds_a_pool(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SZ_128K));
	phys_addr_t hold[3];
	struct sg_table sgt;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.grow_inline = true;
	tm->mem.grow_nslabs = IO_TLB_SEGSIZE;
	tm->mem.wait_timeout_ms = 1000;
	split_pool_for_list(test, page, hold, &sgt);
	test_swiotlb_watch_pool_memory(test, tm);
	KUNIT_EXPECT_EQ(test, dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK), 0);
	WRITE_ONCE(test_swiotlb_pool_memory.task, NULL);
	kunit_info(test, "pools asked for: %u, most slots in use meanwhile: %ld\n",
		   test_swiotlb_pool_memory.n, test_swiotlb_pool_memory.max_used);
	KUNIT_EXPECT_GE(test, test_swiotlb_pool_memory.n, 1);
	/* The two held buffers, nothing of the list. */
	KUNIT_EXPECT_EQ(test, test_swiotlb_pool_memory.max_used, 2 * (SZ_64K / IO_TLB_SIZE));
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.pools_added[SWIOTLB_POOL_DYNAMIC]), 1);
	dma_unmap_sgtable(dev, &sgt, DMA_TO_DEVICE, 0);

	unmap_phys(test, hold[0], SZ_64K);
	unmap_phys(test, hold[2], SZ_64K);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sg_free_table(&sgt);
	__free_pages(page, get_order(SZ_128K));
}

/* A single mapping that finds the pool full while a list holds part of it. */
static struct {
	struct task_struct *list_task;
	struct device *dev;
	struct io_tlb_mem *mem;
	phys_addr_t orig;
	phys_addr_t fill;
	phys_addr_t single;
	u64 single_ms;
	struct completion single_done;
	bool started;
} list_blocks;

static int list_blocks_single_fn(void *data)
{
	u64 start = ktime_get_ns();

	list_blocks.single = swiotlb_tbl_map_single(list_blocks.dev, list_blocks.orig, SZ_128K,
						    0, DMA_TO_DEVICE,
						    DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	list_blocks.single_ms = div_u64(ktime_get_ns() - start, NSEC_PER_MSEC);
	complete_all(&list_blocks.single_done);
	return 0;
}

/*
 * Once the list has its first entry (64 slots): 48 more slots go to a
 * mapping that cannot wait, leaving 16, and a mapping of 64 slots that may
 * sleep queues and goes to sleep; only then does the list go on (and fail
 * on its second entry, 32 slots).
 */
static void list_blocks_a_single_mapping(enum swiotlb_test_point point, const void *arg)
{
	struct task_struct *task;
	unsigned int n;

	if (point != SWIOTLB_TEST_MAPPED || current != READ_ONCE(list_blocks.list_task) ||
	    list_blocks.started)
		return;
	list_blocks.started = true;
	list_blocks.fill = swiotlb_tbl_map_single(list_blocks.dev, list_blocks.orig,
						  48 * IO_TLB_SIZE, 0, DMA_TO_DEVICE, 0);
	task = kthread_run(list_blocks_single_fn, NULL, "swiotlb-single");
	if (IS_ERR(task)) {
		list_blocks.single = DMA_MAPPING_ERROR;
		complete_all(&list_blocks.single_done);
		return;
	}
	for (n = 0; n < 1000 && !READ_ONCE(list_blocks.mem->nwaiters); n++)
		usleep_range(1000, 2000);
	/* Asleep in its wait by now. */
	msleep(50);
}

/*
 * A list that has not queued yet gives back the entries of a failed attempt
 * waking the oldest waiter: a mapping may have queued meanwhile, finding the
 * pool full because of those very entries. Woken by nobody, it would sleep
 * until its wait ran out (and find room only in its last look, or time out),
 * though the pool had room for it.
 */
static void list_giving_back_entries_before_it_queues_wakes_the_oldest_waiter(struct kunit *test)
{
	struct device *dev = test->priv;
	struct test_mem *tm = test_swiotlb_mem(test, dev, IO_TLB_SEGSIZE);
	struct page *page = alloc_pages(GFP_KERNEL, get_order(SZ_128K));
	struct sg_table sgt;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, page);
	tm->mem.wait_timeout_ms = 500;
	memset(&list_blocks, 0, sizeof(list_blocks));
	list_blocks.dev = dev;
	list_blocks.mem = &tm->mem;
	list_blocks.orig = page_to_phys(page);
	init_completion(&list_blocks.single_done);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, 2, GFP_KERNEL), 0);
	sg_set_page(&sgt.sgl[0], page, 64 * IO_TLB_SIZE, 0);
	sg_set_page(&sgt.sgl[1], page, 32 * IO_TLB_SIZE, 0);
	WRITE_ONCE(list_blocks.list_task, current);
	test_swiotlb_set_hook(test, list_blocks_a_single_mapping);

	ret = dma_map_sgtable(dev, &sgt, DMA_TO_DEVICE, DMA_ATTR_MAY_BLOCK | DMA_ATTR_NO_WARN);
	WRITE_ONCE(list_blocks.list_task, NULL);
	KUNIT_ASSERT_TRUE(test, list_blocks.started);
	wait_for_completion(&list_blocks.single_done);
	kunit_info(test, "single mapping %s after %llu ms (wait %u ms), list %d, %ld waits, %ld timed out\n",
		   list_blocks.single == (phys_addr_t)DMA_MAPPING_ERROR ? "failed" : "mapped",
		   list_blocks.single_ms, tm->mem.wait_timeout_ms, ret,
		   counter(&tm->mem.stats.waits), counter(&tm->mem.stats.wait_timeouts));

	KUNIT_EXPECT_NE(test, list_blocks.single, (phys_addr_t)DMA_MAPPING_ERROR);
	/* Woken when the list gave its entry back, some 50 ms after it queued. */
	KUNIT_EXPECT_LT(test, list_blocks.single_ms, tm->mem.wait_timeout_ms / 2);
	/* The list then waits behind it, for more than is left: that one times out. */
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, counter(&tm->mem.stats.wait_timeouts), 1);
	if (list_blocks.single != (phys_addr_t)DMA_MAPPING_ERROR)
		unmap_phys(test, list_blocks.single, SZ_128K);
	if (list_blocks.fill != (phys_addr_t)DMA_MAPPING_ERROR)
		unmap_phys(test, list_blocks.fill, 48 * IO_TLB_SIZE);
	KUNIT_EXPECT_EQ(test, used_all(tm), 0);
	sg_free_table(&sgt);
	__free_pages(page, get_order(SZ_128K));
}

static struct kunit_case swiotlb_policy_lists_cases[] = {
	KUNIT_CASE(two_lists_over_a_full_pool_never_wait_on_one_another),
	KUNIT_CASE(list_larger_than_fixed_pools_is_refused_without_waiting),
	KUNIT_CASE(list_giving_back_its_entries_does_not_wake_itself),
	KUNIT_CASE(list_holds_no_slots_while_it_adds_a_pool),
	KUNIT_CASE(list_giving_back_entries_before_it_queues_wakes_the_oldest_waiter),
	{}
};

static struct kunit_suite swiotlb_policy_lists_suite = {
	.name = "swiotlb_policy_lists",
	.init = test_swiotlb_pools_init,
	.test_cases = swiotlb_policy_lists_cases,
};

kunit_test_suite(swiotlb_policy_lists_suite);
