/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Byte patterns the swiotlb KUnit suites fill buffers with and check: a
 * pattern that differs for every seed and every position, so that a byte
 * copied to the wrong place or from the wrong buffer shows.
 */
#ifndef _KERNEL_DMA_SWIOTLB_KUNIT_BYTES_H
#define _KERNEL_DMA_SWIOTLB_KUNIT_BYTES_H

#include <linux/types.h>

static inline u8 pattern_byte(u32 seed, size_t i)
{
	return (u8)(seed * 37 + i * 131 + (i >> 8) + 1);
}

static inline void fill_pattern(void *buf, size_t len, u32 seed)
{
	u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern_byte(seed, i);
}

/* Index of the first byte that breaks the pattern, or -1 if none does. */
static inline long pattern_mismatch(const void *buf, size_t len, u32 seed)
{
	const u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern_byte(seed, i))
			return i;
	return -1;
}

/* Index of the first byte that is not @val, or -1 if none. */
static inline long byte_mismatch(const void *buf, size_t len, u8 val)
{
	const u8 *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != val)
			return i;
	return -1;
}

#endif /* _KERNEL_DMA_SWIOTLB_KUNIT_BYTES_H */
