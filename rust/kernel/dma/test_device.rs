// SPDX-License-Identifier: GPL-2.0

//! [`TestDevice`]: a device whose every streaming mapping bounces, for tests and samples.

use super::DmaAddress;
use crate::{
    bindings,
    device::Device,
    error::{from_err_ptr, to_result},
    prelude::*,
    str::CStr,
    types::ARef,
};
use core::ops::Deref;

/// A device whose every streaming mapping bounces, through a small bounce allocator of its own
/// (`CONFIG_SWIOTLB_TEST_DEVICE`).
///
/// It stands in for hardware that needs bounce buffers (a device of a confidential guest): it
/// uses dma-direct with a 64-bit mask, and its allocator has one fixed pool of the size asked
/// for, which does not grow. Once it is full, mappings that may sleep wait for unmaps and the
/// others get transient pools. Being private, the pool can be filled without starving other
/// devices, and its [`super::Stats`] count this device alone.
///
/// [`TestDevice::dma_read`] and [`TestDevice::dma_write`] move bytes at a DMA address the way
/// the hardware would.
///
/// # Invariants
///
/// `dev` was returned by `swiotlb_test_device_create()`; the creator's reference is dropped
/// (and the device unregistered) exactly once, when `self` is dropped.
///
/// # Examples
///
/// ```
/// use kernel::c_str;
/// use kernel::dma::{DataDirection, DmaBounce, PoolKind, TestDevice};
///
/// let dev = TestDevice::new(c_str!("doc-test-device"), 32 * 1024)?;
/// let mut buf = KVec::new();
/// buf.extend_from_slice(b"bounced", GFP_KERNEL)?;
/// let map = DmaBounce::map_atomic(&dev, buf, DataDirection::ToDevice)?;
/// assert_eq!(map.bounced(), Some(PoolKind::Default));
///
/// let sub = map.submit();
/// let mut seen = [0u8; 7];
/// // SAFETY: `sub` is a 7-byte mapping of `dev`, submitted to it.
/// unsafe { dev.dma_read(sub.dma_address(), &mut seen)? };
/// assert_eq!(&seen, b"bounced");
/// // SAFETY: The device is done with the mapping.
/// drop(unsafe { sub.complete() });
///
/// assert_eq!(TestDevice::new(c_str!("doc-test-device-0"), 0).err(), Some(EINVAL));
/// # Ok::<(), Error>(())
/// ```
pub struct TestDevice {
    dev: ARef<Device>,
}

impl TestDevice {
    /// Creates and registers a test device called `name` with a private pool of `pool_bytes`
    /// (rounded up to whole slots, at most what one allocation can give).
    ///
    /// Context: process context: may sleep.
    pub fn new(name: &CStr, pool_bytes: usize) -> Result<Self> {
        // SAFETY: `name` is a valid NUL-terminated string for the duration of the call.
        let raw = from_err_ptr(unsafe {
            bindings::swiotlb_test_device_create(name.as_char_ptr(), pool_bytes)
        })?;
        // SAFETY: `raw` is a live device on which we hold the creator's reference; its release
        // function may run in any context.
        let dev = unsafe { Device::get_device(raw) };
        // INVARIANT: the creator's reference is dropped in `drop`, once.
        Ok(TestDevice { dev })
    }

    /// Copies `data` to `addr`, as the device writing memory by DMA.
    ///
    /// Fails with `EFAULT` if `addr` is not memory.
    ///
    /// # Safety
    ///
    /// `addr..addr + data.len()` must lie within mappings this device holds and that are
    /// submitted to it (a [`super::Submitted`] mapping, coherent
    /// memory of this device), as for any DMA transfer.
    pub unsafe fn dma_write(&self, addr: DmaAddress, data: &[u8]) -> Result {
        // SAFETY: By the safety requirements the range is the device's to write; `data` is
        // valid for reads of its length.
        to_result(unsafe {
            bindings::swiotlb_test_device_dma(
                self.dev.as_raw(),
                addr,
                data.as_ptr().cast_mut().cast(),
                data.len(),
                true,
            )
        })
    }

    /// Copies from `addr` into `buf`, as the device reading memory by DMA.
    ///
    /// Fails with `EFAULT` if `addr` is not memory.
    ///
    /// # Safety
    ///
    /// As for [`TestDevice::dma_write`].
    pub unsafe fn dma_read(&self, addr: DmaAddress, buf: &mut [u8]) -> Result {
        // SAFETY: By the safety requirements the range is the device's to read; `buf` is valid
        // for writes of its length.
        to_result(unsafe {
            bindings::swiotlb_test_device_dma(
                self.dev.as_raw(),
                addr,
                buf.as_mut_ptr().cast(),
                buf.len(),
                false,
            )
        })
    }
}

impl Deref for TestDevice {
    type Target = Device;

    fn deref(&self) -> &Device {
        &self.dev
    }
}

impl Drop for TestDevice {
    /// Unregisters the device.
    ///
    /// Context: process context: sleeps. A `TestDevice` is `Send` and `Sync`, but its last
    /// owner must drop it where sleeping is allowed.
    fn drop(&mut self) {
        // SAFETY: By the type invariants the creator's reference is still held; it is dropped
        // here, once. `self.dev` keeps its own reference until it is dropped right after.
        unsafe { bindings::swiotlb_test_device_destroy(self.dev.as_raw()) };
    }
}
