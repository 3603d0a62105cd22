// SPDX-License-Identifier: GPL-2.0

//! [`Stats`]: what a device's bounce allocator did.

use super::PoolKind;
use crate::{bindings, device::Device, error::to_result, prelude::*};

/// A snapshot of the counters of the bounce allocator a device uses (the one shown in debugfs
/// `swiotlb/stats` for the default allocator). Counters are read one by one: the snapshot is not
/// atomic as a whole.
///
/// # Examples
///
/// ```
/// # #[cfg(all(CONFIG_SWIOTLB_TEST_DEVICE, CONFIG_SWIOTLB_DYNAMIC))] {
/// use kernel::c_str;
/// use kernel::dma::{Attrs, DataDirection, DmaBounce, PoolKind, Stats, TestDevice};
///
/// let dev = TestDevice::new(c_str!("doc-stats"), 64 * 1024)?;
/// let mut buf = KVec::new();
/// buf.extend_with(128 * 1024, 0u8, GFP_KERNEL)?;
/// // Larger than the device's 64 KiB pool: it gets a transient pool of 64 slots.
/// let map = DmaBounce::map_atomic(&dev, buf, DataDirection::ToDevice)?;
/// let stats = Stats::of(&dev)?;
/// assert_eq!(stats.pools_added(PoolKind::Transient), 1);
/// assert_eq!(stats.used(PoolKind::Transient), 64);
/// assert_eq!(stats.used(PoolKind::Default), 0);
/// drop(map);
/// assert_eq!(Stats::of(&dev)?.used(PoolKind::Transient), 0);
///
/// // More than one bounce buffer can hold (256 KiB): refused, and nothing changes.
/// let mut big = KVec::new();
/// big.extend_with(512 * 1024, 0u8, GFP_KERNEL)?;
/// assert!(DmaBounce::map(&dev, big, DataDirection::ToDevice, Attrs::NO_WARN).is_err());
/// assert_eq!(Stats::of(&dev)?.pools_added(PoolKind::Transient), 1);
/// # }
/// # Ok::<(), Error>(())
/// ```
pub struct Stats(bindings::swiotlb_counters);

impl Stats {
    /// Reads the counters of `dev`'s bounce allocator. Fails with `ENODEV` if it has none.
    pub fn of(dev: &Device) -> Result<Stats> {
        let mut c = bindings::swiotlb_counters::default();
        // SAFETY: `dev` is a live device and `c` a valid place to write to.
        to_result(unsafe { bindings::swiotlb_read_counters(dev.as_raw(), &mut c) })?;
        Ok(Stats(c))
    }

    /// Slots in use in pools of `kind`.
    #[inline]
    pub fn used(&self, kind: PoolKind) -> u64 {
        self.0.used[kind.index()]
    }

    /// The highest [`Stats::used`] seen for `kind`.
    #[inline]
    pub fn used_hiwater(&self, kind: PoolKind) -> u64 {
        self.0.used_hiwater[kind.index()]
    }

    /// Pools of `kind` added so far.
    #[inline]
    pub fn pools_added(&self, kind: PoolKind) -> u64 {
        self.0.pools_added[kind.index()]
    }

    /// Pools of `kind` freed so far (after their grace period).
    #[inline]
    pub fn pools_freed(&self, kind: PoolKind) -> u64 {
        self.0.pools_freed[kind.index()]
    }

    /// Transient pools that could not be allocated.
    #[inline]
    pub fn transient_failed(&self) -> u64 {
        self.0.transient_failed
    }

    /// Mappings that waited for room.
    #[inline]
    pub fn waits(&self) -> u64 {
        self.0.waits
    }

    /// Waits that ended without room.
    #[inline]
    pub fn wait_timeouts(&self) -> u64 {
        self.0.wait_timeouts
    }

    /// Time spent waiting, all waits together, in nanoseconds.
    #[inline]
    pub fn wait_ns(&self) -> u64 {
        self.0.wait_ns
    }

    /// The longest wait, in nanoseconds.
    #[inline]
    pub fn wait_ns_max(&self) -> u64 {
        self.0.wait_ns_max
    }

    /// Mappings that failed for want of room.
    #[inline]
    pub fn map_failures(&self) -> u64 {
        self.0.map_failures
    }
}
