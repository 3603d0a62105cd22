/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rules of the swiotlb_bad_offsets catalogue (swiotlb_bad_offsets_kunit.c)
 * and the fixture that runs them (swiotlb_bad_offsets_fixture.c): a rule says
 * where a call's address and size are in a fixed pool layout, and what the
 * call must copy, warn and free.
 *
 * The functions are named bad_offsets_*, not swiotlb_*: the debug run's
 * fault storm (mk/initramfs/run.d/50-fault-storm.sh) takes the text symbols
 * named swiotlb_* for the swiotlb's own code.
 *
 * Locking: none; a rule is constant data.
 */
#ifndef _KERNEL_DMA_SWIOTLB_BAD_OFFSETS_H
#define _KERNEL_DMA_SWIOTLB_BAD_OFFSETS_H

#include <kunit/test.h>
#include <linux/dma-direction.h>
#include <linux/types.h>

enum bo_fixture {
	BO_PLAIN,	/* no min_align_mask */
	BO_MIN_ALIGN,	/* 4 KiB min_align_mask: A starts 0x240 into its head slot */
	BO_PADDED,	/* also a 4 KiB alloc_align_mask for A: one padding slot */
};

enum bo_family { BO_SYNC_FOR_CPU, BO_SYNC_FOR_DEVICE, BO_UNMAP };

enum bo_target { BO_NONE = -1, BO_A, BO_B };

/* Where a call's address is: a point of the layout, plus a delta. */
enum bo_base {
	BO_A_BUF,	/* A's first byte */
	BO_A_END,	/* one past A's last byte */
	BO_A_PAD,	/* the start of A's padding slot (padded fixture) */
	BO_B_BUF,
	BO_B_END,
};

enum bo_len {
	BO_LEN_FIXED,	/* .len bytes */
	BO_LEN_A,	/* A's size plus .len */
	BO_LEN_WRAP,	/* address + size wraps to 64 */
};

/**
 * struct bo_rule - a wrong (or right) call and what it must do
 * @fixture:	the layout it needs
 * @base:	its address: @base + @delta
 * @delta:	see @base
 * @len_kind:	how its size is given
 * @len:	see @len_kind
 * @other_dir:	the call passes another direction than the map's
 * @unmap_a_first: A is unmapped (properly) before the call
 * @acts_on:	the mapping whose bytes a sync at this address copies (the one
 *		the address falls in, if it is a valid sync address there), or
 *		%BO_NONE
 * @sync_warns:	what the warning of such a sync says; %NULL: no warning
 * @unmap_warns: what the warning of an unmap there says; %NULL: none
 * @unmap_frees: the mapping an unmap there frees, or %BO_NONE
 */
struct bo_rule {
	enum bo_fixture fixture;
	enum bo_base base;
	long delta;
	enum bo_len len_kind;
	long len;
	bool other_dir;
	bool unmap_a_first;
	enum bo_target acts_on;
	const char *sync_warns;
	const char *unmap_warns;
	enum bo_target unmap_frees;
};

#define W_NO_BUFFER	"no live bounce buffer there"
#define W_BEFORE	"before the start of its bounce buffer"
#define W_PAST		"past its end"
#define W_CUT		"cut at its end"
#define W_NOT_START	"not the start of its bounce buffer"
#define W_MAPPED_AS	"it was mapped as"

/* Run rule @r through every entry point of @family, in @ndirs directions. */
void bad_offsets_run_dirs(struct kunit *test, enum bo_family family, const struct bo_rule *r,
			  const enum dma_data_direction *dirs, unsigned int ndirs);
/* The same in the directions the family runs in by default. */
void bad_offsets_run(struct kunit *test, enum bo_family family, const struct bo_rule *r);
/* Suite init: a test device of its own, a fresh one-area pool, the log. */
int bad_offsets_init(struct kunit *test);

#endif /* _KERNEL_DMA_SWIOTLB_BAD_OFFSETS_H */
