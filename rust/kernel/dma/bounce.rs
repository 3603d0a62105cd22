// SPDX-License-Identifier: GPL-2.0

//! [`DmaBounce`]: a streaming mapping that owns its buffer and may bounce.

use super::{Attrs, Direction, DmaAddress, PoolKind};
use crate::{
    alloc::{KBox, KVec},
    bindings,
    device::Device,
    error::{code::*, Error},
    types::ARef,
};
use core::{
    fmt,
    mem::ManuallyDrop,
    ops::{Deref, DerefMut},
    ptr,
};

/// A buffer that can be mapped for streaming DMA.
///
/// # Safety
///
/// Implementers guarantee that [`DmaBuffer::dma_bytes`] and [`DmaBuffer::dma_bytes_mut`] give
/// the same memory on every call while the value lives, that this memory is physically
/// contiguous memory of the kernel's linear map (`kmalloc`: not `vmalloc`, not the stack), and
/// that moving the value does not move the memory.
pub unsafe trait DmaBuffer: Send {
    /// The bytes to map.
    fn dma_bytes(&self) -> &[u8];

    /// The bytes to map, writable.
    fn dma_bytes_mut(&mut self) -> &mut [u8];
}

// SAFETY: A `KVec` keeps its elements in one `kmalloc` allocation, which stays where it is when
// the vector is moved; it is only reallocated through `&mut self` methods, which no one can call
// while a `DmaBounce` owns it.
unsafe impl DmaBuffer for KVec<u8> {
    fn dma_bytes(&self) -> &[u8] {
        self.as_slice()
    }

    fn dma_bytes_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

// SAFETY: A `KBox` keeps its value in one `kmalloc` allocation, which stays where it is when the
// box is moved.
unsafe impl<const N: usize> DmaBuffer for KBox<[u8; N]> {
    fn dma_bytes(&self) -> &[u8] {
        &self[..]
    }

    fn dma_bytes_mut(&mut self) -> &mut [u8] {
        &mut self[..]
    }
}

/// An error, with what was handed in, so that nothing is lost when an operation fails.
///
/// `?` turns it into its [`Error`], dropping the value.
pub struct DmaError<T> {
    /// What went wrong.
    pub error: Error,
    /// The buffer (of a failed map) or the mapping (of a refused finish), unchanged.
    pub value: T,
}

/// The error of a failed map: the error code and the buffer, given back.
pub type MapError<B> = DmaError<B>;

impl<T> From<DmaError<T>> for Error {
    fn from(e: DmaError<T>) -> Error {
        e.error
    }
}

impl<T> fmt::Debug for DmaError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DmaError")
            .field("error", &self.error)
            .finish()
    }
}

/// A streaming DMA mapping of an owned buffer, bounced through swiotlb when the device needs it.
///
/// The mapping owns the buffer: nothing can read, write or free it while it is mapped. The
/// mapping is either with the CPU or *submitted* to the device:
///
/// - With the CPU, [`DmaBounce::cpu_access`] gives the bytes through a guard that syncs for the
///   CPU when taken and for the device when dropped; [`DmaBounce::finish`] unmaps and gives the
///   buffer back, with what the device wrote copied in.
/// - [`DmaBounce::submit`] hands it to the device and returns the address to program. From then
///   on the CPU cannot reach the bytes until the driver calls [`DmaBounce::complete`], the one
///   `unsafe` step: only the driver knows when its device is done.
///
/// Dropping a mapping with the CPU unmaps it (without giving the data back to anyone). Dropping
/// a submitted one cannot know whether the device still writes to it, so it leaks the mapping,
/// the buffer and a device reference rather than let the memory be reused, and warns.
///
/// # Invariants
///
/// - `handle` is a live mapping of `dev`, made by `dma_map_single_attrs()` over all of
///   `buf.dma_bytes()` (`len` bytes, `len > 0`) with `dir` and `attrs`, not yet unmapped.
/// - `buf` and `dev` are initialised; they are dropped or moved out only when the mapping ends.
/// - While `submitted` is false, the device does not access the mapping (the contract of
///   [`DmaBounce::complete`]).
///
/// # Examples
///
/// A device fills a buffer (the test device stands in for hardware):
///
/// ```
/// use kernel::c_str;
/// use kernel::dma::{Direction, DmaBounce, PoolKind, TestDevice};
///
/// let dev = TestDevice::new(c_str!("doc-dmabounce-read"), 64 * 1024)?;
/// let mut buf = KVec::new();
/// buf.extend_with(16, 0u8, GFP_KERNEL)?;
///
/// let mut map = DmaBounce::map_may_sleep(&dev, buf, Direction::FromDevice)?;
/// assert_eq!(map.bounced(), Some(PoolKind::Default));
/// let addr = map.submit();
/// assert!(map.cpu_access().is_err());
///
/// // SAFETY: `addr` heads a 16-byte mapping of `dev`, submitted to it.
/// unsafe { dev.dma_write(addr, b"from the device!")? };
/// // SAFETY: The (simulated) device is done with the mapping.
/// unsafe { map.complete() };
///
/// let buf = map.finish()?;
/// assert_eq!(&buf[..], b"from the device!");
/// # Ok::<(), Error>(())
/// ```
pub struct DmaBounce<B: DmaBuffer = KVec<u8>> {
    dev: ManuallyDrop<ARef<Device>>,
    buf: ManuallyDrop<B>,
    handle: DmaAddress,
    len: usize,
    dir: Direction,
    attrs: Attrs,
    kind: Option<PoolKind>,
    submitted: bool,
}

impl<B: DmaBuffer> DmaBounce<B> {
    /// Maps `buf` for `dev`; when the bounce pools are full, sleeps until there is room (or the
    /// swiotlb wait timeout passes).
    ///
    /// Context: process context, no locks held: may sleep.
    ///
    /// # Examples
    ///
    /// Four sleeping callers fill the test device's 64 KiB pool; a fifth waits until one of the
    /// four is unmapped, from a work item, and then gets its slots in the same pool:
    ///
    /// ```
    /// use kernel::c_str;
    /// use kernel::dma::{Direction, DmaBounce, PoolKind, Stats, TestDevice};
    /// use kernel::workqueue;
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-wait"), 64 * 1024)?;
    /// let map_16k = |byte| -> Result<DmaBounce> {
    ///     let mut buf = KVec::new();
    ///     buf.extend_with(16 * 1024, byte, GFP_KERNEL)?;
    ///     Ok(DmaBounce::map_may_sleep(&dev, buf, Direction::ToDevice)?)
    /// };
    /// let held = [map_16k(1)?, map_16k(2)?, map_16k(3)?];
    /// let last = map_16k(4)?;
    /// let before = Stats::of(&dev)?;
    /// workqueue::system().try_spawn(GFP_KERNEL, move || {
    ///     // SAFETY: `msleep` may be called from a work item.
    ///     unsafe { kernel::bindings::msleep(20) };
    ///     drop(last);
    /// })?;
    ///
    /// let mut map = map_16k(0xa5)?;
    /// assert_eq!(map.bounced(), Some(PoolKind::Default));
    /// assert_eq!(Stats::of(&dev)?.waits(), before.waits() + 1);
    /// drop(held);
    /// assert_eq!(Stats::of(&dev)?.pools_added(PoolKind::Transient), 0);
    ///
    /// let addr = map.submit();
    /// let mut seen = [0u8; 4];
    /// // SAFETY: `addr` heads a mapping of `dev` of more than 4 bytes, submitted to it.
    /// unsafe { dev.dma_read(addr + 16 * 1024 - 4, &mut seen)? };
    /// assert_eq!(seen, [0xa5; 4]);
    /// // SAFETY: The device is done with the mapping.
    /// unsafe { map.complete() };
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map_may_sleep(dev: &Device, buf: B, dir: Direction) -> Result<Self, MapError<B>> {
        Self::map(dev, buf, dir, Attrs::MAY_BLOCK)
    }

    /// Maps `buf` for `dev` without sleeping; when the bounce pools are full, the bounce buffer
    /// comes from a transient pool allocated on the spot.
    ///
    /// Context: any, interrupts and spinlocks included.
    ///
    /// # Examples
    ///
    /// Over-subscribing the test device's 64 KiB pool from a context that cannot sleep (under a
    /// spinlock): the fifth 16 KiB mapping bounces through a transient pool, and every byte
    /// arrives.
    ///
    /// ```
    /// use kernel::c_str;
    /// use kernel::dma::{Direction, DmaBounce, PoolKind, Stats, TestDevice};
    /// use kernel::new_spinlock;
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-atomic"), 64 * 1024)?;
    /// let lock = KBox::pin_init(new_spinlock!(KVec::<DmaBounce>::new()), GFP_KERNEL)?;
    /// let mut bufs = KVec::new();
    /// for i in (0..5u8).rev() {
    ///     let mut buf = KVec::new();
    ///     buf.extend_with(16 * 1024, i, GFP_KERNEL)?;
    ///     bufs.push(buf, GFP_KERNEL)?;
    /// }
    /// {
    ///     let mut maps = lock.lock();
    ///     for buf in bufs {
    ///         let map = DmaBounce::map_atomic(&dev, buf, Direction::ToDevice)?;
    ///         maps.push(map, GFP_ATOMIC)?;
    ///     }
    /// }
    /// let mut maps = lock.lock();
    /// let in_pool = |kind| maps.iter().filter(|m| m.bounced() == Some(kind)).count();
    /// assert_eq!(in_pool(PoolKind::Default), 4);
    /// assert_eq!(in_pool(PoolKind::Transient), 1);
    /// assert_eq!(Stats::of(&dev)?.pools_added(PoolKind::Transient), 1);
    ///
    /// for (i, map) in maps.iter_mut().enumerate() {
    ///     let addr = map.submit();
    ///     let mut seen = [0u8; 2];
    ///     // SAFETY: `addr` heads a submitted 16 KiB mapping of `dev`.
    ///     unsafe { dev.dma_read(addr + 8191, &mut seen)? };
    ///     // The buffers were mapped in reverse order: 4, 3, 2, 1, 0.
    ///     assert_eq!(seen, [4 - i as u8; 2]);
    ///     // SAFETY: The device is done with the mapping.
    ///     unsafe { map.complete() };
    /// }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map_atomic(dev: &Device, buf: B, dir: Direction) -> Result<Self, MapError<B>> {
        Self::map(dev, buf, dir, Attrs::NONE)
    }

    /// Maps `buf` for `dev` with `attrs`.
    ///
    /// Fails with `EINVAL` for an empty buffer and `ENOMEM` when no bounce buffer could be had;
    /// the buffer comes back in the error either way.
    ///
    /// Context: may sleep if `attrs` holds [`Attrs::MAY_BLOCK`]; otherwise any.
    ///
    /// # Examples
    ///
    /// With [`Attrs::SKIP_CPU_SYNC`], what the device wrote is not copied back at the end:
    ///
    /// ```
    /// use kernel::c_str;
    /// use kernel::dma::{Attrs, Direction, DmaBounce, TestDevice};
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-attrs"), 64 * 1024)?;
    /// let mut buf = KVec::new();
    /// buf.extend_from_slice(b"kept", GFP_KERNEL)?;
    /// let mut map = DmaBounce::map(&dev, buf, Direction::FromDevice, Attrs::SKIP_CPU_SYNC)?;
    /// let addr = map.submit();
    /// // SAFETY: `addr` heads a 4-byte mapping of `dev`, submitted to it.
    /// unsafe { dev.dma_write(addr, b"lost")? };
    /// // SAFETY: The device is done with the mapping.
    /// unsafe { map.complete() };
    /// assert_eq!(&map.finish()?[..], b"kept");
    ///
    /// let empty = DmaBounce::map(&dev, KVec::<u8>::new(), Direction::ToDevice, Attrs::NONE);
    /// assert_eq!(empty.err().map(|e| e.error), Some(EINVAL));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map(
        dev: &Device,
        mut buf: B,
        dir: Direction,
        attrs: Attrs,
    ) -> Result<Self, MapError<B>> {
        let bytes = buf.dma_bytes_mut();
        let len = bytes.len();
        if len == 0 {
            return Err(DmaError {
                error: EINVAL,
                value: buf,
            });
        }
        let cpu = bytes.as_mut_ptr();
        // SAFETY: `dev` is a live device (we hold a reference); by the `DmaBuffer` contract `cpu`
        // and `len` describe linear-map memory that stays put while `buf` lives.
        let handle = unsafe {
            bindings::dma_map_single_attrs(
                dev.as_raw(),
                cpu.cast(),
                len,
                dir.as_raw(),
                attrs.as_raw(),
            )
        };
        // SAFETY: `dev` is a live device.
        if unsafe { bindings::dma_mapping_error(dev.as_raw(), handle) } != 0 {
            return Err(DmaError {
                error: ENOMEM,
                value: buf,
            });
        }
        // INVARIANT: `handle` was just mapped over all of `buf`, with `dir` and `attrs`.
        Ok(DmaBounce {
            dev: ManuallyDrop::new(dev.into()),
            buf: ManuallyDrop::new(buf),
            handle,
            len,
            dir,
            attrs,
            kind: bounce_kind(dev, handle),
            submitted: false,
        })
    }

    /// The device's address of the mapping, for logs and checks. Hand it to the device through
    /// [`DmaBounce::submit`].
    pub fn dma_address(&self) -> DmaAddress {
        self.handle
    }

    /// The number of bytes mapped.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: empty buffers are not mapped.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The direction given to the map call.
    pub fn direction(&self) -> Direction {
        self.dir
    }

    /// The device of the mapping.
    pub fn device(&self) -> &Device {
        &self.dev
    }

    /// Where the bounce buffer is, or `None` if the device reaches the buffer directly.
    pub fn bounced(&self) -> Option<PoolKind> {
        self.kind
    }

    /// Whether the mapping goes through a bounce buffer.
    pub fn is_bounced(&self) -> bool {
        self.kind.is_some()
    }

    /// Whether the mapping is submitted to the device.
    pub fn is_submitted(&self) -> bool {
        self.submitted
    }

    /// Hands the mapping to the device and returns the address to program into it.
    ///
    /// The buffer is already synced for the device (at map time, and whenever a [`CpuAccess`]
    /// guard is dropped). Until [`DmaBounce::complete`], the CPU cannot reach the bytes.
    pub fn submit(&mut self) -> DmaAddress {
        self.submitted = true;
        self.handle
    }

    /// Takes the mapping back from the device.
    ///
    /// # Safety
    ///
    /// The device must have finished every access to the mapping (the driver has seen the
    /// completion of every command that used the address returned by [`DmaBounce::submit`]),
    /// and must not access it again before the next [`DmaBounce::submit`]. The type system
    /// cannot check this: the device is outside it. Breaking it lets the device write memory
    /// the CPU reads, or that is reused after the mapping ends.
    pub unsafe fn complete(&mut self) {
        // INVARIANT: the caller promises the device no longer accesses the mapping.
        self.submitted = false;
    }

    /// Gives the CPU access to the bytes: syncs for the CPU now and for the device when the
    /// guard is dropped. Fails with `EBUSY` while the mapping is submitted.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::c_str;
    /// use kernel::dma::{Direction, DmaBounce, TestDevice};
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-cpu"), 64 * 1024)?;
    /// let mut buf = KVec::new();
    /// buf.extend_with(8, 0u8, GFP_KERNEL)?;
    /// let mut map = DmaBounce::map_may_sleep(&dev, buf, Direction::Bidirectional)?;
    /// map.cpu_access()?.copy_from_slice(b"cpu data");
    ///
    /// let addr = map.submit();
    /// assert_eq!(map.cpu_access().err(), Some(EBUSY));
    /// let mut seen = [0u8; 8];
    /// // SAFETY: `addr` heads an 8-byte mapping of `dev`, submitted to it.
    /// unsafe { dev.dma_read(addr, &mut seen)? };
    /// assert_eq!(&seen, b"cpu data");
    /// // SAFETY: As above.
    /// unsafe { dev.dma_write(addr + 4, b"DEV!")? };
    /// // SAFETY: The device is done with the mapping.
    /// unsafe { map.complete() };
    ///
    /// assert_eq!(&map.cpu_access()?[..], b"cpu DEV!");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn cpu_access(&mut self) -> Result<CpuAccess<'_, B>, Error> {
        if self.submitted {
            return Err(EBUSY);
        }
        // SAFETY: By the type invariants the mapping is live and the device does not touch it.
        unsafe {
            bindings::dma_sync_single_for_cpu(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
            )
        };
        Ok(CpuAccess { map: self })
    }

    /// Unmaps and gives the buffer back, with what the device wrote copied in (for
    /// [`Direction::FromDevice`] and [`Direction::Bidirectional`], unless
    /// [`Attrs::SKIP_CPU_SYNC`]). Fails with `EBUSY`, giving the mapping back, while it is
    /// submitted.
    pub fn finish(self) -> Result<B, DmaError<Self>> {
        if self.submitted {
            return Err(DmaError {
                error: EBUSY,
                value: self,
            });
        }
        let mut this = ManuallyDrop::new(self);
        this.unmap();
        // SAFETY: `this` is never used or dropped again, so its buffer and device reference
        // are each moved out exactly once.
        let (buf, dev) = unsafe { (ManuallyDrop::take(&mut this.buf), ptr::read(&*this.dev)) };
        drop(dev);
        Ok(buf)
    }

    fn unmap(&mut self) {
        // SAFETY: By the type invariants the mapping is live, with these parameters, and the
        // device is done with it; callers end the mapping right after.
        unsafe {
            bindings::dma_unmap_single_attrs(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
                self.attrs.as_raw(),
            )
        };
    }
}

impl<B: DmaBuffer> Drop for DmaBounce<B> {
    fn drop(&mut self) {
        if self.submitted {
            crate::pr_warn!(
                "dma: mapping {:#x} ({} bytes) dropped while submitted to the device: leaked\n",
                self.handle,
                self.len
            );
            return;
        }
        self.unmap();
        // SAFETY: The mapping has ended and `self` is being dropped: the buffer and the device
        // reference are dropped exactly once.
        unsafe {
            ManuallyDrop::drop(&mut self.buf);
            ManuallyDrop::drop(&mut self.dev);
        }
    }
}

/// CPU access to the bytes of a [`DmaBounce`], synced for the CPU; dropping it syncs for the
/// device.
pub struct CpuAccess<'a, B: DmaBuffer> {
    map: &'a mut DmaBounce<B>,
}

impl<B: DmaBuffer> Deref for CpuAccess<'_, B> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.map.buf.dma_bytes()
    }
}

impl<B: DmaBuffer> DerefMut for CpuAccess<'_, B> {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.map.buf.dma_bytes_mut()
    }
}

impl<B: DmaBuffer> Drop for CpuAccess<'_, B> {
    fn drop(&mut self) {
        let map = &*self.map;
        // SAFETY: By the type invariants of `DmaBounce` the mapping is live and, not being
        // submitted, not accessed by the device.
        unsafe {
            bindings::dma_sync_single_for_device(
                map.dev.as_raw(),
                map.handle,
                map.len,
                map.dir.as_raw(),
            )
        };
    }
}

#[cfg(CONFIG_SWIOTLB)]
fn bounce_kind(dev: &Device, handle: DmaAddress) -> Option<PoolKind> {
    // SAFETY: `dev` is a live device and `handle` a live mapping of it.
    PoolKind::from_raw(unsafe { bindings::swiotlb_mapping_kind(dev.as_raw(), handle) })
}

#[cfg(not(CONFIG_SWIOTLB))]
fn bounce_kind(_dev: &Device, _handle: DmaAddress) -> Option<PoolKind> {
    None
}
