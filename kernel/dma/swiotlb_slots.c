// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb slot allocator: finding and returning runs of slots in one pool.
 *
 * A pool is an array of 2 KiB slots, cut into segments of IO_TLB_SEGSIZE
 * slots (no run crosses one) and into areas, each a range of whole segments
 * with its own lock, so that CPUs mapping at the same time rarely contend.
 * The segments are shared out as evenly as they go: with 15 segments and 4
 * areas, the areas get 3, 4, 4 and 4, so a pool of any size keeps every
 * area it asks for as long as each can have a segment.
 *
 * Book-keeping, per pool:
 *   busy      one bit per slot, set while the slot belongs to a run;
 *   seg_free  free slots per segment, so a segment that cannot hold the
 *             run is passed over without looking at its bits;
 *   slots     per-slot records: the head slot of a mapping (the one its
 *             bounce buffer starts in) keeps the caller's address, size,
 *             direction and the run's extent; every slot of the mapping
 *             knows how far back its head is, so a sync at an offset finds
 *             the mapping in O(1).
 *
 * A search starts at the slot after the area's last run, goes on through
 * the area's next segments (skipping full ones by their counter) and wraps
 * around to the slots it passed over in the first; inside a segment it
 * jumps from one aligned candidate to the next, past busy slots, a word of
 * the bitmap at a time. Slots are so handed out in turn: with mappings held
 * (a queue of I/O) the next run is usually at the hint, not behind every
 * live one. Freeing is O(1) plus clearing the run's bits.
 *
 * Locking: area->lock (irq-safe, since mappings are made from any context)
 * protects the busy bits, the segment counters and the slot records of the
 * area's slots, area->used, area->closed and area->next. No other lock is
 * taken under it, and no code holds two area locks at once. The records of
 * a live mapping are read without the lock by the mapping's owner, which is
 * the only one to end it. A run's head record is written before the way
 * to it, and both before its busy bits (smp_wmb() in claim(), smp_rmb()
 * in swiotlb_slots_head()): a lookup without the lock that sees a slot
 * busy never follows it to a record nobody wrote (a new pool's records are
 * not cleared). What it finds may still belong to another mapping: such a
 * lookup is a driver's bug that nothing makes safe.
 */

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/dma-direct.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "swiotlb_internal.h"

static unsigned int swiotlb_nsegs(unsigned long nslabs)
{
	return DIV_ROUND_UP(nslabs, IO_TLB_SEGSIZE);
}

/**
 * swiotlb_fit_nareas() - the number of areas a pool of @nslabs slots gets
 * @nslabs:	slots of the pool
 * @nareas:	areas wanted, a power of two
 *
 * Each area is a range of whole segments, at least one; areas may differ
 * by a segment.
 *
 * Return: @nareas (a power of two below it, if it is not one), halved while
 * there are fewer segments than areas; at least 1.
 */
unsigned int swiotlb_fit_nareas(unsigned long nslabs, unsigned int nareas)
{
	unsigned long nsegs = swiotlb_nsegs(nslabs);

	/* The areas are walked with a mask: their number is a power of two. */
	if (nareas > 1)
		nareas = rounddown_pow_of_two(nareas);
	while (nareas > 1 && nareas > nsegs)
		nareas >>= 1;
	return max(nareas, 1U);
}

/* The area of segment @seg: the inverse of the first_seg of each area. */
static unsigned int swiotlb_seg_area(const struct io_tlb_pool *pool, unsigned int seg)
{
	unsigned int nsegs = swiotlb_nsegs(pool->nslabs);

	return div_u64((u64)(seg + 1) * pool->nareas - 1, nsegs);
}

/**
 * swiotlb_meta_size() - bytes of book-keeping a pool needs
 * @nslabs:	slots of the pool
 * @nareas:	areas of the pool, as returned by swiotlb_fit_nareas()
 *
 * Return: the size of the block to pass to swiotlb_slots_setup().
 */
size_t swiotlb_meta_size(unsigned long nslabs, unsigned int nareas)
{
	return array_size(nareas, sizeof(struct swiotlb_area)) +
	       array_size(nslabs, sizeof(struct swiotlb_slot)) +
	       BITS_TO_LONGS(nslabs) * sizeof(unsigned long) +
	       swiotlb_nsegs(nslabs);
}

/**
 * swiotlb_slots_layout() - lay out a pool whose slots are all free, leaving
 * its memory as it is
 * @pool:	the pool; its other fields are left alone
 * @meta:	swiotlb_meta_size() bytes for the book-keeping, in any state:
 *		what the allocator reads of a free pool (areas, busy bits,
 *		segment counts) is written here, and a slot's record only
 *		once its run is taken (see claim()). Neither the records nor
 *		a clearing of them are paid for up front, which for a pool of
 *		thousands of slots would be most of the time it takes to add
 *		one
 * @start:	physical address of the bounce memory
 * @vaddr:	kernel address of the bounce memory
 * @nslabs:	number of slots
 * @nareas:	number of areas, as returned by swiotlb_fit_nareas()
 *
 * The memory still holds whatever it held before: nobody may read it (no
 * device may be given a slot of it) until it is cleared, see
 * swiotlb_slots_setup() and swiotlb_slots_clear_free().
 */
void swiotlb_slots_layout(struct io_tlb_pool *pool, void *meta, phys_addr_t start,
			  void *vaddr, unsigned long nslabs, unsigned int nareas)
{
	unsigned int nsegs = swiotlb_nsegs(nslabs);
	unsigned long i;

	pool->start = start;
	pool->end = start + ((phys_addr_t)nslabs << IO_TLB_SHIFT);
	pool->vaddr = vaddr;
	pool->nslabs = nslabs;
	pool->nareas = nareas;

	pool->areas = meta;
	pool->slots = meta + array_size(nareas, sizeof(struct swiotlb_area));
	pool->busy = (unsigned long *)(pool->slots + nslabs);
	pool->seg_free = (u8 *)(pool->busy + BITS_TO_LONGS(nslabs));

	for (i = 0; i < nareas; i++) {
		struct swiotlb_area *area = &pool->areas[i];
		unsigned int first = div_u64((u64)i * nsegs, nareas);
		unsigned int next = div_u64((u64)(i + 1) * nsegs, nareas);

		spin_lock_init(&area->lock);
		area->used = 0;
		area->closed = false;
		area->next = first * IO_TLB_SEGSIZE;
		area->first_seg = first;
		area->nsegs = next - first;
		area->nslabs = min_t(unsigned long, nslabs, (unsigned long)next * IO_TLB_SEGSIZE) -
			       (unsigned long)first * IO_TLB_SEGSIZE;
	}
	bitmap_zero(pool->busy, nslabs);
	for (i = 0; i < nsegs; i++)
		pool->seg_free[i] = min_t(unsigned long, IO_TLB_SEGSIZE,
					  nslabs - i * IO_TLB_SEGSIZE);
}

/**
 * swiotlb_slots_setup() - lay out a pool whose slots are all free, and
 * clear its memory
 * @pool:	the pool; its other fields are left alone
 * @meta:	swiotlb_meta_size() bytes for the book-keeping, in any state
 * @start:	physical address of the bounce memory
 * @vaddr:	kernel address of the bounce memory, which is cleared: no
 *		device may read what it held before
 * @nslabs:	number of slots
 * @nareas:	number of areas, as returned by swiotlb_fit_nareas()
 */
void swiotlb_slots_setup(struct io_tlb_pool *pool, void *meta, phys_addr_t start,
			 void *vaddr, unsigned long nslabs, unsigned int nareas)
{
	swiotlb_slots_layout(pool, meta, start, vaddr, nslabs, nareas);
	memset(vaddr, 0, nslabs << IO_TLB_SHIFT);
}

/* Clear slots [@first, @end) of @pool. */
void swiotlb_slots_clear(struct io_tlb_pool *pool, unsigned long first, unsigned long end)
{
	memset(pool->vaddr + (first << IO_TLB_SHIFT), 0, (end - first) << IO_TLB_SHIFT);
}

/**
 * swiotlb_slots_clear_around() - clear the run of a new mapping in memory
 * never cleared, but for the bytes its fill is about to write
 * @pool:	the pool
 * @head:	head slot of the mapping, just taken for @req
 * @req:	what it was taken for
 *
 * A device sees the whole run: the padding slots and the bytes before the
 * buffer in its first slot, and the rest of its last slot after it, must
 * not hold what the memory held before. The buffer itself is written by
 * swiotlb_fill(), which copies the caller's buffer in whatever the
 * direction; a run with no caller's buffer (%SWIOTLB_NO_ORIG) is cleared
 * whole.
 */
void swiotlb_slots_clear_around(struct io_tlb_pool *pool, int head,
				const struct swiotlb_req *req)
{
	void *run = pool->vaddr + ((unsigned long)(head - req->pad) << IO_TLB_SHIFT);
	void *end = run + ((size_t)req->nslots << IO_TLB_SHIFT);
	void *buf = pool->vaddr + ((unsigned long)head << IO_TLB_SHIFT) + req->offset;

	if (req->orig == SWIOTLB_NO_ORIG) {
		memset(run, 0, end - run);
		return;
	}
	memset(run, 0, buf - run);
	memset(buf + req->size, 0, end - buf - req->size);
}

/**
 * swiotlb_slots_clear_free() - clear the memory of every free slot of a
 * pool nobody else can take slots from
 * @pool:	a pool laid out by swiotlb_slots_layout() and not yet in any
 *		list a mapping takes slots from: its runs can only be given
 *		back meanwhile, never taken
 *
 * A segment at a time: its busy bits are copied under its area's lock,
 * and the slots free in that copy are cleared after the lock is dropped.
 * The lock orders the clearing after everything the mapping that gave a
 * run back did before (its unmap's copy out of the run, on a CPU that
 * may reorder a load after a later store); a run given back after the
 * copy is left as it is, holding the bytes its own mapping bounced, never
 * what the memory held before the pool. Clears up to the whole pool,
 * rescheduling between segments: megabytes take milliseconds, and this
 * runs off the mapping path.
 *
 * Context: process context; may sleep.
 */
void swiotlb_slots_clear_free(struct io_tlb_pool *pool)
{
	DECLARE_BITMAP(busy, IO_TLB_SEGSIZE);
	unsigned long seg, n, first, end;
	struct swiotlb_area *area;
	unsigned long flags;

	/* A segment starts on a word of the bitmap: IO_TLB_SEGSIZE is a multiple of its bits. */
	BUILD_BUG_ON(IO_TLB_SEGSIZE % BITS_PER_LONG);
	for (seg = 0; seg < pool->nslabs; seg += IO_TLB_SEGSIZE) {
		n = min_t(unsigned long, IO_TLB_SEGSIZE, pool->nslabs - seg);
		area = &pool->areas[swiotlb_seg_area(pool, seg / IO_TLB_SEGSIZE)];
		spin_lock_irqsave(&area->lock, flags);
		memcpy(busy, &pool->busy[seg / BITS_PER_LONG], BITS_TO_LONGS(n) * sizeof(long));
		spin_unlock_irqrestore(&area->lock, flags);
		for (first = 0; first < n; first = end) {
			first = find_next_zero_bit(busy, n, first);
			end = find_next_bit(busy, n, first);
			if (first < end)
				swiotlb_slots_clear(pool, seg + first, seg + end);
		}
		cond_resched();
	}
}

/*
 * The first slot at or after @i whose DMA address has the wanted low bits:
 * (@base + slot) & @mask == @want, where @mask is of the form 2^k - 1.
 */
static unsigned long next_candidate(unsigned long i, unsigned long base,
				    unsigned long mask, unsigned long want)
{
	return i + ((want - (base + i)) & mask);
}

/*
 * Look for a run in the segment of slot @from, starting at @from and before
 * slot @stop. @dma_base is the DMA address of slot 0.
 * Return the first slot of the run, or -1.
 */
static __always_inline long search_segment(struct io_tlb_pool *pool, unsigned long from,
					   unsigned long stop, dma_addr_t dma_base,
					   const struct swiotlb_req *req)
{
	unsigned long lo = round_down(from, IO_TLB_SEGSIZE);
	unsigned long hi = min(lo + IO_TLB_SEGSIZE, pool->nslabs);
	unsigned long base = dma_base >> IO_TLB_SHIFT;
	unsigned long mask = (req->align_mask | req->match_mask) >> IO_TLB_SHIFT;
	unsigned long want = ((req->orig & req->match_mask) >> IO_TLB_SHIFT) & mask;
	unsigned long n = req->nslots;
	unsigned long i = next_candidate(from, base, mask, want);

	while (i + n <= hi && i < stop) {
		dma_addr_t first = dma_base + ((dma_addr_t)i << IO_TLB_SHIFT);
		dma_addr_t last = first + ((dma_addr_t)n << IO_TLB_SHIFT) - 1;
		unsigned long busy;

		/* Runs further on lie higher still: none of them will do. */
		if (req->limit && swiotlb_req_end(req, first) > req->limit)
			return -1;
		if ((first ^ last) & ~req->boundary_mask) {
			/* Start again past the device's segment boundary. */
			dma_addr_t next = (first | req->boundary_mask) + 1;

			i = next_candidate((next - dma_base) >> IO_TLB_SHIFT,
					   base, mask, want);
			continue;
		}
		busy = find_next_bit(pool->busy, i + n, i);
		if (busy >= i + n)
			return i;
		i = next_candidate(busy + 1, base, mask, want);
	}
	return -1;
}

/* Take slots [@start, @start + nslots) and record the mapping. */
static unsigned int claim(struct io_tlb_pool *pool, struct swiotlb_area *area,
			  unsigned long start, const struct swiotlb_req *req)
{
	unsigned long head = start + req->pad;
	unsigned long i;

	WARN_ON_ONCE(!req->nslots);
	/*
	 * The records a lookup reads once the slots are busy: padding slots
	 * lead nowhere, the others to the head, and only the head has a slot
	 * count. A free slot's record is never read and may hold anything (a
	 * new pool's are not cleared).
	 */
	for (i = start; i < start + req->nslots; i++)
		pool->slots[i].nslots = 0;
	pool->slots[head].orig_addr = req->orig;
	pool->slots[head].size = req->size;
	pool->slots[head].nslots = req->nslots;
	pool->slots[head].offset = req->offset;
	pool->slots[head].pad = req->pad;
	pool->slots[head].dir = req->dir;
	/*
	 * In three steps, each made visible before the next: the head's
	 * record (and the other slots' counts), then the way to it, then the
	 * busy bits. A lookup that does not hold the area lock (a stale or
	 * bogus sync, a driver's bug) reads them in the opposite order (bit,
	 * smp_rmb() in swiotlb_slots_head(), @to_head, then the record it
	 * leads to, an address dependency): whether it sees this run's bits
	 * or, still busy, a freed run's, any @to_head it reads from this run
	 * leads to a record written for it, never to what the memory held
	 * before (a new pool's records are not cleared).
	 */
	smp_wmb();
	for (i = start; i < start + req->nslots; i++)
		WRITE_ONCE(pool->slots[i].to_head, i < head ? 0 : i - head);
	/* The way to the head before the busy bits. */
	smp_wmb();
	bitmap_set(pool->busy, start, req->nslots);
	pool->seg_free[start / IO_TLB_SEGSIZE] -= req->nslots;
	area->used += req->nslots;
	return head;
}

static int search_area(struct io_tlb_pool *pool, unsigned int a,
		       dma_addr_t dma_base, const struct swiotlb_req *req)
{
	struct swiotlb_area *area = &pool->areas[a];
	unsigned int nsegs = area->nsegs;
	unsigned int first_seg = area->first_seg;
	unsigned long flags;
	unsigned long next, lo;
	unsigned int k, s, s0;
	long start;
	int head = -1;

	spin_lock_irqsave(&area->lock, flags);
	if (area->closed || area->used + req->nslots > area->nslabs)
		goto out;
	/* From the hint to the end of its segment, the other segments, then the rest of it. */
	next = area->next;
	s0 = next / IO_TLB_SEGSIZE - first_seg;
	for (k = 0; k <= nsegs; k++) {
		s = s0 + k;
		if (s >= nsegs)
			s -= nsegs;
		lo = (unsigned long)(first_seg + s) * IO_TLB_SEGSIZE;
		if (pool->seg_free[first_seg + s] < req->nslots)
			continue;
		if (k == 0)
			start = search_segment(pool, next, ULONG_MAX, dma_base, req);
		else if (k < nsegs)
			start = search_segment(pool, lo, ULONG_MAX, dma_base, req);
		else if (next > lo)
			start = search_segment(pool, lo, next, dma_base, req);
		else
			break;
		if (start >= 0) {
			head = claim(pool, area, start, req);
			next = start + req->nslots;
			if (next >= (unsigned long)(first_seg + nsegs) * IO_TLB_SEGSIZE ||
			    next >= pool->nslabs)
				next = (unsigned long)first_seg * IO_TLB_SEGSIZE;
			area->next = next;
			break;
		}
	}
out:
	spin_unlock_irqrestore(&area->lock, flags);
	return head;
}

/**
 * swiotlb_slots_alloc() - take a run of slots for a bounce buffer
 * @dev:	device that will use the buffer (its DMA address view)
 * @pool:	pool to take the slots from
 * @first_area:	area to try first (the others follow in turn)
 * @req:	what the buffer needs
 *
 * Context: any; takes the area locks with interrupts disabled.
 * Return: the head slot of the new mapping, or -1 if @pool has no room.
 */
int swiotlb_slots_alloc(struct device *dev, struct io_tlb_pool *pool,
			unsigned int first_area, const struct swiotlb_req *req)
{
	dma_addr_t dma_base = phys_to_dma_unencrypted(dev, pool->start);
	unsigned int i;
	int head;

	for (i = 0; i < pool->nareas; i++) {
		head = search_area(pool, (first_area + i) & (pool->nareas - 1),
				   dma_base, req);
		if (head >= 0)
			return head;
	}
	return -1;
}

/**
 * swiotlb_slots_head() - the head slot of the mapping @addr points into
 * @pool:	pool holding @addr
 * @addr:	an address inside a bounce buffer
 *
 * For the owner of the mapping, which keeps it alive meanwhile.
 *
 * Return: the head slot, or -1 if @addr is in no live mapping.
 */
int swiotlb_slots_head(struct io_tlb_pool *pool, phys_addr_t addr)
{
	unsigned long i = swiotlb_slot_index(pool, addr);
	unsigned long head;

	if (addr < pool->start || i >= pool->nslabs || !test_bit(i, pool->busy))
		return -1;
	/* The records of a busy slot were written before its bit: see claim(). */
	smp_rmb();
	head = i - READ_ONCE(pool->slots[i].to_head);
	if (head >= pool->nslabs || !READ_ONCE(pool->slots[head].nslots))
		return -1;
	return head;
}

/**
 * swiotlb_slots_free() - give back the run of the mapping headed by @head
 * @pool:	pool of the mapping
 * @head:	head slot, as returned by swiotlb_slots_alloc()
 *
 * Context: any; takes the area lock with interrupts disabled.
 * Return: the number of slots freed; 0, changing nothing, if @head heads no
 * live mapping (a double unmap, or an address swiotlb never gave out).
 */
unsigned int swiotlb_slots_free(struct io_tlb_pool *pool, unsigned int head)
{
	struct swiotlb_slot *rec = &pool->slots[head];
	struct swiotlb_area *area;
	unsigned long flags, start;
	unsigned int n;

	/* A run lies in one segment, and so in one area: that of its head. */
	area = &pool->areas[swiotlb_seg_area(pool, head / IO_TLB_SEGSIZE)];
	spin_lock_irqsave(&area->lock, flags);
	if (!test_bit(head, pool->busy) || !rec->nslots) {
		spin_unlock_irqrestore(&area->lock, flags);
		return 0;
	}
	n = rec->nslots;
	start = head - rec->pad;
	/*
	 * Not all zeroes, as in a fresh pool: a sync racing a second unmap of
	 * the mapping (a driver's bug) that reads the ended record is more
	 * likely to copy nothing than to copy at physical address 0. Nothing
	 * makes that race safe: the record is read without the lock, and the
	 * slots may be someone else's by then.
	 */
	*rec = (struct swiotlb_slot) { .orig_addr = SWIOTLB_NO_ORIG };
	bitmap_clear(pool->busy, start, n);
	pool->seg_free[start / IO_TLB_SEGSIZE] += n;
	area->used -= n;
	spin_unlock_irqrestore(&area->lock, flags);
	return n;
}

/**
 * swiotlb_slots_used() - slots of @pool in use, summed over its areas
 * @pool:	the pool
 *
 * Return: a snapshot; areas may change while they are summed.
 */
unsigned long swiotlb_slots_used(struct io_tlb_pool *pool)
{
	unsigned long used = 0;
	unsigned int i;

	for (i = 0; i < pool->nareas; i++)
		used += READ_ONCE(pool->areas[i].used);
	return used;
}

/**
 * swiotlb_slots_used_locked() - slots of @pool in use, each area read under
 * its lock
 * @pool:	the pool
 *
 * Context: any; takes the area locks one at a time, interrupts disabled.
 * Return: a snapshot, as swiotlb_slots_used(), but ordered after any release
 * the locks saw before (see swiotlb_wake_after_free()).
 */
unsigned long swiotlb_slots_used_locked(struct io_tlb_pool *pool)
{
	struct swiotlb_area *area;
	unsigned long used = 0, flags;
	unsigned int i;

	for (i = 0; i < pool->nareas; i++) {
		area = &pool->areas[i];
		spin_lock_irqsave(&area->lock, flags);
		used += area->used;
		spin_unlock_irqrestore(&area->lock, flags);
	}
	return used;
}

static void swiotlb_area_set_closed(struct swiotlb_area *area, bool closed)
{
	unsigned long flags;

	spin_lock_irqsave(&area->lock, flags);
	area->closed = closed;
	spin_unlock_irqrestore(&area->lock, flags);
}

/**
 * swiotlb_slots_seal() - stop new runs in a pool, used or not
 * @pool:	a pool whose live mappings may stay until they are unmapped
 *
 * Context: any; takes the area locks with interrupts disabled.
 */
void swiotlb_slots_seal(struct io_tlb_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nareas; i++)
		swiotlb_area_set_closed(&pool->areas[i], true);
}

/**
 * swiotlb_slots_close() - stop new runs in an unused pool
 * @pool:	a pool about to be given back
 *
 * Closes the areas one by one; if one of them has slots in use (a mapping
 * may have been made since the caller looked), opens them all again.
 *
 * Context: any; takes the area locks with interrupts disabled.
 * Return: %true if the pool is closed and empty.
 */
bool swiotlb_slots_close(struct io_tlb_pool *pool)
{
	struct swiotlb_area *area;
	unsigned long flags;
	unsigned int i;
	bool busy;

	for (i = 0; i < pool->nareas; i++) {
		area = &pool->areas[i];
		spin_lock_irqsave(&area->lock, flags);
		busy = area->used;
		area->closed = !busy;
		spin_unlock_irqrestore(&area->lock, flags);
		if (busy)
			goto reopen;
	}
	return true;

reopen:
	while (i--)
		swiotlb_area_set_closed(&pool->areas[i], false);
	return false;
}
