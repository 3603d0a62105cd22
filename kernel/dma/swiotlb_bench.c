// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb benchmark workloads, for `make bench` (bench/README.md).
 *
 * Built into two kernels that differ only in their swiotlb: upstream's and
 * ours. It uses the DMA API and, to tell where a bounce buffer went, the
 * pool lookup of <linux/swiotlb.h>, which both have. Each file of
 * /sys/kernel/debug/swiotlb_bench/ runs one workload when read and prints
 * "bench: <workload> key=value ..." lines:
 *
 *   burst_sleep, burst_atomic  16 threads over-subscribe the default pool
 *                              4x, from process context (with
 *                              DMA_ATTR_MAY_BLOCK where it exists) or with
 *                              preemption off
 *   lookup                     the cost of finding a mapping's pool (a
 *                              64-byte sync pair) and of an unmap, with 1,
 *                              8 and 64 pools present
 *   lookup_transient           the same for a device with 64 live transient
 *                              pools: on the oldest and the newest of them
 *   lookup_oldest              the same with 64 dynamic pools: on the oldest
 *                              and the newest of them (the worst case of a
 *                              walk of the list of pools is the oldest)
 *   held                       map and unmap latency of one-page
 *                              mappings 64 at a time, all 64 held
 *                              between (a queue of I/O), where
 *                              dma_map_benchmark ends each mapping
 *                              before the next
 *   copy                       bounce throughput (map + unmap, both
 *                              directions) against memcpy() of the same size
 *
 * Its device bounces every mapping only with "swiotlb=...,force".
 */

#define pr_fmt(fmt) "swiotlb_bench: " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/init.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

/*
 * The two swiotlbs name what is needed here differently: ours has
 * DMA_ATTR_MAY_BLOCK and a pool kind, upstream's has neither attribute nor
 * kind but a flag for transient pools.
 */
#ifdef DMA_ATTR_MAY_BLOCK
#define BENCH_MAY_BLOCK		DMA_ATTR_MAY_BLOCK
#define bench_pool_transient(pool) ((pool)->kind == SWIOTLB_POOL_TRANSIENT)
#define BENCH_SWIOTLB		"ours"
#else
#define BENCH_MAY_BLOCK		0
#define bench_pool_transient(pool) ((pool)->transient)
#define BENCH_SWIOTLB		"upstream"
#endif

static struct device *bench_dev;

enum bench_where { BENCH_DEFAULT, BENCH_DYNAMIC, BENCH_TRANSIENT, BENCH_NOT_BOUNCED };

static enum bench_where bench_where(dma_addr_t addr, struct io_tlb_pool **poolp)
{
	struct io_tlb_pool *pool = swiotlb_find_pool(bench_dev, dma_to_phys(bench_dev, addr));

	if (poolp)
		*poolp = pool;
	if (!pool)
		return BENCH_NOT_BOUNCED;
	if (pool == &bench_dev->dma_io_tlb_mem->defpool)
		return BENCH_DEFAULT;
	return bench_pool_transient(pool) ? BENCH_TRANSIENT : BENCH_DYNAMIC;
}

/* ---- Burst ---- */

#define BURST_THREADS	16
#define BURST_MAPS	16	/* per thread and round: 16 x 16 x 64 KiB = 16 MiB */
#define BURST_SIZE	SZ_64K
#define BURST_ROUNDS	3
#define BURST_HOLD_MS	20

struct burst {
	bool atomic;
	atomic_t left;
	struct completion done;
	atomic_long_t maps, failed, where[4];
	atomic64_t map_ns, map_ns_max;
};

static void burst_count_ns(struct burst *b, u64 ns)
{
	s64 old = atomic64_read(&b->map_ns_max);

	atomic64_add(ns, &b->map_ns);
	while ((s64)ns > old && !atomic64_try_cmpxchg(&b->map_ns_max, &old, ns))
		;
}

/*
 * The time of one map call. With preemption off it is read before
 * preempt_enable(), which switches to any task woken meanwhile (16 threads
 * share 2 CPUs here) and would add that task's time slice to the map's: a
 * figure of the scheduler, not of either swiotlb. A map that may sleep is
 * timed whole, its waits included.
 */
static dma_addr_t burst_map(struct burst *b, void *buf)
{
	unsigned long attrs = b->atomic ? 0 : BENCH_MAY_BLOCK;
	dma_addr_t addr;
	u64 start, ns;

	if (b->atomic)
		preempt_disable();
	start = ktime_get_ns();
	addr = dma_map_single_attrs(bench_dev, buf, BURST_SIZE, DMA_TO_DEVICE,
				    attrs | DMA_ATTR_NO_WARN);
	ns = ktime_get_ns() - start;
	if (b->atomic)
		preempt_enable();
	burst_count_ns(b, ns);
	atomic_long_inc(&b->maps);
	if (dma_mapping_error(bench_dev, addr)) {
		atomic_long_inc(&b->failed);
		return DMA_MAPPING_ERROR;
	}
	atomic_long_inc(&b->where[bench_where(addr, NULL)]);
	return addr;
}

static int burst_thread(void *data)
{
	struct burst *b = data;
	dma_addr_t addr[BURST_MAPS];
	void *buf = kmalloc(BURST_SIZE, GFP_KERNEL);
	int r, i;

	for (r = 0; buf && r < BURST_ROUNDS; r++) {
		for (i = 0; i < BURST_MAPS; i++)
			addr[i] = burst_map(b, buf);
		msleep(BURST_HOLD_MS);
		for (i = 0; i < BURST_MAPS; i++)
			if (addr[i] != DMA_MAPPING_ERROR)
				dma_unmap_single(bench_dev, addr[i], BURST_SIZE, DMA_TO_DEVICE);
	}
	if (!buf)
		atomic_long_add(BURST_ROUNDS * BURST_MAPS, &b->failed);
	kfree(buf);
	if (atomic_dec_and_test(&b->left))
		complete(&b->done);
	return 0;
}

static int bench_burst(struct seq_file *m, bool atomic)
{
	struct burst *b = kzalloc(sizeof(*b), GFP_KERNEL);
	struct task_struct *t;
	u64 start;
	int i;

	if (!b)
		return -ENOMEM;
	b->atomic = atomic;
	init_completion(&b->done);
	atomic_set(&b->left, BURST_THREADS);
	start = ktime_get_ns();
	for (i = 0; i < BURST_THREADS; i++) {
		t = kthread_run(burst_thread, b, "swiotlb-burst/%d", i);
		if (IS_ERR(t) && atomic_dec_and_test(&b->left))
			complete(&b->done);
	}
	wait_for_completion(&b->done);
	seq_printf(m, "bench: burst swiotlb=%s mode=%s maps=%ld failed=%ld default=%ld dynamic=%ld transient=%ld map_total_us=%llu map_max_us=%llu completion_ms=%llu\n",
		   BENCH_SWIOTLB, atomic ? "atomic" : "sleep",
		   atomic_long_read(&b->maps), atomic_long_read(&b->failed),
		   atomic_long_read(&b->where[BENCH_DEFAULT]),
		   atomic_long_read(&b->where[BENCH_DYNAMIC]),
		   atomic_long_read(&b->where[BENCH_TRANSIENT]),
		   atomic64_read(&b->map_ns) / NSEC_PER_USEC,
		   atomic64_read(&b->map_ns_max) / NSEC_PER_USEC,
		   (ktime_get_ns() - start) / NSEC_PER_MSEC);
	kfree(b);
	return 0;
}

static int bench_burst_sleep_show(struct seq_file *m, void *v)
{
	return bench_burst(m, false);
}
DEFINE_SHOW_ATTRIBUTE(bench_burst_sleep);

static int bench_burst_atomic_show(struct seq_file *m, void *v)
{
	return bench_burst(m, true);
}
DEFINE_SHOW_ATTRIBUTE(bench_burst_atomic);

/* ---- Lookup ---- */

#define LOOKUP_SIZE	SZ_256K
#define LOOKUP_MAX_HELD	1500
#define LOOKUP_PROBE	64
#define LOOKUP_ITERS	2000

/* Average ns of a for-CPU + for-device sync pair on the first 64 bytes of @addr. */
static u64 lookup_sync_ns(dma_addr_t addr)
{
	u64 start = ktime_get_ns();
	int i;

	for (i = 0; i < LOOKUP_ITERS; i++) {
		dma_sync_single_for_cpu(bench_dev, addr, LOOKUP_PROBE, DMA_BIDIRECTIONAL);
		dma_sync_single_for_device(bench_dev, addr, LOOKUP_PROBE, DMA_BIDIRECTIONAL);
	}
	return (ktime_get_ns() - start) / LOOKUP_ITERS;
}

static int lookup_level(struct seq_file *m, unsigned int want, void *buf, void *probe,
			dma_addr_t *held)
{
	struct io_tlb_pool **seen = kcalloc(want, sizeof(*seen), GFP_KERNEL);
	unsigned int npools = 1, nheld = 0, i;
	struct io_tlb_pool *pool;
	dma_addr_t probe_addr;
	u64 default_ns, newest_ns = 0, start, unmap_ns = 0;

	if (!seen)
		return -ENOMEM;
	probe_addr = dma_map_single(bench_dev, probe, LOOKUP_PROBE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(bench_dev, probe_addr)) {
		kfree(seen);
		return -ENOMEM;
	}
	/* Fill until mappings have landed in @want pools, the default one included. */
	seen[0] = &bench_dev->dma_io_tlb_mem->defpool;
	while (npools < want && nheld < LOOKUP_MAX_HELD) {
		held[nheld] = dma_map_single_attrs(bench_dev, buf, LOOKUP_SIZE, DMA_TO_DEVICE,
						   DMA_ATTR_NO_WARN);
		if (dma_mapping_error(bench_dev, held[nheld]))
			break;
		bench_where(held[nheld++], &pool);
		for (i = 0; i < npools && seen[i] != pool; i++)
			;
		if (i == npools)
			seen[npools++] = pool;
	}

	default_ns = lookup_sync_ns(probe_addr);
	if (nheld)
		newest_ns = lookup_sync_ns(held[nheld - 1]);
	/* Newest first: each of them is found, and its pool freed if transient. */
	start = ktime_get_ns();
	for (i = nheld; i-- > 0;)
		dma_unmap_single(bench_dev, held[i], LOOKUP_SIZE, DMA_TO_DEVICE);
	if (nheld)
		unmap_ns = (ktime_get_ns() - start) / nheld;
	dma_unmap_single(bench_dev, probe_addr, LOOKUP_PROBE, DMA_BIDIRECTIONAL);

	seq_printf(m, "bench: lookup swiotlb=%s want_pools=%u pools=%u held=%u default_sync_ns=%llu newest_sync_ns=%llu unmap_ns=%llu\n",
		   BENCH_SWIOTLB, want, npools, nheld, default_ns, newest_ns, unmap_ns);
	kfree(seen);
	/* Let retired pools go before the next level. */
	synchronize_rcu();
	msleep(100);
	return 0;
}

static int bench_lookup_show(struct seq_file *m, void *v)
{
	static const unsigned int levels[] = { 1, 8, 64 };
	dma_addr_t *held = kvcalloc(LOOKUP_MAX_HELD, sizeof(*held), GFP_KERNEL);
	void *buf = kmalloc(LOOKUP_SIZE, GFP_KERNEL);
	void *probe = kmalloc(LOOKUP_PROBE, GFP_KERNEL);
	int i, err = -ENOMEM;

	if (held && buf && probe) {
		memset(buf, 0x5a, LOOKUP_SIZE);
		for (i = 0, err = 0; !err && i < ARRAY_SIZE(levels); i++)
			err = lookup_level(m, levels[i], buf, probe, held);
	}
	kfree(probe);
	kfree(buf);
	kvfree(held);
	return err;
}
DEFINE_SHOW_ATTRIBUTE(bench_lookup);

/* ---- Lookup, worst cases of a list walk ---- */

#define WORST_SIZE	SZ_64K
#define WORST_POOLS	64
#define WORST_MAX_HELD	4600	/* 64 pools of 4 MiB hold 4096 of them */

struct worst {
	dma_addr_t *addr;
	dma_addr_t *batch;
	struct io_tlb_pool **pool;
	struct io_tlb_pool *seen[WORST_POOLS];
	unsigned int nheld, npools;
	void *buf;
};

static int worst_start(struct worst *w)
{
	w->addr = kvcalloc(WORST_MAX_HELD, sizeof(*w->addr), GFP_KERNEL);
	w->pool = kvcalloc(WORST_MAX_HELD, sizeof(*w->pool), GFP_KERNEL);
	w->batch = kvcalloc(WORST_MAX_HELD, sizeof(*w->batch), GFP_KERNEL);
	w->buf = kmalloc(WORST_SIZE, GFP_KERNEL);
	w->nheld = 0;
	w->npools = 0;
	if (!w->addr || !w->pool || !w->batch || !w->buf)
		return -ENOMEM;
	memset(w->buf, 0x3c, WORST_SIZE);
	return 0;
}

/* Note that a held mapping is in @pool; count @pool if it is new. */
static void worst_note(struct worst *w, struct io_tlb_pool *pool)
{
	unsigned int i;

	w->pool[w->nheld] = pool;
	for (i = 0; i < w->npools && w->seen[i] != pool; i++)
		;
	if (i == w->npools && w->npools < WORST_POOLS)
		w->seen[w->npools++] = pool;
}

/* A held mapping in @pool, or DMA_MAPPING_ERROR. */
static dma_addr_t worst_in(struct worst *w, struct io_tlb_pool *pool)
{
	unsigned int i;

	for (i = 0; pool && i < w->nheld; i++)
		if (w->pool[i] == pool)
			return w->addr[i];
	return DMA_MAPPING_ERROR;
}

static u64 worst_sync_ns(dma_addr_t addr)
{
	return addr == DMA_MAPPING_ERROR ? 0 : lookup_sync_ns(addr);
}

/*
 * Take the held mappings in @pool (all if %NULL) out of @w, into its batch
 * after the *@n there already; add their number to *@n.
 */
static void worst_gather(struct worst *w, struct io_tlb_pool *pool, unsigned int *n)
{
	unsigned int i;

	for (i = 0; i < w->nheld; i++) {
		if (w->addr[i] == DMA_MAPPING_ERROR || (pool && w->pool[i] != pool))
			continue;
		w->batch[(*n)++] = w->addr[i];
		w->addr[i] = DMA_MAPPING_ERROR;
	}
}

/*
 * Unmap the @n mappings of the batch; return the ns the unmaps took. Only
 * the unmap calls are timed: how many mappings a kernel had to hold until
 * it reached its pools (which differs between the two) does not count.
 */
static u64 worst_unmap_batch(struct worst *w, unsigned int n)
{
	u64 start = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < n; i++)
		dma_unmap_single(bench_dev, w->batch[i], WORST_SIZE, DMA_TO_DEVICE);
	return ktime_get_ns() - start;
}

/* Mean ns per unmap of the held mappings in @pool. */
static u64 worst_unmap_mean(struct worst *w, struct io_tlb_pool *pool)
{
	unsigned int n = 0;

	worst_gather(w, pool, &n);
	return n ? worst_unmap_batch(w, n) / n : 0;
}

static void worst_end(struct worst *w)
{
	unsigned int n = 0;

	if (w->addr && w->pool && w->batch) {
		worst_gather(w, NULL, &n);
		worst_unmap_batch(w, n);
	}
	kfree(w->buf);
	kvfree(w->batch);
	kvfree(w->pool);
	kvfree(w->addr);
	/* Let retired pools go before what comes next. */
	synchronize_rcu();
	msleep(100);
}

/*
 * 64 KiB mappings made with preemption off (so that both swiotlbs put them
 * in transient pools once the pools are full) are held until 64 transient
 * pools of the device are live; those that land elsewhere are held too.
 */
static int bench_lookup_transient_show(struct seq_file *m, void *v)
{
	struct worst w;
	struct io_tlb_pool *pool;
	u64 oldest_ns = 0, newest_ns = 0, unmap_ns = 0;
	unsigned int i, npools, n = 0;
	dma_addr_t addr;
	int err = worst_start(&w);

	while (!err && w.npools < WORST_POOLS && w.nheld < WORST_MAX_HELD) {
		preempt_disable();
		addr = dma_map_single_attrs(bench_dev, w.buf, WORST_SIZE, DMA_TO_DEVICE,
					    DMA_ATTR_NO_WARN);
		preempt_enable();
		if (dma_mapping_error(bench_dev, addr))
			break;
		w.addr[w.nheld] = addr;
		if (bench_where(addr, &pool) == BENCH_TRANSIENT)
			worst_note(&w, pool);
		else
			w.pool[w.nheld] = NULL;
		w.nheld++;
	}
	npools = w.npools;
	if (!err && npools) {
		oldest_ns = worst_sync_ns(worst_in(&w, w.seen[0]));
		newest_ns = worst_sync_ns(worst_in(&w, w.seen[npools - 1]));
		/* Every transient one, the newest pool first. */
		for (i = npools; i-- > 0;)
			worst_gather(&w, w.seen[i], &n);
		unmap_ns = n ? worst_unmap_batch(&w, n) / n : 0;
	}
	if (!err)
		seq_printf(m, "bench: lookup_transient swiotlb=%s pools=%u held=%u oldest_sync_ns=%llu newest_sync_ns=%llu transient_unmap_ns=%llu\n",
			   BENCH_SWIOTLB, npools, w.nheld, oldest_ns, newest_ns, unmap_ns);
	worst_end(&w);
	return err;
}
DEFINE_SHOW_ATTRIBUTE(bench_lookup_transient);

/*
 * 64 KiB mappings that may sleep (ours: DMA_ATTR_MAY_BLOCK) are held until
 * they have landed in 64 dynamic pools. One that lands in a transient pool
 * (upstream, while its worker adds a pool) is unmapped again at once, and
 * the worker given a moment.
 */
static int bench_lookup_oldest_show(struct seq_file *m, void *v)
{
	struct worst w;
	struct io_tlb_pool *pool;
	u64 oldest_ns = 0, newest_ns = 0, oldest_unmap = 0, newest_unmap = 0;
	unsigned int n;
	dma_addr_t addr;
	int err = worst_start(&w);

	while (!err && w.npools < WORST_POOLS && w.nheld < WORST_MAX_HELD) {
		addr = dma_map_single_attrs(bench_dev, w.buf, WORST_SIZE, DMA_TO_DEVICE,
					    BENCH_MAY_BLOCK | DMA_ATTR_NO_WARN);
		if (dma_mapping_error(bench_dev, addr))
			break;
		switch (bench_where(addr, &pool)) {
		case BENCH_TRANSIENT:
			dma_unmap_single(bench_dev, addr, WORST_SIZE, DMA_TO_DEVICE);
			usleep_range(1000, 2000);
			continue;
		case BENCH_DYNAMIC:
			w.addr[w.nheld] = addr;
			worst_note(&w, pool);
			break;
		default:
			w.addr[w.nheld] = addr;
			w.pool[w.nheld] = NULL;
			break;
		}
		w.nheld++;
	}
	n = w.npools;
	if (!err && n) {
		oldest_ns = worst_sync_ns(worst_in(&w, w.seen[0]));
		newest_ns = worst_sync_ns(worst_in(&w, w.seen[n - 1]));
		oldest_unmap = worst_unmap_mean(&w, w.seen[0]);
		if (n > 1)
			newest_unmap = worst_unmap_mean(&w, w.seen[n - 1]);
	}
	if (!err)
		seq_printf(m, "bench: lookup_oldest swiotlb=%s pools=%u held=%u oldest_sync_ns=%llu newest_sync_ns=%llu oldest_unmap_ns=%llu newest_unmap_ns=%llu\n",
			   BENCH_SWIOTLB, n, w.nheld, oldest_ns, newest_ns, oldest_unmap,
			   newest_unmap);
	worst_end(&w);
	return err;
}
DEFINE_SHOW_ATTRIBUTE(bench_lookup_oldest);

/* ---- Copy ---- */

#define COPY_BYTES	(32 * SZ_1M)	/* per size and method */

static int bench_copy_show(struct seq_file *m, void *v)
{
	static const size_t sizes[] = { SZ_4K, SZ_64K, SZ_256K };
	void *src = kmalloc(SZ_256K, GFP_KERNEL);
	void *dst = kmalloc(SZ_256K, GFP_KERNEL);
	unsigned int i, n, iters;
	u64 start, bounce_ns, copy_ns;
	dma_addr_t addr;
	int err = 0;

	if (!src || !dst) {
		err = -ENOMEM;
		goto out;
	}
	memset(src, 0xa5, SZ_256K);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		/* A map and an unmap of a bidirectional mapping copy it twice. */
		iters = COPY_BYTES / sizes[i] / 2;
		start = ktime_get_ns();
		for (n = 0; n < iters; n++) {
			addr = dma_map_single(bench_dev, src, sizes[i], DMA_BIDIRECTIONAL);
			if (dma_mapping_error(bench_dev, addr)) {
				err = -ENOMEM;
				goto out;
			}
			dma_unmap_single(bench_dev, addr, sizes[i], DMA_BIDIRECTIONAL);
		}
		bounce_ns = ktime_get_ns() - start;
		start = ktime_get_ns();
		for (n = 0; n < 2 * iters; n++) {
			memcpy(dst, src, sizes[i]);
			/* Keep the compiler from dropping the copies. */
			barrier_data(dst);
		}
		copy_ns = ktime_get_ns() - start;
		seq_printf(m, "bench: copy swiotlb=%s size=%zu bounce_MBps=%llu memcpy_MBps=%llu\n",
			   BENCH_SWIOTLB, sizes[i],
			   div64_u64((u64)COPY_BYTES * 1000, max(bounce_ns, 1ULL)),
			   div64_u64((u64)COPY_BYTES * 1000, max(copy_ns, 1ULL)));
	}
out:
	kfree(dst);
	kfree(src);
	return err;
}
DEFINE_SHOW_ATTRIBUTE(bench_copy);

/* ---- Mappings held ---- */

#define HELD_MAPS	64
#define HELD_ROUNDS	3000

static int bench_held_show(struct seq_file *m, void *v)
{
	void *buf = kmalloc(HELD_MAPS * PAGE_SIZE, GFP_KERNEL);
	dma_addr_t addr[HELD_MAPS];
	u64 map_ns = 0, unmap_ns = 0, start;
	int r, i, err = 0;

	if (!buf) {
		seq_printf(m, "bench: error held swiotlb=%s: no buffer\n", BENCH_SWIOTLB);
		return 0;
	}
	memset(buf, 0x6b, HELD_MAPS * PAGE_SIZE);
	for (r = 0; r < HELD_ROUNDS && !err; r++) {
		start = ktime_get_ns();
		for (i = 0; i < HELD_MAPS; i++)
			addr[i] = dma_map_single(bench_dev, buf + i * PAGE_SIZE, PAGE_SIZE,
						 DMA_TO_DEVICE);
		map_ns += ktime_get_ns() - start;
		for (i = 0; i < HELD_MAPS && !err; i++)
			if (dma_mapping_error(bench_dev, addr[i]) ||
			    (!r && bench_where(addr[i], NULL) == BENCH_NOT_BOUNCED))
				err = -EIO;
		start = ktime_get_ns();
		for (i = 0; i < HELD_MAPS; i++)
			if (!dma_mapping_error(bench_dev, addr[i]))
				dma_unmap_single(bench_dev, addr[i], PAGE_SIZE, DMA_TO_DEVICE);
		unmap_ns += ktime_get_ns() - start;
	}
	if (err)
		seq_printf(m, "bench: error held swiotlb=%s round=%d: a mapping failed or did not bounce\n",
			   BENCH_SWIOTLB, r - 1);
	else
		seq_printf(m, "bench: held swiotlb=%s held=%d map_ns=%llu unmap_ns=%llu\n",
			   BENCH_SWIOTLB, HELD_MAPS, map_ns / (HELD_ROUNDS * HELD_MAPS),
			   unmap_ns / (HELD_ROUNDS * HELD_MAPS));
	kfree(buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bench_held);

static void bench_dev_release(struct device *dev)
{
	kfree(dev);
}

static int __init swiotlb_bench_init(void)
{
	struct dentry *dir;
	int err;

	bench_dev = kzalloc(sizeof(*bench_dev), GFP_KERNEL);
	if (!bench_dev)
		return -ENOMEM;
	device_initialize(bench_dev);
	bench_dev->release = bench_dev_release;
	bench_dev->dma_mask = &bench_dev->coherent_dma_mask;
	err = dev_set_name(bench_dev, "swiotlb-bench") ?:
	      dma_set_mask_and_coherent(bench_dev, DMA_BIT_MASK(64)) ?:
	      device_add(bench_dev);
	if (err) {
		put_device(bench_dev);
		bench_dev = NULL;
		return err;
	}

	dir = debugfs_create_dir("swiotlb_bench", NULL);
	debugfs_create_file("burst_sleep", 0400, dir, NULL, &bench_burst_sleep_fops);
	debugfs_create_file("burst_atomic", 0400, dir, NULL, &bench_burst_atomic_fops);
	debugfs_create_file("lookup", 0400, dir, NULL, &bench_lookup_fops);
	debugfs_create_file("lookup_transient", 0400, dir, NULL, &bench_lookup_transient_fops);
	debugfs_create_file("lookup_oldest", 0400, dir, NULL, &bench_lookup_oldest_fops);
	debugfs_create_file("held", 0400, dir, NULL, &bench_held_fops);
	debugfs_create_file("copy", 0400, dir, NULL, &bench_copy_fops);
	return 0;
}
late_initcall(swiotlb_bench_init);
