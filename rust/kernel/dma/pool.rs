// SPDX-License-Identifier: GPL-2.0

//! [`TransientPool`]: bounce memory a driver reserves for its device.

use super::SLOT_SIZE;
use crate::{bindings, device::Device, error::from_err_ptr, prelude::*, types::ARef};
use core::ptr::NonNull;

/// Bounce memory reserved for one device: its mappings take slots here before they look in the
/// shared pools.
///
/// A `TransientPool` is a *reservation*: one pool of the size asked for, made by
/// `swiotlb_dev_pool_reserve()` (a pool of kind `SWIOTLB_POOL_RESERVED` in the C core), that
/// serves any number of mappings of this one device for as long as the value lives (and then
/// until its last mapping goes). It is not what the C core calls a transient pool
/// (`SWIOTLB_POOL_TRANSIENT`), a pool made on the spot for a single mapping that found the
/// shared pools full and freed with that mapping; the type shares the name because the
/// reservation is counted with those pools: it counts as a transient pool in the statistics,
/// and mappings in it report [`super::PoolKind::Transient`].
///
/// For a driver that knows how much it keeps in flight and would rather not compete for the
/// shared pools, nor pay for a transient pool per mapping when they are full.
///
/// Dropping the reservation while mappings are still in the pool is safe: no new mapping goes
/// in, those there stay valid, and the pool is freed (after an RCU grace period) when the last
/// of them is unmapped.
///
/// Device lifetime: the reservation holds a reference to its device, which keeps the
/// `struct device` allocated but not bound to its driver. Release it before the driver's
/// `remove` returns (this kernel has no bound-device scope to enforce it).
///
/// # Invariants
///
/// `pool` was returned by `swiotlb_dev_pool_reserve()` for `dev` and is not released yet: the
/// reservation keeps it alive.
///
/// # Examples
///
/// ```
/// # #[cfg(all(CONFIG_SWIOTLB_TEST_DEVICE, CONFIG_SWIOTLB_DYNAMIC))] {
/// use kernel::c_str;
/// use kernel::dma::{DataDirection, DmaBounce, PoolKind, TestDevice, TransientPool};
///
/// let dev = TestDevice::new(c_str!("doc-transient-pool"), 16 * 1024)?;
/// let pool = TransientPool::reserve(&dev, 64 * 1024)?;
/// assert_eq!(pool.usage().slots, 32);
/// assert_eq!(pool.usage().used, 0);
///
/// let mut buf = KVec::new();
/// buf.extend_with(4096, 0u8, GFP_KERNEL)?;
/// let map = DmaBounce::map_atomic(&dev, buf, DataDirection::FromDevice)?;
/// assert_eq!(map.bounced(), Some(PoolKind::Transient));
/// assert_eq!(pool.usage().used, 2);
///
/// // Giving the reservation back while the mapping is live is safe...
/// drop(pool);
/// let sub = map.submit();
/// // SAFETY: `sub` is a 4 KiB mapping of `dev`, submitted to it.
/// unsafe { dev.dma_write(sub.dma_address() + 4092, b"tail")? };
/// // SAFETY: The device is done with the mapping.
/// let map = unsafe { sub.complete() };
/// // ...and the data still comes back when it ends.
/// let buf = map.finish();
/// assert_eq!(&buf[4092..], b"tail");
/// # }
/// # Ok::<(), Error>(())
/// ```
pub struct TransientPool {
    dev: ARef<Device>,
    pool: NonNull<bindings::io_tlb_pool>,
}

/// How much of a [`TransientPool`] is in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUsage {
    /// Slots of [`SLOT_SIZE`] bytes in the pool.
    pub slots: usize,
    /// Slots held by live mappings.
    pub used: usize,
}

impl PoolUsage {
    /// The size of the pool in bytes.
    #[inline]
    pub fn bytes(&self) -> usize {
        self.slots * SLOT_SIZE
    }
}

impl TransientPool {
    /// Reserves `bytes` (rounded up to whole slots) of bounce memory for `dev`.
    ///
    /// Fails with `ENODEV` if `dev` does not bounce, `EINVAL` for zero bytes or more than one
    /// allocation can give, `EOPNOTSUPP` without dynamic swiotlb pools, `ENOMEM`, or `ERANGE`
    /// if the memory is out of the device's reach.
    ///
    /// Context: process context: may sleep.
    pub fn reserve(dev: &Device, bytes: usize) -> Result<Self> {
        // SAFETY: `dev` is a live device.
        let raw = from_err_ptr(unsafe { bindings::swiotlb_dev_pool_reserve(dev.as_raw(), bytes) })?;
        let pool = NonNull::new(raw).ok_or(ENOMEM)?;
        // INVARIANT: `pool` is a fresh reservation for `dev`.
        Ok(TransientPool {
            dev: dev.into(),
            pool,
        })
    }

    /// The device the pool is reserved for.
    #[inline]
    pub fn device(&self) -> &Device {
        &self.dev
    }

    /// A snapshot of the pool's size and use.
    pub fn usage(&self) -> PoolUsage {
        let mut info = bindings::swiotlb_pool_info::default();
        // SAFETY: By the type invariants the reservation keeps the pool alive.
        unsafe { bindings::swiotlb_dev_pool_info(self.pool.as_ptr(), &mut info) };
        PoolUsage {
            slots: info.nslabs,
            used: info.used,
        }
    }
}

impl Drop for TransientPool {
    /// Releases the reservation; the pool goes after an RCU grace period, once empty.
    ///
    /// Context: any.
    fn drop(&mut self) {
        // SAFETY: By the type invariants the reservation is live; it is released exactly once,
        // here, and `self.pool` is not used afterwards.
        unsafe { bindings::swiotlb_dev_pool_release(self.pool.as_ptr()) };
    }
}

// SAFETY: The C functions used on the pool may be called from any thread.
unsafe impl Send for TransientPool {}

// SAFETY: `&TransientPool` only reads a snapshot, which the C side allows concurrently.
unsafe impl Sync for TransientPool {}
