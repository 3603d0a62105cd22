// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb policy for full pools: who waits, and who gets a transient pool.
 *
 * A mapping that finds no room in its allocator's pools is treated as its
 * caller can afford:
 *
 *  - A caller that may sleep (DMA_ATTR_MAY_BLOCK, in a context that can)
 *    first adds a dynamic pool itself, where its allocator does that
 *    (mem->grow_inline: the default allocator) and memory can be had at
 *    once without I/O, retries or emergency reserves, up to twice the
 *    default pool (swiotlb_grow_now(); one caller at a time, the others
 *    wait for its pool; after a failed attempt, nobody tries again within
 *    SWIOTLB_GROW_RETRY_MS). Otherwise (memory short, or the pools grown
 *    that far), it waits, in a FIFO queue, woken when mappings go away or a dynamic pool
 *    is added, for at most mem->wait_timeout_ms; then the map fails cleanly.
 *    (A list that gives back entries it took in a failed attempt while it
 *    waits wakes nobody: see swiotlb_list_undo().)
 *    Only the oldest waiter tries for room: later ones, however small, wait
 *    behind it, so a large request is not starved. New callers that may
 *    sleep do not pass the queue either. While it waits, the oldest waiter
 *    asks the worker for a dynamic pool (not within SWIOTLB_GROW_RETRY_MS
 *    of a failed attempt: it polls at that interval then); if adding one
 *    failed, it takes a transient pool instead, allocated as a caller that may sleep,
 *    but without starting I/O (memalloc_noio_save()): reclaim could need
 *    the very bounce buffers being waited for. A caller whose device
 *    reaches none of the pools (its DMA mask lies below them all) would
 *    wait in vain: it takes that transient pool, below its mask, at once,
 *    or fails at once where the allocator cannot grow.
 *
 *  - Any other caller cannot wait: it gets a transient pool at once
 *    (GFP_NOWAIT), or the map fails.
 *
 * A caller that passes DMA_ATTR_MAY_BLOCK where it cannot sleep gets a
 * one-time warning and the treatment of callers that cannot wait.
 *
 * Locking: mem->wait_lock (irq-safe: unmaps, which wake waiters, come from
 * any context) protects the queue and its length. It is never held while
 * allocating or sleeping, and no other lock is taken under it. An unmap
 * reads the queue's length without a barrier, after the area lock under
 * which it gave its slots back; waiters look at slots only under area locks
 * (see swiotlb_wake_after_free() for why no wake-up is lost).
 */

#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>

#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"

struct swiotlb_waiter {
	struct list_head node;
	struct task_struct *task;
	bool woken;
};

/**
 * swiotlb_can_sleep() - can the current context sleep, as far as can be told?
 *
 * Without CONFIG_PREEMPT_COUNT a held spinlock cannot be seen: the caller's
 * word (DMA_ATTR_MAY_BLOCK) is taken for it.
 *
 * Return: %false in interrupt context, with interrupts off, and, where the
 * kernel keeps count, with preemption off or in an RCU read-side section.
 */
bool swiotlb_can_sleep(void)
{
	if (!in_task() || irqs_disabled())
		return false;
	/* Without a preempt count, held spinlocks cannot be seen. */
	return !IS_ENABLED(CONFIG_PREEMPT_COUNT) ||
	       (!preempt_count() && !rcu_preempt_depth());
}

static void swiotlb_wake_oldest(struct io_tlb_mem *mem)
{
	struct swiotlb_waiter *w;
	unsigned long flags;

	spin_lock_irqsave(&mem->wait_lock, flags);
	w = list_first_entry_or_null(&mem->waiters, struct swiotlb_waiter, node);
	if (w) {
		WRITE_ONCE(w->woken, true);
		wake_up_process(w->task);
	}
	spin_unlock_irqrestore(&mem->wait_lock, flags);
}

/**
 * swiotlb_wake_waiters() - let the oldest waiter try again
 * @mem:	allocator that may have room now
 *
 * For any change a waiter may not have seen through an area lock: a pool
 * added, or a waiter leaving the queue (the next one is first now).
 *
 * Context: any.
 */
void swiotlb_wake_waiters(struct io_tlb_mem *mem)
{
	swiotlb_test_point(SWIOTLB_TEST_SLOW_STEP, "full barrier for waiters");
	/*
	 * What changed is visible before the queue is read; pairs with the
	 * barrier a waiter issues between queueing and trying.
	 */
	smp_mb();
	if (READ_ONCE(mem->nwaiters))
		swiotlb_wake_oldest(mem);
}

/**
 * swiotlb_wake_after_free() - let the oldest waiter try again, after
 * slots were given back
 * @mem:	allocator of the pool the slots went back to
 *
 * The caller gave the slots back under their area's lock
 * (swiotlb_slots_free()) and calls this after taking that lock. No full
 * barrier is needed then, and nothing but this read is paid when nobody
 * waits. Why no wake-up is lost:
 *
 * A waiter adds itself to the queue (mem->nwaiters, under mem->wait_lock)
 * before it tries for room, and every try looks at the slots only under
 * the lock of each area it looks at (swiotlb_slots_alloc(); the slot count
 * of a whole list, swiotlb_mem_used_locked()); a try that fails has taken
 * the lock of every area whose freed slots could serve it. Take the area
 * whose lock this caller took, and the waiter's last try before it sleeps:
 *
 *  - if the try held that lock before this caller did, the lock passes
 *    the waiter's store to mem->nwaiters (made before the try, and so
 *    before its unlock) on to this caller's lock and the reads after it:
 *    the read below sees the waiter and wakes it (it cleared its flag
 *    before trying, so the wake-up is not lost either);
 *  - if it held the lock after this caller, it saw the slots given back,
 *    and did not sleep for want of them.
 *
 * So the read below needs no barrier, provided it comes after the caller
 * took the area lock, and waiters never decide to sleep on slot counts
 * read without the area locks.
 *
 * Context: any.
 */
void swiotlb_wake_after_free(struct io_tlb_mem *mem)
{
	if (unlikely(READ_ONCE(mem->nwaiters)))
		swiotlb_wake_oldest(mem);
}

static bool swiotlb_first_waiter(struct io_tlb_mem *mem, struct swiotlb_waiter *w)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&mem->wait_lock, flags);
	first = list_first_entry(&mem->waiters, struct swiotlb_waiter, node) == w;
	spin_unlock_irqrestore(&mem->wait_lock, flags);
	return first;
}

/**
 * swiotlb_try_room() - one attempt of a caller that may sleep, without waiting
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 *
 * The pools; else ask the worker for a dynamic pool and, if adding one
 * failed, take a transient pool, allocated as the caller's context allows
 * (a memalloc_noio_save() scope on the I/O path).
 *
 * Context: process context; may sleep.
 * Return: the pool holding the mapping, or %NULL.
 */
struct io_tlb_pool *swiotlb_try_room(struct device *dev, const struct swiotlb_req *req,
				     int *head)
{
	struct io_tlb_pool *pool = swiotlb_pools_take(dev, req, head);

	if (pool)
		return pool;
	return swiotlb_grow_room(dev, req, head);
}

/**
 * swiotlb_grow_room() - room for a caller that may sleep and found the pools
 * full
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 *
 * A dynamic pool added here at once if memory can be had without waiting
 * (swiotlb_grow_now()), and the mapping in it; else the worker is asked for
 * one and, if adding one failed, a transient pool is taken, allocated as the
 * caller's context allows (a memalloc_noio_save() scope on the I/O path).
 *
 * Context: process context; may sleep.
 * Return: the pool holding the mapping, or %NULL: wait for room.
 */
struct io_tlb_pool *swiotlb_grow_room(struct device *dev, const struct swiotlb_req *req,
				      int *head)
{
	struct io_tlb_pool *pool = NULL;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	if (!READ_ONCE(mem->can_grow))
		return NULL;
	switch (swiotlb_grow_now(mem)) {
	case SWIOTLB_GREW_ADDED:
		pool = swiotlb_pools_take(dev, req, head);
		if (pool)
			return pool;
		break;
	case SWIOTLB_GREW_BUSY:
		/* The pool on its way wakes the queue. */
		return NULL;
	case SWIOTLB_GREW_NO:
		break;
	}
	pool = swiotlb_fallback_room(dev, req, head);
#endif
	return pool;
}

/**
 * swiotlb_fallback_room() - room for a caller that may sleep and found the
 * pools full, without adding a dynamic pool itself
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 *
 * The worker is asked for a dynamic pool; if adding one failed, a transient
 * pool for this mapping alone is taken, allocated as the caller's context
 * allows (a memalloc_noio_save() scope on the I/O path). For a caller that
 * holds slots (an entry of a list after the first): it must not allocate a
 * whole pool meanwhile (see swiotlb_wait_for()).
 *
 * Context: process context; may sleep.
 * Return: the pool holding the mapping, or %NULL: wait for room.
 */
struct io_tlb_pool *swiotlb_fallback_room(struct device *dev, const struct swiotlb_req *req,
					  int *head)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	if (!READ_ONCE(mem->can_grow))
		return NULL;
	swiotlb_request_growth(mem);
	if (READ_ONCE(mem->grow_failed))
		return swiotlb_transient_create(dev, req, head, GFP_KERNEL | __GFP_NOWARN);
#endif
	return NULL;
}

/* What a single mapping waits for: room for @req. */
struct swiotlb_single {
	const struct swiotlb_req *req;
	int *head;
	struct io_tlb_pool *pool;
};

static bool swiotlb_single_try(struct device *dev, void *ctx)
{
	struct swiotlb_single *one = ctx;

	one->pool = swiotlb_try_room(dev, one->req, one->head);
	return one->pool;
}

/*
 * How long a waiter sleeps before it looks again unasked. While growth is
 * failing nobody may wake the oldest waiter for a while (the worker is not
 * asked again before SWIOTLB_GROW_RETRY_MS): it tries on its own, for a
 * transient pool or to ask the worker once more. Later waiters are woken
 * when they become the oldest.
 */
static long swiotlb_wait_slice(struct io_tlb_mem *mem, bool first, long left)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	if (first && READ_ONCE(mem->grow_failed))
		return min(left, (long)msecs_to_jiffies(SWIOTLB_GROW_RETRY_MS));
#endif
	return left;
}

/**
 * swiotlb_wait_for() - wait in the queue until @try succeeds
 * @dev:	device of the mapping(s)
 * @size:	bytes wanted, for the statistics and tracepoints
 * @try:	one attempt, made only while the caller is the oldest waiter;
 *		it must not sleep holding slots (least of all to add a pool),
 *		and holds none when it fails
 * @ctx:	passed to @try
 *
 * Context: process context; sleeps (at most the allocator's wait timeout).
 * Return: %true once @try succeeded, %false if the wait timed out.
 */
bool swiotlb_wait_for(struct device *dev, size_t size,
		      bool (*try)(struct device *dev, void *ctx), void *ctx)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	unsigned long deadline = jiffies + msecs_to_jiffies(READ_ONCE(mem->wait_timeout_ms));
	struct swiotlb_waiter w = { .task = current };
	u64 start = ktime_get_ns();
	bool served = false, first;
	unsigned long flags;
	u64 waited;
	long left;

	spin_lock_irqsave(&mem->wait_lock, flags);
	list_add_tail(&w.node, &mem->waiters);
	WRITE_ONCE(mem->nwaiters, mem->nwaiters + 1);
	spin_unlock_irqrestore(&mem->wait_lock, flags);
	swiotlb_stats_wait_begin(dev);
	trace_swiotlb_wait_begin(dev, size, READ_ONCE(mem->nwaiters));

	for (;;) {
		WRITE_ONCE(w.woken, false);
		/*
		 * Queued (and the flag cleared) before the pools are looked at;
		 * pairs with the barrier in swiotlb_wake_waiters().
		 */
		smp_mb();
		first = swiotlb_first_waiter(mem, &w);
		if (first) {
			swiotlb_stats_wait_attempt(mem);
			served = try(dev, ctx);
			if (served)
				break;
		}
		/* Measured against the clock: wake-ups do not extend the wait. */
		left = (long)(deadline - jiffies);
		if (left <= 0)
			break;
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (!READ_ONCE(w.woken))
			io_schedule_timeout(swiotlb_wait_slice(mem, first, left));
		__set_current_state(TASK_RUNNING);
	}

	spin_lock_irqsave(&mem->wait_lock, flags);
	list_del(&w.node);
	WRITE_ONCE(mem->nwaiters, mem->nwaiters - 1);
	spin_unlock_irqrestore(&mem->wait_lock, flags);
	/* The next in line may fit in what is left, or must learn it is first. */
	swiotlb_wake_waiters(mem);

	waited = ktime_get_ns() - start;
	swiotlb_stats_wait_end(dev, waited, served);
	trace_swiotlb_wait_end(dev, size, waited, served);
	return served;
}

/**
 * swiotlb_policy_take() - slots for a bounce buffer, by the policy above
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 * @attrs:	DMA_ATTR_* flags of the map call
 *
 * Context: any; sleeps only with %DMA_ATTR_MAY_BLOCK from a context that can.
 * Return: the pool holding the mapping, or %NULL.
 */
struct io_tlb_pool *swiotlb_policy_take(struct device *dev, const struct swiotlb_req *req,
					int *head, unsigned long attrs)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	bool may_block = attrs & DMA_ATTR_MAY_BLOCK;
	struct io_tlb_pool *pool;
	bool searched = false;

	if (may_block && !swiotlb_can_sleep()) {
		dev_warn_once(dev, "DMA_ATTR_MAY_BLOCK where sleeping is not allowed: not waiting for bounce buffers\n");
		may_block = false;
	}

	/* A caller that could wait does not pass those already waiting. */
	if (!may_block || !READ_ONCE(mem->nwaiters)) {
		pool = swiotlb_pools_take(dev, req, head);
		if (pool)
			return pool;
		searched = true;
	}
	if (may_block) {
		unsigned int noio;

		might_sleep();
		/* What is allocated from here on must not wait for I/O. */
		noio = memalloc_noio_save();
		if (!swiotlb_reaches_pools(dev, req)) {
			/* Room freed in the pools is of no use: no waiting for it. */
			pool = NULL;
#ifdef CONFIG_SWIOTLB_DYNAMIC
			if (READ_ONCE(mem->can_grow))
				pool = swiotlb_transient_create(dev, req, head,
								GFP_KERNEL | __GFP_NOWARN);
#endif
		} else {
			struct swiotlb_single one = { .req = req, .head = head };

			/*
			 * Nobody waits and the pools are full: a pool of its
			 * own if memory allows, before any wait. The pools are
			 * searched first if they were not above (the waiters
			 * seen then are gone): a pool is added only where they
			 * have no room.
			 */
			pool = NULL;
			if (!READ_ONCE(mem->nwaiters))
				pool = searched ? swiotlb_grow_room(dev, req, head) :
						  swiotlb_try_room(dev, req, head);
			if (!pool) {
				swiotlb_wait_for(dev, req->size, swiotlb_single_try, &one);
				pool = one.pool;
			}
		}
		memalloc_noio_restore(noio);
		return pool;
	}
#ifdef CONFIG_SWIOTLB_DYNAMIC
	if (READ_ONCE(mem->can_grow)) {
		swiotlb_request_growth(mem);
		return swiotlb_transient_create(dev, req, head, GFP_NOWAIT | __GFP_NOWARN);
	}
#endif
	return NULL;
}
