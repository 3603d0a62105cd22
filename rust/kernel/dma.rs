// SPDX-License-Identifier: GPL-2.0

//! Streaming DMA mappings, and the swiotlb bounce buffers behind them.
//!
//! C headers: [`include/linux/dma-mapping.h`](srctree/include/linux/dma-mapping.h) and
//! [`include/linux/swiotlb.h`](srctree/include/linux/swiotlb.h).
//!
//! A device that cannot reach a buffer directly (a device of a confidential guest, a 32-bit
//! device and a buffer above 4 GiB) has its streaming mappings *bounced*: swiotlb copies the
//! buffer into memory the device can reach, and back. This module lets a Rust driver use such
//! mappings without `unsafe` but for one step, telling the mapping that the device is done:
//!
//! - [`DmaBounce`] owns a buffer while it is mapped and the CPU owns the mapping: the CPU
//!   reaches the bytes through a [`CpuAccess`] or [`CpuAccessMut`] guard, which syncs. It has no
//!   DMA address: [`DmaBounce::submit`] turns it into a [`Submitted`] mapping, the device's,
//!   which has the address and no bytes, until the `unsafe` [`Submitted::complete`].
//! - [`SgBounce`] and [`SgSubmitted`] are the same for pages mapped as one scatter-gather list
//!   (where every page is in the linear map).
//! - [`set_mask`] and its siblings set a device's DMA masks.
//! - [`TransientPool`] reserves bounce memory for one device, used by its mappings first.
//! - [`Stats`] reads the counters of a device's bounce allocator.
//! - [`Coherent`] is typed memory shared with the device (rings, descriptors), read and written
//!   field by field ([`coherent_read!`](crate::coherent_read),
//!   [`coherent_write!`](crate::coherent_write)), ordered with [`dma_rmb`] and [`dma_wmb`]; it
//!   never bounces.
//! - [`TestDevice`] is a device whose every mapping bounces, for tests and samples.

use crate::{bindings, device::Device, error::to_result, prelude::*};

mod bounce;
mod coherent;
#[cfg(CONFIG_SWIOTLB)]
mod pool;
#[cfg(all(CONFIG_BLOCK, not(CONFIG_HIGHMEM)))]
mod request;
#[cfg(not(CONFIG_HIGHMEM))]
mod sg;
#[cfg(CONFIG_SWIOTLB)]
mod stats;
#[cfg(CONFIG_SWIOTLB_TEST_DEVICE)]
mod test_device;

#[cfg(not(CONFIG_HIGHMEM))]
pub use bounce::ZeroedPage;
pub use bounce::{CpuAccess, CpuAccessMut, DmaBounce, DmaBuffer, DmaError, MapError, Submitted};
#[doc(hidden)]
pub use coherent::{__read_field, __write_field};
pub use coherent::{dma_rmb, dma_wmb, Coherent};
#[cfg(CONFIG_SWIOTLB)]
pub use pool::{PoolUsage, TransientPool};
#[cfg(all(CONFIG_BLOCK, not(CONFIG_HIGHMEM)))]
pub use request::MappedRequest;
#[cfg(not(CONFIG_HIGHMEM))]
pub use sg::{Segments, SgBounce, SgCpuAccess, SgCpuAccessMut, SgSubmitted};
#[cfg(CONFIG_SWIOTLB)]
pub use stats::Stats;
#[cfg(CONFIG_SWIOTLB_TEST_DEVICE)]
pub use test_device::TestDevice;

/// An address as the device sees it, to be programmed into its descriptors.
pub type DmaAddress = bindings::dma_addr_t;

/// The size of one swiotlb slot, the unit bounce memory is counted in.
pub const SLOT_SIZE: usize = 1 << bindings::IO_TLB_SHIFT;

/// The mask of a device that addresses `bits` bits (`DMA_BIT_MASK()`); `EINVAL` unless
/// `1 <= bits <= 64`.
fn bit_mask(bits: u32) -> Result<u64> {
    match bits {
        64 => Ok(u64::MAX),
        1..=63 => Ok((1u64 << bits) - 1),
        _ => Err(EINVAL),
    }
}

/// Sets the streaming DMA mask of `dev`: the device addresses `bits` bits
/// (`dma_set_mask()`). Mappings of memory above the mask bounce.
///
/// Fails with `EINVAL` unless `1 <= bits <= 64`, and with `EIO` if the platform cannot
/// serve such a device.
///
/// Context: process context (the driver's probe).
///
/// # Safety
///
/// No mapping of `dev` may be live or made concurrently, and no other thread may change its
/// masks concurrently: the DMA layer reads the mask without a lock, and mappings made under
/// another mask may be out of the new one's reach. Call it in probe, before the device is used.
///
/// # Examples
///
/// ```
/// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
/// use kernel::c_str;
/// use kernel::dma::{self, DataDirection, DmaBounce, TestDevice};
///
/// let dev = TestDevice::new(c_str!("doc-dma-mask"), 32 * 1024)?;
/// // SAFETY: `dev` was just created: no mapping, no one else.
/// unsafe { dma::set_mask_and_coherent(&dev, 32)? };
/// assert_eq!(dma::mask(&dev), 0xffff_ffff);
/// // SAFETY: As above.
/// assert_eq!(unsafe { dma::set_mask(&dev, 0) }, Err(EINVAL));
/// // SAFETY: As above.
/// assert_eq!(unsafe { dma::set_mask(&dev, 65) }, Err(EINVAL));
/// assert_eq!(dma::mask(&dev), 0xffff_ffff);
///
/// let mut buf = KVec::new();
/// buf.extend_with(64, 1u8, GFP_KERNEL)?;
/// // The test device's pool comes from `GFP_KERNEL` pages (`swiotlb_test_device.c`), so it lies
/// // below 4 GiB only on a machine with less memory than that, as the test machines are; this
/// // example assumes so.
/// let map = DmaBounce::map_atomic(&dev, buf, DataDirection::ToDevice)?;
/// assert!(map.is_bounced());
/// let sub = map.submit();
/// assert!(sub.dma_address() + 64 <= 1 << 32);
/// // SAFETY: The device was never told the address.
/// drop(unsafe { sub.complete() });
/// # }
/// # Ok::<(), Error>(())
/// ```
pub unsafe fn set_mask(dev: &Device, bits: u32) -> Result {
    let mask = bit_mask(bits)?;
    // SAFETY: `dev` is a live device; the caller guarantees nothing maps or changes masks
    // concurrently.
    to_result(unsafe { bindings::dma_set_mask(dev.as_raw(), mask) })
}

/// Sets the coherent DMA mask of `dev` (`dma_set_coherent_mask()`): coherent memory
/// ([`Coherent`]) is allocated below it.
///
/// Fails as [`set_mask`] does.
///
/// Context: process context (the driver's probe).
///
/// # Safety
///
/// No coherent allocation of `dev` may be made concurrently, and no other thread may change
/// its masks concurrently.
pub unsafe fn set_coherent_mask(dev: &Device, bits: u32) -> Result {
    let mask = bit_mask(bits)?;
    // SAFETY: `dev` is a live device; the caller guarantees nothing allocates or changes masks
    // concurrently.
    to_result(unsafe { bindings::dma_set_coherent_mask(dev.as_raw(), mask) })
}

/// Sets both masks of `dev` to `bits` bits (`dma_set_mask_and_coherent()`), as most drivers
/// do in probe.
///
/// Fails as [`set_mask`] does.
///
/// Context: process context (the driver's probe).
///
/// # Safety
///
/// As for [`set_mask`] and [`set_coherent_mask`].
pub unsafe fn set_mask_and_coherent(dev: &Device, bits: u32) -> Result {
    // SAFETY: As the caller guarantees.
    unsafe { set_mask(dev, bits)? };
    // SAFETY: As the caller guarantees.
    unsafe { set_coherent_mask(dev, bits) }
}

/// The streaming DMA mask of `dev` (`dma_get_mask()`): all ones up to the highest address it
/// reaches.
///
/// Context: any.
pub fn mask(dev: &Device) -> u64 {
    // SAFETY: `dev` is a live device.
    unsafe { bindings::dma_get_mask(dev.as_raw()) }
}

/// The largest streaming mapping `dev` can have, in bytes (`dma_max_mapping_size()`): with
/// swiotlb, the largest bounce buffer. Larger maps are refused with `EINVAL`.
///
/// Context: any.
#[inline]
pub fn max_mapping_size(dev: &Device) -> usize {
    // SAFETY: `dev` is a live device.
    unsafe { bindings::dma_max_mapping_size(dev.as_raw()) }
}

/// Which way the data of a streaming mapping moves (`enum dma_data_direction`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataDirection {
    /// The device reads the buffer (a write to storage, a packet to send).
    ToDevice,
    /// The device writes the buffer (a read from storage, a packet received).
    FromDevice,
    /// Both.
    Bidirectional,
}

impl DataDirection {
    #[inline]
    pub(crate) fn as_raw(self) -> bindings::dma_data_direction {
        match self {
            DataDirection::ToDevice => bindings::dma_data_direction_DMA_TO_DEVICE,
            DataDirection::FromDevice => bindings::dma_data_direction_DMA_FROM_DEVICE,
            DataDirection::Bidirectional => bindings::dma_data_direction_DMA_BIDIRECTIONAL,
        }
    }
}

/// Attributes of a streaming mapping (`DMA_ATTR_*`), combined with `|`.
///
/// # Examples
///
/// ```
/// use kernel::dma::Attrs;
///
/// let attrs = Attrs::SKIP_CPU_SYNC | Attrs::NO_WARN;
/// assert!(attrs.contains(Attrs::NO_WARN));
/// assert!(!attrs.contains(Attrs::MAY_BLOCK));
/// assert_eq!(Attrs::default(), Attrs::NONE);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attrs(crate::ffi::c_ulong);

impl Attrs {
    /// No attribute.
    pub const NONE: Attrs = Attrs(0);
    /// Skip the CPU syncs of the map and unmap calls: what the device wrote is not copied
    /// back when the mapping ends (the data is not needed). When the mapping bounces, this
    /// swiotlb still copies the buffer into the bounce buffer when mapping, so that no stale
    /// bounce-buffer data reaches the device; a mapping that does not bounce on a device whose
    /// caches are not coherent gets no cache maintenance at map time either.
    pub const SKIP_CPU_SYNC: Attrs = Attrs(bindings::DMA_ATTR_SKIP_CPU_SYNC as _);
    /// Do not warn when the mapping fails for want of bounce buffers.
    pub const NO_WARN: Attrs = Attrs(bindings::DMA_ATTR_NO_WARN as _);
    /// The caller may sleep: when the bounce pools are full, wait for room instead of taking
    /// memory the atomic callers need. [`DmaBounce::map_may_sleep`] sets it.
    pub const MAY_BLOCK: Attrs = Attrs(bindings::DMA_ATTR_MAY_BLOCK as _);

    /// Whether every attribute of `other` is in `self`.
    #[inline]
    pub fn contains(self, other: Attrs) -> bool {
        self.0 & other.0 == other.0
    }

    #[inline]
    pub(crate) fn as_raw(self) -> crate::ffi::c_ulong {
        self.0
    }
}

impl core::ops::BitOr for Attrs {
    type Output = Attrs;

    #[inline]
    fn bitor(self, rhs: Attrs) -> Attrs {
        Attrs(self.0 | rhs.0)
    }
}

/// Where the bounce buffer of a mapping lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    /// The pool set up at boot (or a device's own fixed pool).
    Default,
    /// A pool the background worker added when the pools ran short.
    Dynamic,
    /// A pool allocated on the spot for this mapping, or one a driver reserved
    /// ([`TransientPool`]).
    Transient,
}

impl PoolKind {
    #[cfg(CONFIG_SWIOTLB)]
    pub(crate) fn from_raw(kind: crate::ffi::c_int) -> Option<PoolKind> {
        match kind as bindings::swiotlb_pool_kind {
            bindings::swiotlb_pool_kind_SWIOTLB_POOL_DEFAULT => Some(PoolKind::Default),
            bindings::swiotlb_pool_kind_SWIOTLB_POOL_DYNAMIC => Some(PoolKind::Dynamic),
            bindings::swiotlb_pool_kind_SWIOTLB_POOL_TRANSIENT => Some(PoolKind::Transient),
            _ => None,
        }
    }

    /// How many kinds there are: the size of a table with one entry per kind.
    pub const COUNT: usize = 3;

    /// The kind's entry in a table of [`PoolKind::COUNT`] entries; the C side's per-kind
    /// counters use the same order.
    ///
    /// ```
    /// use kernel::dma::PoolKind;
    ///
    /// let mut maps = [0u32; PoolKind::COUNT];
    /// maps[PoolKind::Transient.index()] += 1;
    /// assert_eq!(maps, [0, 0, 1]);
    /// ```
    #[inline]
    pub const fn index(self) -> usize {
        match self {
            PoolKind::Default => 0,
            PoolKind::Dynamic => 1,
            PoolKind::Transient => 2,
        }
    }
}

// The C side's `enum swiotlb_pool_kind` indexes its per-kind counters in the same order.
#[cfg(CONFIG_SWIOTLB)]
const _: () = {
    assert!(bindings::swiotlb_pool_kind_SWIOTLB_POOL_DEFAULT as usize == PoolKind::Default.index());
    assert!(bindings::swiotlb_pool_kind_SWIOTLB_POOL_DYNAMIC as usize == PoolKind::Dynamic.index());
    assert!(
        bindings::swiotlb_pool_kind_SWIOTLB_POOL_TRANSIENT as usize == PoolKind::Transient.index()
    );
    assert!(bindings::swiotlb_pool_kind_SWIOTLB_POOL_KINDS as usize == PoolKind::COUNT);
};
