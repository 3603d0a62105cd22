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
 *    once without I/O, retries or emergency reserves (swiotlb_grow_now(),
 *    swiotlb_grow_first(): a single mapping takes its slots in the new
 *    pool first and leaves the clearing of the rest to a work item, until
 *    which the pool is still being added; one caller at a time; those that
 *    find another one adding a pool take a transient pool for themselves,
 *    with memory had the same way, and wait for that pool only if they
 *    cannot (a waiter, woken, does not try that again: it waits for the
 *    pool); after a failed attempt, nobody tries again within
 *    SWIOTLB_GROW_RETRY_MS). Otherwise (memory short), it waits, in a FIFO
 *    queue, woken when mappings go away or a dynamic pool is added, for at
 *    most mem->wait_timeout_ms; then the map fails cleanly.
 *    (A list that gives back entries it took in a failed attempt while it
 *    waits wakes nobody: see swiotlb_list_undo().)
 *    Only the oldest waiter tries for room: later ones, however small, wait
 *    behind it, so a large request is not starved; except that when a pool
 *    is added, every waiter tries once (swiotlb_wake_all_waiters()). New
 *    callers that may sleep do not pass the queue either. While it waits,
 *    the oldest waiter asks the worker for a dynamic pool (not within SWIOTLB_GROW_RETRY_MS
 *    of a failed attempt: it polls at that interval then); if adding one
 *    failed, it takes a transient pool instead, allocated as a caller that may sleep,
 *    but without starting I/O (memalloc_noio_save()): reclaim could need
 *    the very bounce buffers being waited for. A caller whose device
 *    reaches none of the pools (its DMA mask lies below them all) would
 *    wait in vain: it takes that transient pool, below its mask, at once,
 *    or fails at once where the allocator cannot grow. So does a caller
 *    whose device may not reach a dynamic pool the allocator would add (it
 *    may land anywhere below mem->grow_limit): it neither adds one nor asks
 *    the worker for one (swiotlb_growth_serves()), which would be for
 *    nothing, pool after pool.
 *
 *  - Any other caller cannot wait: it gets a transient pool at once
 *    (GFP_NOWAIT), or the map fails.
 *
 * A caller that passes DMA_ATTR_MAY_BLOCK where it cannot sleep gets a
 * one-time warning and the treatment of callers that cannot wait.
 *
 * It also decides when the pools grow and shrink (with
 * CONFIG_SWIOTLB_DYNAMIC): it asks the worker for a dynamic pool, or adds
 * one from a mapping's context, through swiotlb_dynamic_add() (or, for a
 * single mapping, swiotlb_dynamic_add_first() and swiotlb_dynamic_ready()),
 * the only functions of the pool layer that grow an allocator, and wakes every
 * waiter once a pool is added (the oldest one if adding it failed); the
 * worker and the shrink work are its own (swiotlb_grow(),
 * swiotlb_shrink_work()), and it gives idle pools back
 * (swiotlb_shrink_one()) only while nobody waits. The pool layer never
 * calls this file.
 *
 * Locking: mem->wait_lock (irq-safe: unmaps, which wake waiters, come from
 * any context) protects the queue and its length. It is never held while
 * allocating or sleeping, and no other lock is taken under it. Bit 0 of
 * mem->grow_busy lets one mapping at a time add a pool, and stays held
 * until the pool is every mapping's: for a single mapping, across the work
 * item that clears it (mem->grow_ready), which it hands mem->grow_pending
 * (written before queue_work(), which orders it, and read by that work
 * alone); mem->grow_failed
 * and the retry times are written by the worker (or that one mapping) and
 * read without a lock (release/acquire, see swiotlb_request_growth()). An unmap
 * reads the queue's length without a barrier, after the area lock under
 * which it gave its slots back; waiters look at slots only under area locks
 * (see swiotlb_wake_after_free() for why no wake-up is lost).
 */

#define pr_fmt(fmt) "swiotlb: " fmt

#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/wake_q.h>

#include <trace/events/swiotlb.h>

#include "swiotlb_internal.h"

struct swiotlb_waiter {
	struct list_head node;
	struct task_struct *task;
	bool woken;
	bool rush;	/* a pool was added: try once, wherever in the queue */
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
 * For any change a waiter may not have seen through an area lock: a
 * failed growth, or a waiter leaving the queue (the next one is first
 * now). A pool added wakes every waiter (swiotlb_wake_all_waiters()).
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
 * The mapping API calls this once swiotlb_pools_give() returned: the slots
 * went back under their area's lock (swiotlb_slots_free()), so this runs
 * after the caller took that lock, in program order; the pool layer itself
 * wakes nobody. No full barrier is needed then, and nothing but this read
 * is paid when nobody waits. Why no wake-up is lost:
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
 * @queued:	the caller is a waiter (see swiotlb_grow_room())
 *
 * The pools; else what swiotlb_grow_room() finds.
 *
 * Context: process context; may sleep.
 * Return: the pool holding the mapping, or %NULL.
 */
struct io_tlb_pool *swiotlb_try_room(struct device *dev, const struct swiotlb_req *req,
				     int *head, bool queued)
{
	struct io_tlb_pool *pool = swiotlb_pools_take(dev, req, head);

	if (pool)
		return pool;
	return swiotlb_grow_room(dev, req, head, queued);
}

/**
 * swiotlb_grow_room() - room for a caller that may sleep and found the pools
 * full
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 * @queued:	the caller is a waiter: it had found memory short once
 *
 * A dynamic pool added here at once if memory can be had without waiting,
 * the mapping in it before anyone else's, the rest of the pool cleared off
 * this caller's path (swiotlb_grow_first()); while another caller adds
 * one, a transient pool with memory had the same way (SWIOTLB_GFP_AT_ONCE),
 * unless the caller already waits (it got in the queue because even that
 * failed: the pool on its way wakes it); else the worker is asked for one
 * and, if adding one failed, a transient pool is taken, allocated as the
 * caller's context allows (a memalloc_noio_save() scope on the I/O path).
 *
 * Context: process context; may sleep.
 * Return: the pool holding the mapping, or %NULL: wait for room.
 */
struct io_tlb_pool *swiotlb_grow_room(struct device *dev, const struct swiotlb_req *req,
				      int *head, bool queued)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *pool;

	if (!swiotlb_can_grow(mem))
		return NULL;
	switch (swiotlb_grow_first(dev, req, head, &pool)) {
	case SWIOTLB_GREW_ADDED:
		if (pool)
			return pool;
		pool = swiotlb_pools_take(dev, req, head);
		if (pool)
			return pool;
		break;
	case SWIOTLB_GREW_BUSY:
		/*
		 * Another caller is adding a pool. Memory is not short (it
		 * is trying): rather than wait for that pool, a transient
		 * pool for this mapping if one can be had at once;
		 * otherwise, or for a waiter, the pool on its way wakes the
		 * queue. Nor where memory for one mapping would come from the
		 * atomic DMA pools (a confidential guest): those are for
		 * callers that cannot wait.
		 */
		if (queued || swiotlb_must_share())
			return NULL;
		return swiotlb_transient_create(dev, req, head, SWIOTLB_GFP_AT_ONCE);
	case SWIOTLB_GREW_NO:
		break;
	}
	return swiotlb_fallback_room(dev, req, head);
}

/**
 * swiotlb_fallback_room() - room for a caller that may sleep and found the
 * pools full, without adding a dynamic pool itself
 * @dev:	device of the mapping
 * @req:	what the buffer needs
 * @head:	set to the head slot of the mapping
 *
 * The worker is asked for a dynamic pool; if adding one failed, or if a
 * dynamic pool may lie beyond the device's reach (swiotlb_growth_serves()),
 * a transient pool for this mapping alone is taken, below the device's
 * limit, allocated as the caller's context allows (a memalloc_noio_save()
 * scope on the I/O path). For a caller that
 * holds slots (an entry of a list after the first): it must not allocate a
 * whole pool meanwhile (see swiotlb_wait_for()).
 *
 * Context: process context; may sleep.
 * Return: the pool holding the mapping, or %NULL: wait for room.
 */
struct io_tlb_pool *swiotlb_fallback_room(struct device *dev, const struct swiotlb_req *req,
					  int *head)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	if (!swiotlb_can_grow(mem))
		return NULL;
	/* Growth that may be out of the device's reach would be for nothing. */
	if (swiotlb_growth_serves(dev, req->limit)) {
		swiotlb_request_growth(mem);
		if (!swiotlb_grow_failed(mem))
			return NULL;
	}
	return swiotlb_transient_create(dev, req, head, GFP_KERNEL | __GFP_NOWARN);
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

	one->pool = swiotlb_try_room(dev, one->req, one->head, true);
	return one->pool;
}

/*
 * How long a waiter sleeps before it looks again unasked. While growth is
 * failing nobody may wake the oldest waiter for a while (the worker is not
 * asked again before SWIOTLB_GROW_RETRY_MS): it tries on its own, for a
 * transient pool or to ask the worker once more. Later waiters are woken
 * when they become the oldest, or when a pool is added.
 */
static long swiotlb_wait_slice(struct io_tlb_mem *mem, bool first, long left)
{
	if (first && swiotlb_grow_failed(mem))
		return min(left, (long)msecs_to_jiffies(SWIOTLB_GROW_RETRY_MS));
	return left;
}

/**
 * swiotlb_wait_for() - wait in the queue until @try succeeds
 * @dev:	device of the mapping(s)
 * @size:	bytes wanted, for the statistics and tracepoints
 * @try:	one attempt, made while the caller is the oldest waiter, or
 *		once after a pool was added (swiotlb_wake_all_waiters());
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
		if (first || READ_ONCE(w.rush)) {
			WRITE_ONCE(w.rush, false);
			swiotlb_stats_wait_attempt(mem);
			served = try(dev, ctx);
			if (served)
				break;
			/*
			 * Out of turn, it may have held room the oldest waiter
			 * looked for meanwhile (a list gives back what it took
			 * without waking anyone): the oldest looks again.
			 */
			if (!first)
				swiotlb_wake_waiters(mem);
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
			if (swiotlb_can_grow(mem))
				pool = swiotlb_transient_create(dev, req, head,
								GFP_KERNEL | __GFP_NOWARN);
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
				pool = searched ? swiotlb_grow_room(dev, req, head, false) :
						  swiotlb_try_room(dev, req, head, false);
			if (!pool) {
				swiotlb_wait_for(dev, req->size, swiotlb_single_try, &one);
				pool = one.pool;
			}
		}
		memalloc_noio_restore(noio);
		return pool;
	}
	if (swiotlb_can_grow(mem)) {
		if (swiotlb_growth_serves(dev, req->limit))
			swiotlb_request_growth(mem);
		return swiotlb_transient_create(dev, req, head, GFP_NOWAIT | __GFP_NOWARN);
	}
	return NULL;
}

#ifdef CONFIG_SWIOTLB_DYNAMIC

/**
 * swiotlb_wake_all_waiters() - let every waiter try once: a pool was added
 * @mem:	allocator that has a new pool
 *
 * A new pool has room for many. Served one wake-up at a time, each waiter
 * waking the next once it has its room, a queue of small mappings behind a
 * new pool drained at the pace of the scheduler: in make bench's sleepable
 * burst, rounds in which a queue formed made 330 waits in a chain and spent
 * 0.8 to 5 s in them, where rounds without one spent 20 to 110 ms. So every
 * waiter tries once now, the oldest among them; those that still find no
 * room keep their place in the queue. The oldest may so lose the new pool
 * to later, smaller waiters; it tries again as each of them leaves, and
 * asks for growth again, so it waits longer but is not shut out.
 *
 * Context: any.
 */
static void swiotlb_wake_all_waiters(struct io_tlb_mem *mem)
{
	struct swiotlb_waiter *w;
	unsigned long flags;
	DEFINE_WAKE_Q(wake);

	/* The pool is visible before the queue is read, as in swiotlb_wake_waiters(). */
	smp_mb();
	if (!READ_ONCE(mem->nwaiters))
		return;
	spin_lock_irqsave(&mem->wait_lock, flags);
	list_for_each_entry(w, &mem->waiters, node) {
		WRITE_ONCE(w->rush, true);
		WRITE_ONCE(w->woken, true);
		/* Woken after the lock: the queue can be long. */
		wake_q_add(&wake, w->task);
	}
	spin_unlock_irqrestore(&mem->wait_lock, flags);
	wake_up_q(&wake);
}

/* ---- Growing and shrinking: when, and whom to tell ---- */

/**
 * swiotlb_request_growth() - ask the worker for a dynamic pool
 * @mem:	an allocator that can grow
 *
 * On the swiotlb workqueue, which has a rescuer: the I/O that waits for
 * the pool may be what reclaim waits for. Not within SWIOTLB_GROW_RETRY_MS
 * of a failed attempt: memory that just ran out is not asked for again at
 * the rate of the callers that find the pools full.
 *
 * Context: any.
 */
void swiotlb_request_growth(struct io_tlb_mem *mem)
{
	/* Pairs with the release in swiotlb_grow(): the time is that failure's. */
	if (smp_load_acquire(&mem->grow_failed) &&
	    time_before64(get_jiffies_64(), READ_ONCE(mem->grow_retry)))
		return;
	queue_work(swiotlb_wq ?: system_wq, &mem->grow_work);
}

/* Look for idle dynamic pools again in half the idle time (at least 0.1 s). */
static void swiotlb_arm_shrink(struct io_tlb_mem *mem)
{
	unsigned long delay = msecs_to_jiffies(max(READ_ONCE(mem->idle_ms) / 2, 100U));

	queue_delayed_work(system_wq, &mem->shrink_work, delay);
}

/**
 * swiotlb_grow() - the worker: add a dynamic pool of mem->grow_nslabs slots
 * @work:	&io_tlb_mem.grow_work of the allocator to grow
 *
 * Records whether it failed: then waiters may take transient pools.
 */
void swiotlb_grow(struct work_struct *work)
{
	struct io_tlb_mem *mem = container_of(work, struct io_tlb_mem, grow_work);
	unsigned int noio;
	bool added;

	/* Waiters may be storage I/O: reclaim must not wait for it. */
	noio = memalloc_noio_save();
	added = swiotlb_dynamic_add(mem, GFP_KERNEL);
	memalloc_noio_restore(noio);
	if (!added)
		WRITE_ONCE(mem->grow_retry,
			   get_jiffies_64() + msecs_to_jiffies(SWIOTLB_GROW_RETRY_MS));
	/* The retry time before the flag: see swiotlb_request_growth(). */
	smp_store_release(&mem->grow_failed, !added);
	if (added) {
		swiotlb_arm_shrink(mem);
		swiotlb_wake_all_waiters(mem);
	} else {
		pr_warn_ratelimited("could not add a dynamic pool\n");
		/* The oldest waiter may take a transient pool now. */
		swiotlb_wake_waiters(mem);
	}
}

/* Whether inline growth is allowed now: no recent failure of it or of the worker. */
static bool swiotlb_may_grow_now(struct io_tlb_mem *mem)
{
	/* Pairs with the release in swiotlb_grow(), as in swiotlb_request_growth(). */
	if (smp_load_acquire(&mem->grow_failed) &&
	    time_before64(get_jiffies_64(), READ_ONCE(mem->grow_retry)))
		return false;
	return !time_before64(get_jiffies_64(), READ_ONCE(mem->grow_inline_retry));
}

/**
 * swiotlb_growth_serves() - would a new dynamic pool be of use to a mapping?
 * @dev:	device of the mapping, whose allocator can grow
 * @limit:	the highest DMA address the mapping may use (0: none, as for
 *		the callers other than dma-direct)
 *
 * A dynamic pool may land anywhere below mem->grow_limit. A device that
 * cannot reach that far may get nothing from a pool added for it, and,
 * still finding no room, would have the next one added, and the next.
 * Such a device is treated as if growth had failed: it takes a transient
 * pool below its limit instead.
 *
 * Return: %true if every dynamic pool the allocator may add is within
 * @limit.
 */
bool swiotlb_growth_serves(struct device *dev, u64 limit)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	return !limit || phys_to_dma_unencrypted(dev, mem->grow_limit) <= limit;
}

/*
 * Whether this caller may add a dynamic pool from its own context now, and
 * is the one caller that does: %SWIOTLB_GREW_ADDED means it holds bit 0 of
 * mem->grow_busy, and must give it up through swiotlb_grow_release() (or
 * swiotlb_grow_unclaim(), having added nothing).
 */
static enum swiotlb_grew swiotlb_grow_claim(struct device *dev, u64 limit)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;

	might_sleep();
	if (!READ_ONCE(mem->grow_inline) || !swiotlb_growth_serves(dev, limit) ||
	    !swiotlb_may_grow_now(mem))
		return SWIOTLB_GREW_NO;
	if (test_and_set_bit_lock(0, &mem->grow_busy))
		return SWIOTLB_GREW_BUSY;
	/*
	 * Again with the bit held: a caller that passed the checks above while
	 * another one failed to add a pool must not try at once. (A list that
	 * found the pools full just before another published a pool still adds
	 * one: a pool too many at worst, given back once idle; a single
	 * mapping searches again, see swiotlb_grow_first().)
	 */
	if (!swiotlb_may_grow_now(mem)) {
		clear_bit_unlock(0, &mem->grow_busy);
		return SWIOTLB_GREW_NO;
	}
	return SWIOTLB_GREW_ADDED;
}

/*
 * The end of a claim that added nothing and tried nothing: the slots were
 * found after all. Whoever found the bit taken meanwhile and went to sleep
 * counting on a pool learns there is none (the oldest waiter tries again).
 */
static void swiotlb_grow_unclaim(struct io_tlb_mem *mem)
{
	clear_bit_unlock(0, &mem->grow_busy);
	swiotlb_wake_waiters(mem);
}

/* The end of a claim: the pool is there for everybody (@added), or none came. */
static void swiotlb_grow_release(struct io_tlb_mem *mem, bool added)
{
	if (added)
		swiotlb_arm_shrink(mem);
	else
		/* Not again for a while (one that read the old time may try once). */
		WRITE_ONCE(mem->grow_inline_retry,
			   get_jiffies_64() + msecs_to_jiffies(SWIOTLB_GROW_RETRY_MS));
	clear_bit_unlock(0, &mem->grow_busy);
	/*
	 * Added: every waiter may fit in what is left of it (a caller that
	 * takes its slots after they are woken may lose them). Failed: those
	 * that found the bit taken and could not have a transient pool at once
	 * (scatterlists, waiters, confidential guests, memory short) went to
	 * sleep counting on this pool; woken, the oldest finds growth off for
	 * a while and asks the worker, which may still find memory with
	 * GFP_KERNEL.
	 */
	if (added)
		swiotlb_wake_all_waiters(mem);
	else
		swiotlb_wake_waiters(mem);
}

/**
 * swiotlb_grow_now() - add a dynamic pool from the context of a mapping
 * @dev:	device of the mapping; its allocator can grow, with
 *		mem->grow_inline
 * @limit:	the highest DMA address the mapping may use (0: none); no pool
 *		is added if one may lie above it (swiotlb_growth_serves())
 *
 * For a mapping that may sleep and found the pools full: it adds the pool
 * the worker would, at once, instead of waiting for the worker to be
 * scheduled, but only with memory that can be had without reclaim that
 * waits for I/O, without retrying and without the emergency reserves
 * (GFP_NOIO, __GFP_NORETRY, __GFP_NOMEMALLOC: the caller may be a driver
 * submitting I/O for reclaim, PF_MEMALLOC); when memory is short it gives
 * up, and the caller waits as before. Not within SWIOTLB_GROW_RETRY_MS of a
 * failed attempt of the worker or of a mapping (each attempt is an
 * allocation from the largest order down, with reclaim: repeated at every
 * wake-up of the oldest waiter while memory is short, it would only fail
 * again), and one caller at a time: the others take a transient pool each
 * meanwhile (swiotlb_grow_room(); memory is not short while somebody is
 * adding a pool), or, if even that fails, wait for the pool it adds; no
 * other pool is added before it, so the pools grow by what the callers
 * hold, a pool at a time, as far as memory that needs no waiting reclaim
 * goes (as the worker's growth has no bound but memory). Where that memory
 * is short the callers wait for slots to come back.
 *
 * This form is for a scatterlist, which takes its entries from the pools
 * once the pool is there, cleared; a single mapping takes its slots in the
 * new pool before anyone else, and leaves the clearing to a work item
 * (swiotlb_grow_first()).
 *
 * Context: process context; sleeps (allocates, shares memory with the host
 * of a confidential guest).
 * Return: %SWIOTLB_GREW_ADDED, %SWIOTLB_GREW_BUSY (another caller is adding
 * one) or %SWIOTLB_GREW_NO (no memory, or not now).
 */
enum swiotlb_grew swiotlb_grow_now(struct device *dev, u64 limit)
{
	enum swiotlb_grew grew = swiotlb_grow_claim(dev, limit);
	bool added;

	if (grew != SWIOTLB_GREW_ADDED)
		return grew;
	added = swiotlb_dynamic_add(dev->dma_io_tlb_mem, SWIOTLB_GFP_AT_ONCE);
	swiotlb_grow_release(dev->dma_io_tlb_mem, added);
	return added ? SWIOTLB_GREW_ADDED : SWIOTLB_GREW_NO;
}

/**
 * swiotlb_grow_first() - add a dynamic pool from the context of a single
 * mapping, the mapping in it
 * @dev:	device of the mapping, as for swiotlb_grow_now()
 * @req:	the mapping
 * @head:	set to its head slot if *@pool is set
 * @pool:	set to the new pool if it holds the mapping, else %NULL
 *
 * As swiotlb_grow_now(), but the caller's mapping takes its run in the new
 * pool first, and returns once that run alone is cleared
 * (swiotlb_dynamic_add_first()): clearing the rest, megabytes, is left to
 * a work item (swiotlb_grow_ready()), after which every mapping may use the
 * pool. Until then the growth bit stays held: other callers that may sleep
 * take transient pools at once or wait, as while the pool is made. A
 * mapping that does not fit in the new pool (*@pool %NULL on
 * %SWIOTLB_GREW_ADDED) finds it ready, among the others. With the bit
 * claimed, the pools are searched once more first: a pool that became
 * everybody's since the caller's search serves it (*@pool set, none
 * added).
 *
 * Context: process context; sleeps.
 * Return: as swiotlb_grow_now().
 */
enum swiotlb_grew swiotlb_grow_first(struct device *dev, const struct swiotlb_req *req,
				     int *head, struct io_tlb_pool **pool)
{
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	enum swiotlb_grew grew = swiotlb_grow_claim(dev, req->limit);
	bool added;

	*pool = NULL;
	if (grew != SWIOTLB_GREW_ADDED)
		return grew;
	/*
	 * The pool another caller added may have become everybody's between
	 * this caller's search and its claim (a work item made it so): look
	 * again before adding one more.
	 */
	*pool = swiotlb_pools_take(dev, req, head);
	if (*pool) {
		swiotlb_grow_unclaim(mem);
		return SWIOTLB_GREW_ADDED;
	}
	*pool = swiotlb_dynamic_add_first(dev, req, head, SWIOTLB_GFP_AT_ONCE);
	if (*pool && *head >= 0) {
		/* The bit stays held; the work item sees the pool (queue_work() orders). */
		mem->grow_pending = *pool;
		WARN_ON_ONCE(!queue_work(swiotlb_wq ?: system_wq, &mem->grow_ready));
		return SWIOTLB_GREW_ADDED;
	}
	/* None added, or added and published whole: the mapping was not placed. */
	added = *pool;
	*pool = NULL;
	swiotlb_grow_release(mem, added);
	return added ? SWIOTLB_GREW_ADDED : SWIOTLB_GREW_NO;
}

/**
 * swiotlb_grow_ready() - the second half of swiotlb_grow_first()
 * @work:	&io_tlb_mem.grow_ready of the allocator that grew
 *
 * Clears the new pool but for its first mapping's run, lets every mapping
 * use it, and ends the growth: the bit is released, every waiter tries.
 * On the swiotlb workqueue: its rescuer runs this when memory is short.
 */
void swiotlb_grow_ready(struct work_struct *work)
{
	struct io_tlb_mem *mem = container_of(work, struct io_tlb_mem, grow_ready);
	struct io_tlb_pool *pool = mem->grow_pending;

	mem->grow_pending = NULL;
	swiotlb_dynamic_ready(pool);
	swiotlb_grow_release(mem, true);
}

/**
 * swiotlb_shrink() - give idle dynamic pools back
 * @mem:	the allocator
 *
 * A dynamic pool goes when it has been unused for mem->idle_ms, nobody is
 * waiting for room, and what remains would be at most half full (so that a
 * steady load does not make pools come and go). The default pool stays.
 * Newest pools go first.
 *
 * Context: process context; one caller at a time (the allocator's shrink
 * work, or a test).
 */
void swiotlb_shrink(struct io_tlb_mem *mem)
{
	while (!READ_ONCE(mem->nwaiters) && swiotlb_shrink_one(mem))
		;
}

/**
 * swiotlb_shrink_work() - the allocator's shrink work: swiotlb_shrink(),
 * again later while dynamic pools remain
 * @work:	&io_tlb_mem.shrink_work
 */
void swiotlb_shrink_work(struct work_struct *work)
{
	struct io_tlb_mem *mem = container_of(to_delayed_work(work), struct io_tlb_mem,
					      shrink_work);

	swiotlb_shrink(mem);
	if (READ_ONCE(mem->nslabs) > mem->defpool.nslabs)
		swiotlb_arm_shrink(mem);
}
#endif /* CONFIG_SWIOTLB_DYNAMIC */
