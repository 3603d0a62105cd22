/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel printed while a swiotlb KUnit case ran: the wrong-call
 * warnings of the core (swiotlb_wrong_call()), caught on the console
 * tracepoint, so that a case asserts that the warning it expects was printed
 * rather than only printing it.
 *
 * Use: wrong_call_log_start() once per case, before the first wrong call (it
 * also resets the shared rate limit of wrong-call warnings, so every case is
 * reported), then wrong_call_log_count() and wrong_call_log_saw(); a case that
 * makes several rounds of wrong calls starts each next round with
 * wrong_call_log_clear(). Only lines that contain "swiotlb: wrong call:" are
 * kept; the last SWIOTLB_LOG_LINES of them.
 *
 * bracket_wrong_call() prints the two lines that a test puts around each
 * wrong call it makes on purpose: the debug run of `make test`
 * (mk/check-reports.py) ignores what the kernel's checkers, DMA-API
 * debugging above all, report between them.
 *
 * The helpers are named wrong_call_log_*, not swiotlb_*: the debug run's
 * fault storm (mk/initramfs/run.d/50-fault-storm.sh) takes the functions
 * named swiotlb_* for the swiotlb's own code.
 *
 * Locking: log.lock (irq-safe: printk may be called from any context)
 * protects the captured lines; the probe takes nothing else.
 */
#ifndef _KERNEL_DMA_SWIOTLB_KUNIT_LOG_H
#define _KERNEL_DMA_SWIOTLB_KUNIT_LOG_H

#include <kunit/test.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/printk.h>

#include "swiotlb_internal.h"

#define SWIOTLB_LOG_LINES	8
#define SWIOTLB_LOG_WIDTH	320
#define SWIOTLB_LOG_MARK	"swiotlb: wrong call:"

struct swiotlb_log {
	spinlock_t lock;	/* protects the fields below */
	unsigned int count;
	char lines[SWIOTLB_LOG_LINES][SWIOTLB_LOG_WIDTH];
};

static struct swiotlb_log swiotlb_log __maybe_unused = {
	.lock = __SPIN_LOCK_UNLOCKED(swiotlb_log.lock),
};

static inline void wrong_call_log_probe(void *ignore, const char *buf, size_t len)
{
	unsigned long flags;
	char *line;

	if (!strnstr(buf, SWIOTLB_LOG_MARK, len))
		return;
	spin_lock_irqsave(&swiotlb_log.lock, flags);
	line = swiotlb_log.lines[swiotlb_log.count % SWIOTLB_LOG_LINES];
	strscpy(line, buf, min_t(size_t, len + 1, SWIOTLB_LOG_WIDTH));
	swiotlb_log.count++;
	spin_unlock_irqrestore(&swiotlb_log.lock, flags);
}

static inline void wrong_call_log_stop(void *data)
{
	unregister_trace_console(wrong_call_log_probe, NULL);
	tracepoint_synchronize_unregister();
}

/* Forget the lines caught so far; the next wrong calls are reported again. */
static inline void wrong_call_log_clear(void)
{
	unsigned long flags;

	spin_lock_irqsave(&swiotlb_log.lock, flags);
	swiotlb_log.count = 0;
	memset(swiotlb_log.lines, 0, sizeof(swiotlb_log.lines));
	spin_unlock_irqrestore(&swiotlb_log.lock, flags);
	swiotlb_wrong_call_reset();
}

/* Start capturing for the rest of the case; earlier lines are forgotten. */
static inline void wrong_call_log_start(struct kunit *test)
{
	wrong_call_log_clear();
	KUNIT_ASSERT_EQ(test, register_trace_console(wrong_call_log_probe, NULL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, wrong_call_log_stop, NULL), 0);
}

/* Wrong-call warnings printed since wrong_call_log_start(). */
static inline unsigned int wrong_call_log_count(void)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&swiotlb_log.lock, flags);
	n = swiotlb_log.count;
	spin_unlock_irqrestore(&swiotlb_log.lock, flags);
	return n;
}

/* Did one of the last SWIOTLB_LOG_LINES warnings contain @what? */
static inline bool wrong_call_log_saw(const char *what)
{
	unsigned long flags;
	bool seen = false;
	unsigned int i;

	spin_lock_irqsave(&swiotlb_log.lock, flags);
	for (i = 0; i < SWIOTLB_LOG_LINES && !seen; i++)
		seen = strstr(swiotlb_log.lines[i], what);
	spin_unlock_irqrestore(&swiotlb_log.lock, flags);
	return seen;
}

/* Before (@begin) and after a wrong call made on purpose. */
static inline void bracket_wrong_call(bool begin)
{
	pr_info("swiotlb test: deliberate wrong call %c\n", begin ? '{' : '}');
}

/* Expect exactly @n wrong-call warnings so far, the last one containing @what. */
#define SWIOTLB_EXPECT_WARNINGS(test, n, what)					\
	do {									\
		struct kunit *__test = (test);					\
		unsigned int __n = (n);						\
		const char *__what = (what);					\
										\
		KUNIT_EXPECT_EQ_MSG(__test, wrong_call_log_count(), __n,		\
				    "wrong-call warnings printed");		\
		if (__n)							\
			KUNIT_EXPECT_TRUE_MSG(__test, wrong_call_log_saw(__what),	\
					      "no warning containing \"%s\"", __what); \
	} while (0)

#endif /* _KERNEL_DMA_SWIOTLB_KUNIT_LOG_H */
