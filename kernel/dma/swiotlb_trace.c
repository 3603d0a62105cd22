// SPDX-License-Identifier: GPL-2.0
/*
 * Where the swiotlb core can be watched from outside: its tracepoints
 * (include/trace/events/swiotlb.h), and, for the white-box KUnit suites,
 * the test hook and knobs (swiotlb_test_point()).
 *
 * Every layer of the core fires these, so they are defined here, in a file
 * that calls nothing of the core: the layers above it depend on it, never
 * the reverse (the order of the layers is in swiotlb_internal.h).
 *
 * Locking: none. The test hook is set and cleared by a test while no
 * mapping of interest runs; it is read with READ_ONCE().
 */

#include <linux/types.h>

#include "swiotlb_internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/swiotlb.h>

#ifdef CONFIG_SWIOTLB_CORE_KUNIT_TEST
/* See swiotlb_test_point(); set and cleared by the white-box tests only. */
void (*swiotlb_test_hook)(enum swiotlb_test_point point, const void *arg);
/* Treat every device as one of a confidential guest (memory must be shared). */
bool swiotlb_test_unencrypted;
#endif
