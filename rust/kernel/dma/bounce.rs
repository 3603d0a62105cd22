// SPDX-License-Identifier: GPL-2.0

//! [`DmaBounce`] and [`Submitted`]: a streaming mapping that owns its buffer and may bounce,
//! with the CPU or with the device.

use super::{Attrs, DataDirection, DmaAddress, PoolKind};
#[cfg(not(CONFIG_HIGHMEM))]
use crate::{
    alloc::Flags,
    page::{Page, PAGE_SIZE},
};
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
    sync::atomic::{AtomicBool, Ordering},
};

/// A buffer that can be mapped for streaming DMA.
///
/// Implemented for `KVec<u8>`, `KBox<[u8; N]>` and, where every page is in the linear map (no
/// `CONFIG_HIGHMEM`), [`ZeroedPage`]. Not for a bare [`Page`](crate::page::Page): its bytes may
/// be uninitialised (a `&[u8]` over them would be undefined behaviour, and mapping it would
/// hand stale kernel memory to the device); wrap it in a [`ZeroedPage`], which zeroes it.
///
/// # Safety
///
/// Implementers guarantee that [`DmaBuffer::dma_bytes`] and [`DmaBuffer::dma_bytes_mut`] give
/// the same memory on every call while the value lives, and that this memory:
///
/// - is physically contiguous memory of the kernel's linear map (`kmalloc`, the page
///   allocator: not `vmalloc`, not the stack), and does not move when the value is moved;
/// - is reachable only through this value: no other handle (a shared `Arc`, a second owner, a
///   raw pointer kept elsewhere) reads or writes it while the value lives;
/// - is initialised, every byte of it;
/// - shares no cache line with other live data: it is a whole allocation of its own, whose
///   start is aligned for DMA (`kmalloc` guarantees `ARCH_DMA_MINALIGN` where caches are not
///   coherent, or bounces smaller buffers), so that a cache invalidation for the device does
///   not destroy neighbouring data and a CPU write beside it does not corrupt the device's.
pub unsafe trait DmaBuffer: Send {
    /// The bytes to map.
    fn dma_bytes(&self) -> &[u8];

    /// The bytes to map, writable.
    fn dma_bytes_mut(&mut self) -> &mut [u8];
}

// SAFETY: A `KVec` keeps its elements in one `kmalloc` allocation of its own, which stays where
// it is when the vector is moved; it is only reallocated through `&mut self` methods, which no
// one can call while a `DmaBounce` owns it. Its `len` bytes are initialised (it is a
// `KVec<u8>`); the rest of the allocation is unused capacity of the same vector, so no other
// data shares its cache lines, and `kmalloc` aligns it for DMA.
unsafe impl DmaBuffer for KVec<u8> {
    #[inline]
    fn dma_bytes(&self) -> &[u8] {
        self.as_slice()
    }

    #[inline]
    fn dma_bytes_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

// SAFETY: A `KBox` keeps its value in one `kmalloc` allocation of its own (aligned for DMA),
// owned by the box alone, which stays where it is when the box is moved; a `[u8; N]` is
// initialised.
unsafe impl<const N: usize> DmaBuffer for KBox<[u8; N]> {
    #[inline]
    fn dma_bytes(&self) -> &[u8] {
        &self[..]
    }

    #[inline]
    fn dma_bytes_mut(&mut self) -> &mut [u8] {
        &mut self[..]
    }
}

/// An order-0 page whose every byte is initialised: allocated zeroed, or zeroed when taken
/// over from a [`Page`]. It is what a page must be to be mapped ([`DmaBuffer`]) or read as
/// bytes.
///
/// # Invariants
///
/// Every byte of the page `0` owns is initialised, and the page is in the linear map (no
/// `CONFIG_HIGHMEM`).
///
/// # Examples
///
/// ```
/// # #[cfg(not(CONFIG_HIGHMEM))] {
/// use kernel::dma::{DmaBuffer, ZeroedPage};
/// use kernel::page::{Page, PAGE_SIZE};
///
/// let page = ZeroedPage::alloc(GFP_KERNEL)?;
/// assert!(page.dma_bytes().iter().all(|b| *b == 0));
///
/// // A page from elsewhere is zeroed when it is taken over, whatever it held.
/// let raw = Page::alloc_page(GFP_KERNEL)?;
/// let junk = [0xa5u8; 8];
/// // SAFETY: `junk` is 8 readable bytes; the page is ours alone.
/// unsafe { raw.write_raw(junk.as_ptr(), PAGE_SIZE - 8, 8)? };
/// let mut page = ZeroedPage::from_page(raw)?;
/// assert!(page.dma_bytes().iter().all(|b| *b == 0));
/// page.dma_bytes_mut()[0] = 1;
/// let raw: Page = page.into_page();
/// let mut first = [0u8; 1];
/// // SAFETY: `first` is one writable byte; the page is ours alone.
/// unsafe { raw.read_raw(first.as_mut_ptr(), 0, 1)? };
/// assert_eq!(first, [1]);
/// # }
/// # Ok::<(), Error>(())
/// ```
#[cfg(not(CONFIG_HIGHMEM))]
pub struct ZeroedPage(Page);

#[cfg(not(CONFIG_HIGHMEM))]
impl ZeroedPage {
    /// Allocates a page with `flags` and zeroes it.
    ///
    /// The page is zeroed here rather than by `__GFP_ZERO`: other bits safe code may pass in
    /// `flags` (`__GFP_SKIP_ZERO` under hardware-tag KASAN) can make the allocator skip that.
    ///
    /// Context: as the page allocator with `flags`.
    #[inline]
    pub fn alloc(flags: Flags) -> Result<Self, Error> {
        Self::from_page(Page::alloc_page(flags)?)
    }

    /// Takes over `page` and zeroes it.
    ///
    /// Context: any.
    pub fn from_page(page: Page) -> Result<Self, Error> {
        // SAFETY: `page` is owned here: no one else accesses it while it is zeroed.
        unsafe { page.fill_zero_raw(0, PAGE_SIZE)? };
        // INVARIANT: every byte was just written.
        Ok(ZeroedPage(page))
    }

    /// Gives the page back.
    #[inline]
    pub fn into_page(self) -> Page {
        self.0
    }

    /// The page.
    #[inline]
    pub fn page(&self) -> &Page {
        &self.0
    }
}

// SAFETY: A `ZeroedPage` owns one order-0 page, which stays where it is when it is moved and is
// freed only when it is dropped; no one else has a handle to it. By the type invariants it is
// in the linear map, at the address `page_address()` gives, and every byte is initialised. A
// whole page shares no cache line with other data.
#[cfg(not(CONFIG_HIGHMEM))]
unsafe impl DmaBuffer for ZeroedPage {
    #[inline]
    fn dma_bytes(&self) -> &[u8] {
        // SAFETY: The page is owned by `self`, mapped at `page_address()` and initialised (type
        // invariants); the slice borrows `self`, so the page outlives it.
        unsafe {
            core::slice::from_raw_parts(
                bindings::dma_page_address(self.0.as_ptr()).cast::<u8>(),
                PAGE_SIZE,
            )
        }
    }

    #[inline]
    fn dma_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: As above; `&mut self` makes the slice the only access to the page.
        unsafe {
            core::slice::from_raw_parts_mut(
                bindings::dma_page_address(self.0.as_ptr()).cast::<u8>(),
                PAGE_SIZE,
            )
        }
    }
}

/// An error, with what was handed in, so that nothing is lost when an operation fails.
///
/// `?` turns it into its [`Error`], dropping the value.
pub struct DmaError<T> {
    /// What went wrong.
    pub error: Error,
    /// The buffer of a failed map, unchanged.
    pub value: T,
}

/// The error of a failed map: the error code and the buffer, given back.
pub type MapError<B> = DmaError<B>;

impl<T> From<DmaError<T>> for Error {
    #[inline]
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

/// What a mapping is, whoever owns it: the parts [`DmaBounce`] and [`Submitted`] share.
///
/// It keeps no invariant of its own; its owners do (see theirs).
struct Mapping<B: DmaBuffer> {
    dev: ARef<Device>,
    buf: B,
    handle: DmaAddress,
    len: usize,
    dir: DataDirection,
    attrs: Attrs,
    kind: Option<PoolKind>,
}

impl<B: DmaBuffer> Mapping<B> {
    /// Ends the mapping. If `cpu_synced`, the buffer already holds what the device wrote (and
    /// maybe newer CPU writes): nothing is copied back over it.
    ///
    /// # Safety
    ///
    /// `handle` must be a live mapping of `dev` over `buf` with `len`, `dir` and `attrs`, which
    /// the device no longer accesses; the caller must not use `handle` afterwards (it ends the
    /// mapping's life right after).
    unsafe fn unmap(&mut self, cpu_synced: bool) {
        let attrs = if cpu_synced {
            self.attrs | Attrs::SKIP_CPU_SYNC
        } else {
            self.attrs
        };
        // SAFETY: As the caller guarantees.
        unsafe {
            bindings::dma_unmap_single_attrs(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
                attrs.as_raw(),
            )
        };
    }
}

/// A streaming DMA mapping of an owned buffer, with the CPU; bounced through swiotlb when the
/// device needs it.
///
/// The mapping owns the buffer: nothing can read, write or free it while it is mapped. Which
/// side owns the mapping is a type:
///
/// - A `DmaBounce` is the CPU's. It has no DMA address to give out. [`DmaBounce::cpu_access`]
///   and [`DmaBounce::cpu_access_mut`] reach the bytes through a guard that syncs for the CPU
///   when taken; [`DmaBounce::finish`] unmaps and gives the buffer back, with what the device
///   wrote copied in.
/// - [`DmaBounce::submit`] consumes it, syncs for the device and returns a [`Submitted`]
///   mapping, the device's, which alone tells the address to program. Nothing reaches the bytes
///   through it. [`Submitted::complete`], the one `unsafe` step (only the driver knows when its
///   device is done), gives the `DmaBounce` back.
///
/// So safe code cannot program the device with the address of a mapping the CPU owns, take the
/// bytes of a submitted one, or end (unmap, finish) a submitted one: the methods are not there.
///
/// Dropping a `DmaBounce` unmaps it (without giving the data back to anyone). Dropping a
/// [`Submitted`] mapping leaks it instead (see there).
///
/// Device lifetime: the mapping holds a reference to its device, which keeps the `struct device`
/// allocated but not bound to its driver. Unmapping after the driver's unbind is only sound
/// where the DMA layer of the device survives it (dma-direct and swiotlb do; an IOMMU domain
/// may not). This kernel has no bound-device scope (`Devres`) to enforce it: a driver must end
/// its mappings before its `remove` returns.
///
/// # Invariants
///
/// - `map.handle` is a live mapping of `map.dev`, made by `dma_map_single_attrs()` over all of
///   `map.buf.dma_bytes()` (`map.len` bytes, `map.len > 0`) with `map.dir` and `map.attrs`, not
///   yet unmapped.
/// - The device does not access the mapping (it never had its address, or the caller of
///   [`Submitted::complete`] promised that it is done with it).
/// - If `synced_for_cpu` is false, the CPU has not reached the bytes since the mapping was last
///   with the device (or was made): the bounce buffer holds what the buffer means. If it is
///   true, the buffer was synced for the CPU since then: the buffer holds what the device wrote,
///   and what the CPU wrote after it.
///
/// # Examples
///
/// A device fills a buffer (the test device stands in for hardware):
///
/// ```
/// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
/// use kernel::c_str;
/// use kernel::dma::{DataDirection, DmaBounce, PoolKind, TestDevice};
///
/// let dev = TestDevice::new(c_str!("doc-dmabounce-read"), 64 * 1024)?;
/// let mut buf = KVec::new();
/// buf.extend_with(16, 0u8, GFP_KERNEL)?;
///
/// let map = DmaBounce::map_may_sleep(&dev, buf, DataDirection::FromDevice)?;
/// assert_eq!(map.bounced(), Some(PoolKind::Default));
/// let sub = map.submit();
///
/// // SAFETY: `sub` is a 16-byte mapping of `dev`, submitted to it.
/// unsafe { dev.dma_write(sub.dma_address(), b"from the device!")? };
/// // SAFETY: The (simulated) device is done with the mapping.
/// let map = unsafe { sub.complete() };
///
/// let buf = map.finish();
/// assert_eq!(&buf[..], b"from the device!");
/// # }
/// # Ok::<(), Error>(())
/// ```
#[must_use = "dropping a mapping unmaps it at once"]
pub struct DmaBounce<B: DmaBuffer = KVec<u8>> {
    map: Mapping<B>,
    synced_for_cpu: bool,
}

impl<B: DmaBuffer> DmaBounce<B> {
    /// Maps `buf` for `dev`; when the bounce pools are full, sleeps until there is room (or the
    /// swiotlb wait timeout passes).
    ///
    /// The caller's context is the contract, not a guess: it must be process context with no
    /// spinlock held, no RCU read-side section and interrupts on. Called anywhere else, the
    /// kernel's sleep checks (`CONFIG_DEBUG_ATOMIC_SLEEP`) report it; it is a bug, not a memory
    /// safety matter.
    ///
    /// Context: process context, no locks held: may sleep.
    ///
    /// # Examples
    ///
    /// Four sleeping callers fill the test device's 64 KiB pool; a fifth waits until one of the
    /// four is unmapped, from a work item that waits for the fifth to be waiting, and then gets
    /// its slots in the same pool.
    ///
    /// The work item must unmap before the wait times out. The test device takes the timeout
    /// the default allocator has when the device is made (`CONFIG_SWIOTLB_WAIT_TIMEOUT_MS`,
    /// 10 s by default, unless `swiotlb_wait_timeout_ms=` or debugfs changed it) and has no API
    /// to set its own, so the example assumes that timeout outlasts the start of a work item; it
    /// is skipped only when the configured default is under a second.
    ///
    /// ```
    /// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
    /// # if kernel::bindings::CONFIG_SWIOTLB_WAIT_TIMEOUT_MS < 1000 {
    /// #     return Ok(());
    /// # }
    /// use kernel::c_str;
    /// use kernel::dma::{DataDirection, DmaBounce, PoolKind, Stats, TestDevice};
    /// use kernel::workqueue;
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-wait"), 64 * 1024)?;
    /// let map_16k = |byte| -> Result<DmaBounce> {
    ///     let mut buf = KVec::new();
    ///     buf.extend_with(16 * 1024, byte, GFP_KERNEL)?;
    ///     Ok(DmaBounce::map_may_sleep(&dev, buf, DataDirection::ToDevice)?)
    /// };
    /// let held = [map_16k(1)?, map_16k(2)?, map_16k(3)?];
    /// let last = map_16k(4)?;
    /// let before = Stats::of(&dev)?.waits();
    /// let watched: kernel::types::ARef<kernel::device::Device> = (&*dev).into();
    /// workqueue::system().try_spawn(GFP_KERNEL, move || {
    ///     // Unmap once the fifth caller waits: no race with a timer. (The bound only keeps a
    ///     // broken swiotlb from hanging the test.)
    ///     for _ in 0..60_000 {
    ///         if Stats::of(&watched).map_or(true, |s| s.waits() != before) {
    ///             break;
    ///         }
    ///         // SAFETY: `msleep` may be called from a work item.
    ///         unsafe { kernel::bindings::msleep(1) };
    ///     }
    ///     drop(last);
    /// })?;
    ///
    /// let map = map_16k(0xa5)?;
    /// assert_eq!(map.bounced(), Some(PoolKind::Default));
    /// assert_eq!(Stats::of(&dev)?.waits(), before + 1);
    /// drop(held);
    /// assert_eq!(Stats::of(&dev)?.pools_added(PoolKind::Transient), 0);
    ///
    /// let sub = map.submit();
    /// let mut seen = [0u8; 4];
    /// // SAFETY: `sub` is a 16 KiB mapping of `dev`, submitted to it.
    /// unsafe { dev.dma_read(sub.dma_address() + 16 * 1024 - 4, &mut seen)? };
    /// assert_eq!(seen, [0xa5; 4]);
    /// // SAFETY: The device is done with the mapping.
    /// drop(unsafe { sub.complete() });
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map_may_sleep(dev: &Device, buf: B, dir: DataDirection) -> Result<Self, MapError<B>> {
        // `map` checks the context (`might_sleep()`).
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
    /// # #[cfg(all(CONFIG_SWIOTLB_TEST_DEVICE, CONFIG_SWIOTLB_DYNAMIC))] {
    /// use kernel::c_str;
    /// use kernel::dma::{DataDirection, DmaBounce, PoolKind, Stats, TestDevice};
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
    ///         let map = DmaBounce::map_atomic(&dev, buf, DataDirection::ToDevice)?;
    ///         maps.push(map, GFP_ATOMIC)?;
    ///     }
    /// }
    /// let maps = core::mem::take(&mut *lock.lock());
    /// let in_pool = |kind| maps.iter().filter(|m| m.bounced() == Some(kind)).count();
    /// assert_eq!(in_pool(PoolKind::Default), 4);
    /// assert_eq!(in_pool(PoolKind::Transient), 1);
    /// assert_eq!(Stats::of(&dev)?.pools_added(PoolKind::Transient), 1);
    ///
    /// for (i, map) in maps.into_iter().enumerate() {
    ///     let sub = map.submit();
    ///     let mut seen = [0u8; 2];
    ///     // SAFETY: `sub` is a 16 KiB mapping of `dev`, submitted to it.
    ///     unsafe { dev.dma_read(sub.dma_address() + 8191, &mut seen)? };
    ///     // The buffers were mapped in reverse order: 4, 3, 2, 1, 0.
    ///     assert_eq!(seen, [4 - i as u8; 2]);
    ///     // SAFETY: The device is done with the mapping.
    ///     drop(unsafe { sub.complete() });
    /// }
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map_atomic(dev: &Device, buf: B, dir: DataDirection) -> Result<Self, MapError<B>> {
        Self::map(dev, buf, dir, Attrs::NONE)
    }

    /// Maps `buf` for `dev` with `attrs`.
    ///
    /// Fails with `EINVAL` for an empty buffer or one larger than
    /// [`max_mapping_size`](super::max_mapping_size) (which no pool could ever hold), and
    /// `ENOMEM` when no bounce buffer could be had (the pools were full, after the wait with
    /// [`Attrs::MAY_BLOCK`]; the DMA layer does not say more); the buffer comes back in the
    /// error either way.
    ///
    /// Context: process context with no locks if `attrs` holds [`Attrs::MAY_BLOCK`] (see
    /// [`DmaBounce::map_may_sleep`]); otherwise any.
    ///
    /// # Examples
    ///
    /// With [`Attrs::SKIP_CPU_SYNC`], what the device wrote is not copied back at the end:
    ///
    /// ```
    /// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
    /// use kernel::c_str;
    /// use kernel::dma::{Attrs, DataDirection, DmaBounce, TestDevice};
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-attrs"), 64 * 1024)?;
    /// let mut buf = KVec::new();
    /// buf.extend_from_slice(b"kept", GFP_KERNEL)?;
    /// let map = DmaBounce::map(&dev, buf, DataDirection::FromDevice, Attrs::SKIP_CPU_SYNC)?;
    /// let sub = map.submit();
    /// // SAFETY: `sub` is a 4-byte mapping of `dev`, submitted to it.
    /// unsafe { dev.dma_write(sub.dma_address(), b"lost")? };
    /// // SAFETY: The device is done with the mapping.
    /// let map = unsafe { sub.complete() };
    /// assert_eq!(&map.finish()[..], b"kept");
    ///
    /// let empty = DmaBounce::map(&dev, KVec::<u8>::new(), DataDirection::ToDevice, Attrs::NONE);
    /// assert_eq!(empty.err().map(|e| e.error), Some(EINVAL));
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// A buffer larger than the largest bounce buffer can never be mapped: it is refused with
    /// `EINVAL`, not the `ENOMEM` of a full pool, and nothing is tried:
    ///
    /// ```
    /// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
    /// use kernel::c_str;
    /// use kernel::dma::{self, Attrs, DataDirection, DmaBounce, Stats, TestDevice};
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-too-big"), 64 * 1024)?;
    /// let mut big = KVec::new();
    /// big.extend_with(dma::max_mapping_size(&dev) + 1, 0u8, GFP_KERNEL)?;
    /// let failures = Stats::of(&dev)?.map_failures();
    /// let refused = DmaBounce::map(&dev, big, DataDirection::ToDevice, Attrs::NO_WARN);
    /// assert_eq!(refused.err().map(|e| e.error), Some(EINVAL));
    /// assert_eq!(Stats::of(&dev)?.map_failures(), failures);
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// A zeroed page (where every page is in the linear map: no `CONFIG_HIGHMEM`) is a buffer
    /// too, as block drivers' data is:
    ///
    /// ```
    /// # #[cfg(all(CONFIG_SWIOTLB_TEST_DEVICE, not(CONFIG_HIGHMEM)))] {
    /// use kernel::c_str;
    /// use kernel::dma::{DataDirection, DmaBounce, PoolKind, TestDevice, ZeroedPage};
    /// use kernel::page::PAGE_SIZE;
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-page"), 64 * 1024)?;
    /// let page = ZeroedPage::alloc(GFP_KERNEL)?;
    /// let mut map = DmaBounce::map_may_sleep(&dev, page, DataDirection::Bidirectional)?;
    /// assert_eq!(map.len(), PAGE_SIZE);
    /// assert_eq!(map.bounced(), Some(PoolKind::Default));
    /// map.cpu_access_mut()?[..5].copy_from_slice(b"hello");
    ///
    /// let sub = map.submit();
    /// let mut seen = [0u8; 5];
    /// // SAFETY: `sub` is a page-long mapping of `dev`, submitted to it.
    /// unsafe { dev.dma_read(sub.dma_address(), &mut seen)? };
    /// assert_eq!(&seen, b"hello");
    /// // SAFETY: As above.
    /// unsafe { dev.dma_write(sub.dma_address() + PAGE_SIZE as u64 - 3, b"end")? };
    /// // SAFETY: The device is done with the mapping.
    /// let mut map = unsafe { sub.complete() };
    /// assert_eq!(&map.cpu_access()[PAGE_SIZE - 3..], b"end");
    /// let page: ZeroedPage = map.finish();
    /// # let _ = page;
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map(
        dev: &Device,
        mut buf: B,
        dir: DataDirection,
        attrs: Attrs,
    ) -> Result<Self, MapError<B>> {
        if attrs.contains(Attrs::MAY_BLOCK) {
            // SAFETY: `might_sleep()` only checks the context (and may reschedule, as the
            // caller allows with `MAY_BLOCK`); checked whether or not this call ends up
            // sleeping, so that a wrong context shows on every call.
            unsafe { bindings::dma_might_sleep() };
        }
        let bytes = buf.dma_bytes_mut();
        let len = bytes.len();
        // Empty, or more than any bounce buffer holds: no map call could ever succeed.
        if len == 0 || len > super::max_mapping_size(dev) {
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
        // INVARIANT: `handle` was just mapped over all of `buf`, with `dir` and `attrs`, and
        // synced for the device by the map; its address has not been given to anyone.
        Ok(DmaBounce {
            map: Mapping {
                kind: bounce_kind(dev, handle),
                dev: dev.into(),
                buf,
                handle,
                len,
                dir,
                attrs,
            },
            synced_for_cpu: false,
        })
    }

    /// The number of bytes mapped.
    #[expect(clippy::len_without_is_empty)]
    #[inline]
    pub fn len(&self) -> usize {
        self.map.len
    }

    /// The direction given to the map call.
    #[inline]
    pub fn direction(&self) -> DataDirection {
        self.map.dir
    }

    /// The device of the mapping.
    #[inline]
    pub fn device(&self) -> &Device {
        &self.map.dev
    }

    /// Where the bounce buffer is, or `None` if the device reaches the buffer directly.
    #[inline]
    pub fn bounced(&self) -> Option<PoolKind> {
        self.map.kind
    }

    /// Whether the mapping goes through a bounce buffer.
    #[inline]
    pub fn is_bounced(&self) -> bool {
        self.map.kind.is_some()
    }

    /// Hands the mapping to the device: syncs it for the device and returns the submitted
    /// mapping, which tells the address to program.
    ///
    /// The sync happens here, whatever became of the CPU guards taken before (even one passed
    /// to `mem::forget`). It is skipped when the CPU has not reached the bytes since the map
    /// (or the last completion): the bounce buffer is up to date then.
    ///
    /// Context: any.
    ///
    /// # Examples
    ///
    /// A guard that is forgotten instead of dropped does not keep the device from seeing what
    /// was written through it:
    ///
    /// ```
    /// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
    /// use kernel::c_str;
    /// use kernel::dma::{DataDirection, DmaBounce, TestDevice};
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-submit"), 64 * 1024)?;
    /// let mut buf = KVec::new();
    /// buf.extend_with(8, b'.', GFP_KERNEL)?;
    /// let mut map = DmaBounce::map_atomic(&dev, buf, DataDirection::ToDevice)?;
    /// let mut cpu = map.cpu_access_mut()?;
    /// cpu.copy_from_slice(b"written!");
    /// core::mem::forget(cpu);
    ///
    /// let sub = map.submit();
    /// let mut seen = [0u8; 8];
    /// // SAFETY: `sub` is an 8-byte mapping of `dev`, submitted to it.
    /// unsafe { dev.dma_read(sub.dma_address(), &mut seen)? };
    /// assert_eq!(&seen, b"written!");
    /// // SAFETY: The device is done with the mapping.
    /// drop(unsafe { sub.complete() });
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    #[must_use = "dropping a submitted mapping leaks it"]
    pub fn submit(self) -> Submitted<B> {
        let this = ManuallyDrop::new(self);
        if this.synced_for_cpu {
            // SAFETY: By the type invariants the mapping is live and the device does not access
            // it.
            unsafe {
                bindings::dma_sync_single_for_device(
                    this.map.dev.as_raw(),
                    this.map.handle,
                    this.map.len,
                    this.map.dir.as_raw(),
                )
            };
        }
        // SAFETY: `this` is not used or dropped again: the mapping is moved out once.
        let map = unsafe { ptr::read(&this.map) };
        // INVARIANT: the mapping is live and synced for the device; it is the device's now.
        Submitted {
            map: ManuallyDrop::new(map),
        }
    }

    fn sync_for_cpu(&mut self) {
        if !self.synced_for_cpu {
            // SAFETY: By the type invariants the mapping is live and the device does not access
            // it.
            unsafe {
                bindings::dma_sync_single_for_cpu(
                    self.map.dev.as_raw(),
                    self.map.handle,
                    self.map.len,
                    self.map.dir.as_raw(),
                )
            };
            // INVARIANT: the CPU may reach the bytes from now on; `submit` syncs them back.
            self.synced_for_cpu = true;
        }
    }

    /// Gives the CPU read access to the bytes, with what the device wrote (synced for the CPU).
    ///
    /// Context: any.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
    /// use kernel::c_str;
    /// use kernel::dma::{DataDirection, DmaBounce, TestDevice};
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-cpu"), 64 * 1024)?;
    /// let mut buf = KVec::new();
    /// buf.extend_with(8, 0u8, GFP_KERNEL)?;
    /// let mut map = DmaBounce::map_may_sleep(&dev, buf, DataDirection::Bidirectional)?;
    /// map.cpu_access_mut()?.copy_from_slice(b"cpu data");
    ///
    /// let sub = map.submit();
    /// let mut seen = [0u8; 8];
    /// // SAFETY: `sub` is an 8-byte mapping of `dev`, submitted to it.
    /// unsafe { dev.dma_read(sub.dma_address(), &mut seen)? };
    /// assert_eq!(&seen, b"cpu data");
    /// // SAFETY: As above.
    /// unsafe { dev.dma_write(sub.dma_address() + 4, b"DEV!")? };
    /// // SAFETY: The device is done with the mapping.
    /// let mut map = unsafe { sub.complete() };
    ///
    /// assert_eq!(&map.cpu_access()[..], b"cpu DEV!");
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn cpu_access(&mut self) -> CpuAccess<'_, B> {
        self.sync_for_cpu();
        // INVARIANT: the mapping is the CPU's and synced for it.
        CpuAccess { map: self }
    }

    /// Gives the CPU write access to the bytes (synced for the CPU); the next
    /// [`DmaBounce::submit`] makes the device see what it writes.
    ///
    /// Fails with `EPERM` for a [`DataDirection::FromDevice`] mapping: what the CPU wrote would
    /// never reach the device, and the device's data would overwrite it.
    ///
    /// Context: any.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
    /// use kernel::c_str;
    /// use kernel::dma::{DataDirection, DmaBounce, TestDevice};
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-cpu-mut"), 64 * 1024)?;
    /// let mut buf = KBox::new([7u8; 32], GFP_KERNEL)?;
    /// buf[0] = 1;
    /// let mut map = DmaBounce::map_atomic(&dev, buf, DataDirection::FromDevice)?;
    /// assert_eq!(map.cpu_access_mut().err(), Some(EPERM));
    /// assert_eq!(map.cpu_access()[..2], [1, 7]);
    /// let buf: KBox<[u8; 32]> = map.finish();
    /// assert_eq!(buf[31], 7);
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn cpu_access_mut(&mut self) -> Result<CpuAccessMut<'_, B>, Error> {
        if self.map.dir == DataDirection::FromDevice {
            return Err(EPERM);
        }
        self.sync_for_cpu();
        // INVARIANT: the mapping is the CPU's, synced for it, and not `FromDevice`.
        Ok(CpuAccessMut { map: self })
    }

    /// Unmaps and gives the buffer back, with what the device wrote copied in (for
    /// [`DataDirection::FromDevice`] and [`DataDirection::Bidirectional`], unless
    /// [`Attrs::SKIP_CPU_SYNC`]), and with what the CPU wrote since.
    ///
    /// Context: any.
    ///
    /// # Examples
    ///
    /// What the CPU wrote after the device's data came in is what the buffer holds:
    ///
    /// ```
    /// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
    /// use kernel::c_str;
    /// use kernel::dma::{DataDirection, DmaBounce, TestDevice};
    ///
    /// let dev = TestDevice::new(c_str!("doc-dmabounce-finish"), 64 * 1024)?;
    /// let mut buf = KVec::new();
    /// buf.extend_with(8, b'.', GFP_KERNEL)?;
    /// let map = DmaBounce::map_atomic(&dev, buf, DataDirection::Bidirectional)?;
    /// let sub = map.submit();
    /// // SAFETY: `sub` is an 8-byte mapping of `dev`, submitted to it.
    /// unsafe { dev.dma_write(sub.dma_address(), b"device")? };
    /// // SAFETY: The device is done with the mapping.
    /// let mut map = unsafe { sub.complete() };
    /// map.cpu_access_mut()?[6..].copy_from_slice(b"!!");
    /// assert_eq!(&map.finish()[..], b"device!!");
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn finish(self) -> B {
        let mut this = ManuallyDrop::new(self);
        let cpu_synced = this.synced_for_cpu;
        // SAFETY: By the type invariants the mapping is live and the device does not access it;
        // `this` ends right after.
        unsafe { this.map.unmap(cpu_synced) };
        // SAFETY: `this` is never used or dropped again, so the mapping is moved out once.
        let Mapping { dev, buf, .. } = unsafe { ptr::read(&this.map) };
        drop(dev);
        buf
    }
}

impl<B: DmaBuffer> Drop for DmaBounce<B> {
    fn drop(&mut self) {
        // SAFETY: By the type invariants the mapping is live and the device does not access it;
        // the fields are dropped right after (in declaration order: the device reference, then
        // the buffer), and neither is used for the mapping again.
        unsafe { self.map.unmap(self.synced_for_cpu) };
    }
}

/// Whether a leak of a submitted mapping was reported already: once is enough to see the bug.
static LEAK_REPORTED: AtomicBool = AtomicBool::new(false);

/// A streaming mapping submitted to its device: the device's until [`Submitted::complete`].
///
/// It tells the address to program ([`Submitted::dma_address`]) and gives no access to the
/// bytes. Dropping it cannot know whether the device still writes to the buffer, so it leaks
/// the mapping, the buffer and a device reference rather than let the memory be reused, and
/// warns (once per boot: the first leak is the bug to see).
///
/// Device lifetime: as for [`DmaBounce`].
///
/// # Invariants
///
/// `map` is initialised, and a live mapping as in the invariants of [`DmaBounce`], synced for
/// the device, which may access it. It is moved out only by [`Submitted::complete`].
#[must_use = "dropping a submitted mapping leaks it"]
pub struct Submitted<B: DmaBuffer = KVec<u8>> {
    map: ManuallyDrop<Mapping<B>>,
}

impl<B: DmaBuffer> Submitted<B> {
    /// The address of the mapping as the device sees it, to program into the device.
    #[inline]
    pub fn dma_address(&self) -> DmaAddress {
        self.map.handle
    }

    /// The number of bytes mapped.
    #[expect(clippy::len_without_is_empty)]
    #[inline]
    pub fn len(&self) -> usize {
        self.map.len
    }

    /// The direction given to the map call.
    #[inline]
    pub fn direction(&self) -> DataDirection {
        self.map.dir
    }

    /// The device of the mapping.
    #[inline]
    pub fn device(&self) -> &Device {
        &self.map.dev
    }

    /// Where the bounce buffer is, or `None` if the device reaches the buffer directly.
    #[inline]
    pub fn bounced(&self) -> Option<PoolKind> {
        self.map.kind
    }

    /// Takes the mapping back from the device.
    ///
    /// The returned mapping syncs for the CPU when the CPU next reaches the bytes (or when it
    /// is finished).
    ///
    /// Context: any.
    ///
    /// # Safety
    ///
    /// The device must have finished every access to the mapping (the driver has seen the
    /// completion of every command that used [`Submitted::dma_address`]), and must not access
    /// it again unless it is submitted again. The type system cannot check this: the device is
    /// outside it. Breaking it lets the device write memory the CPU reads, or memory reused
    /// after the mapping ends.
    pub unsafe fn complete(self) -> DmaBounce<B> {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the mapping is moved out once.
        let map = unsafe { ManuallyDrop::take(&mut this.map) };
        // INVARIANT: the caller promises the device is done with the mapping; what it wrote is
        // in the bounce buffer, so the CPU must sync before it looks.
        DmaBounce {
            map,
            synced_for_cpu: false,
        }
    }
}

impl<B: DmaBuffer> Drop for Submitted<B> {
    fn drop(&mut self) {
        // The mapping, the buffer and the device reference are left as they are: the device may
        // still write there.
        report_leak(self.map.handle, self.map.len);
    }
}

/// Warns, the first time only, that a submitted mapping at `addr` of `len` bytes was dropped
/// and leaked.
pub(super) fn report_leak(addr: DmaAddress, len: usize) {
    if !LEAK_REPORTED.swap(true, Ordering::Relaxed) {
        crate::pr_warn!(
            "dma: mapping {:#x} ({} bytes) dropped while submitted to the device: leaked (reported once)\n",
            addr,
            len
        );
    }
}

/// CPU read access to the bytes of a [`DmaBounce`], synced for the CPU.
///
/// # Invariants
///
/// `map` is the CPU's (a [`DmaBounce`]) and synced for the CPU: its buffer holds what the
/// device wrote before it was completed.
#[must_use = "the guard gives access to the bytes; dropping it at once is pointless"]
pub struct CpuAccess<'a, B: DmaBuffer> {
    map: &'a mut DmaBounce<B>,
}

impl<B: DmaBuffer> Deref for CpuAccess<'_, B> {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        // By the type invariants the bytes are the CPU's to read.
        self.map.map.buf.dma_bytes()
    }
}

/// CPU write access to the bytes of a [`DmaBounce`] whose direction is not
/// [`DataDirection::FromDevice`], synced for the CPU. The device sees what it writes from the
/// next [`DmaBounce::submit`] on.
///
/// # Invariants
///
/// `map` is the CPU's, synced for the CPU, and its direction is not
/// [`DataDirection::FromDevice`].
#[must_use = "the guard gives access to the bytes; dropping it at once is pointless"]
pub struct CpuAccessMut<'a, B: DmaBuffer> {
    map: &'a mut DmaBounce<B>,
}

impl<B: DmaBuffer> Deref for CpuAccessMut<'_, B> {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        self.map.map.buf.dma_bytes()
    }
}

impl<B: DmaBuffer> DerefMut for CpuAccessMut<'_, B> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        // By the type invariants the bytes are the CPU's, and what it writes reaches the device.
        self.map.map.buf.dma_bytes_mut()
    }
}

#[cfg(CONFIG_SWIOTLB)]
pub(super) fn bounce_kind(dev: &Device, handle: DmaAddress) -> Option<PoolKind> {
    // SAFETY: `dev` is a live device and `handle` a live mapping of it.
    PoolKind::from_raw(unsafe { bindings::swiotlb_mapping_kind(dev.as_raw(), handle) })
}

#[cfg(not(CONFIG_SWIOTLB))]
pub(super) fn bounce_kind(_dev: &Device, _handle: DmaAddress) -> Option<PoolKind> {
    None
}
