// SPDX-License-Identifier: GPL-2.0

//! [`SgBounce`] and [`SgSubmitted`]: pages mapped as one scatter-gather list, with the CPU or
//! with the device.

use super::{
    bounce::report_leak, Attrs, DataDirection, DmaAddress, DmaBuffer, MapError, ZeroedPage,
};
use crate::{
    alloc::{Flags, KVec},
    bindings,
    device::Device,
    error::{code::*, Error},
    page::PAGE_SIZE,
    types::ARef,
};
use core::{marker::PhantomData, mem::ManuallyDrop, ptr};

/// What a list mapping is, whoever owns it.
///
/// It keeps no invariant of its own; its owners do.
struct SgList {
    dev: ARef<Device>,
    pages: KVec<ZeroedPage>,
    table: bindings::sg_table,
    dir: DataDirection,
    attrs: Attrs,
}

// SAFETY: The table and its entries are owned by the list; the C functions used on them may be
// called from any thread.
unsafe impl Send for SgList {}

// SAFETY: Through `&self` the list is only read (addresses and lengths of its entries).
unsafe impl Sync for SgList {}

impl SgList {
    /// Ends the mapping and frees the table. If `cpu_synced`, the pages already hold what the
    /// device wrote (and maybe newer CPU writes): nothing is copied back over them.
    ///
    /// # Safety
    ///
    /// `table` must be a mapped table of `dev` with `dir` and `attrs`, which the device no
    /// longer accesses; the caller must not use `table` afterwards.
    unsafe fn unmap(&mut self, cpu_synced: bool) {
        let attrs = if cpu_synced {
            self.attrs | Attrs::SKIP_CPU_SYNC
        } else {
            self.attrs
        };
        // SAFETY: As the caller guarantees.
        unsafe {
            bindings::dma_unmap_sgtable(
                self.dev.as_raw(),
                &mut self.table,
                self.dir.as_raw(),
                attrs.as_raw(),
            );
            bindings::sg_free_table(&mut self.table);
        }
    }
}

/// Pages mapped for streaming DMA as one scatter-gather list, with the CPU: the list form of
/// [`super::DmaBounce`], with the same ownership rules.
///
/// Each page is one entry of the table; each entry bounces on its own when the device needs
/// it. Behind an IOMMU, `dma_map_sgtable()` may merge entries into fewer, longer segments:
/// read the segments from [`SgSubmitted::segments`], and a device limited to page-sized
/// segments (as NVMe's PRPs are) must split them itself. The pages are zeroed when they become
/// [`ZeroedPage`]s, so the device never sees stale kernel memory. Which side owns
/// the mapping is a type: an `SgBounce` is the CPU's, has no DMA address, and gives the bytes
/// page by page through [`SgBounce::cpu_access`] and [`SgBounce::cpu_access_mut`];
/// [`SgBounce::submit`] syncs for the device and returns an [`SgSubmitted`] list, which alone
/// tells the entries' addresses; its `unsafe` [`SgSubmitted::complete`] gives the `SgBounce`
/// back. Dropping an `SgBounce` unmaps it; dropping an [`SgSubmitted`] leaks it (with a warning
/// once per boot).
///
/// How a full bounce pool is handled is the policy of the single mappings: with
/// [`Attrs::MAY_BLOCK`] ([`SgBounce::map_may_sleep`]) the list waits for room; without it,
/// entries that do not fit get transient pools. On a device whose every mapping bounces
/// (`is_swiotlb_force_bounce()`, as the test device's), the list waits for room for all its
/// entries at once, holding none. Where only some entries bounce, only those go through the
/// swiotlb and its wait; the promise is for all-bouncing devices only.
///
/// Device lifetime: as for [`super::DmaBounce`]: end the mapping before the driver's `remove`
/// returns.
///
/// # Invariants
///
/// - `list.table` was built over `list.pages` (one entry per page, in order) and mapped for
///   `list.dev` by `dma_map_sgtable()` with `list.dir` and `list.attrs`; it is not unmapped yet.
/// - The device does not access the mapping.
/// - If `synced_for_cpu` is false, the CPU has not reached the pages since the mapping was last
///   with the device (or was made); if true, the pages were synced for the CPU since then and
///   hold the latest data.
///
/// # Examples
///
/// More pages than the test device's pool holds, mapped from a context that cannot sleep: the
/// entries that do not fit bounce through transient pools, and every byte arrives.
///
/// ```
/// # #[cfg(all(CONFIG_SWIOTLB_TEST_DEVICE, CONFIG_SWIOTLB_DYNAMIC))] {
/// use kernel::c_str;
/// use kernel::dma::{DataDirection, DmaBuffer, PoolKind, SgBounce, Stats, TestDevice, ZeroedPage};
/// use kernel::page::PAGE_SIZE;
///
/// // 16 pages of 4 KiB fill the 64 KiB pool.
/// let dev = TestDevice::new(c_str!("doc-sg-atomic"), 64 * 1024)?;
/// let mut pages = KVec::new();
/// for _ in 0..24 {
///     pages.push(ZeroedPage::alloc(GFP_KERNEL)?, GFP_KERNEL)?;
/// }
/// let mut list = SgBounce::map_atomic(&dev, pages, DataDirection::Bidirectional, GFP_KERNEL)?;
/// {
///     let mut cpu = list.cpu_access_mut()?;
///     for i in 0..24 {
///         cpu.page_mut(i).ok_or(EINVAL)?.fill(i as u8);
///     }
/// }
/// assert_eq!(Stats::of(&dev)?.used(PoolKind::Default), 32);
/// assert!(Stats::of(&dev)?.pools_added(PoolKind::Transient) > 0);
///
/// let sub = list.submit();
/// assert_eq!(sub.segments().count(), 24);
/// for (i, (addr, len)) in sub.segments().enumerate() {
///     assert_eq!(len, PAGE_SIZE);
///     let mut seen = [0u8; 2];
///     // SAFETY: `addr` heads an entry of `sub`, submitted to `dev`, `len` bytes long.
///     unsafe { dev.dma_read(addr + len as u64 - 2, &mut seen)? };
///     assert_eq!(seen, [i as u8; 2]);
/// }
/// let (last, _) = sub.segments().last().ok_or(EINVAL)?;
/// // SAFETY: As above.
/// unsafe { dev.dma_write(last, b"device")? };
/// // SAFETY: The device is done with the list.
/// let mut list = unsafe { sub.complete() };
/// assert_eq!(&list.cpu_access().page(23).ok_or(EINVAL)?[..6], b"device");
/// list.cpu_access_mut()?.page_mut(23).ok_or(EINVAL)?[6..8].copy_from_slice(b"!!");
/// let pages = list.finish();
/// assert_eq!(pages.len(), 24);
/// // What the device wrote, then the CPU.
/// assert_eq!(&pages[23].dma_bytes()[..8], b"device!!");
/// assert_eq!(Stats::of(&dev)?.used(PoolKind::Default), 0);
/// # }
/// # Ok::<(), Error>(())
/// ```
#[must_use = "dropping a mapping unmaps it at once"]
pub struct SgBounce {
    list: SgList,
    synced_for_cpu: bool,
}

impl SgBounce {
    /// Maps `pages` for `dev` as one list; when the bounce pools are full, sleeps until there is
    /// room for the whole list (or the swiotlb wait timeout passes). `flags` is for the table.
    ///
    /// Context: process context, no locks held: may sleep.
    ///
    /// # Examples
    ///
    /// The test device's 64 KiB pool is full (two 32 KiB mappings); an 8-page list waits until
    /// one of them is unmapped (by a work item that waits for the list to be waiting), then
    /// takes its room at once.
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
    /// use kernel::dma::{
    ///     DataDirection, DmaBounce, PoolKind, SgBounce, Stats, TestDevice, ZeroedPage,
    /// };
    /// use kernel::workqueue;
    ///
    /// let dev = TestDevice::new(c_str!("doc-sg-wait"), 64 * 1024)?;
    /// let map_32k = || -> Result<DmaBounce> {
    ///     let mut buf = KVec::new();
    ///     buf.extend_with(32 * 1024, 0u8, GFP_KERNEL)?;
    ///     Ok(DmaBounce::map_may_sleep(&dev, buf, DataDirection::ToDevice)?)
    /// };
    /// let held = map_32k()?;
    /// let last = map_32k()?;
    /// let before = Stats::of(&dev)?.waits();
    /// let watched: kernel::types::ARef<kernel::device::Device> = (&*dev).into();
    /// workqueue::system().try_spawn(GFP_KERNEL, move || {
    ///     // Unmap once the list waits. (The bound only keeps a broken swiotlb from hanging
    ///     // the test.)
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
    /// let mut pages = KVec::new();
    /// for _ in 0..8 {
    ///     pages.push(ZeroedPage::alloc(GFP_KERNEL)?, GFP_KERNEL)?;
    /// }
    /// let list = SgBounce::map_may_sleep(&dev, pages, DataDirection::ToDevice, GFP_KERNEL)?;
    /// assert_eq!(Stats::of(&dev)?.waits(), before + 1);
    /// assert_eq!(Stats::of(&dev)?.used(PoolKind::Default), 32);
    /// assert_eq!(Stats::of(&dev)?.pools_added(PoolKind::Transient), 0);
    /// drop(list);
    /// drop(held);
    /// # }
    /// # Ok::<(), Error>(())
    /// ```
    pub fn map_may_sleep(
        dev: &Device,
        pages: KVec<ZeroedPage>,
        dir: DataDirection,
        flags: Flags,
    ) -> Result<Self, MapError<KVec<ZeroedPage>>> {
        // `map` checks the context (`might_sleep()`).
        Self::map(dev, pages, dir, Attrs::MAY_BLOCK, flags)
    }

    /// Maps `pages` for `dev` as one list without sleeping; entries that do not fit in the
    /// bounce pools get transient pools. `flags` is for the table.
    ///
    /// Context: any, if `flags` does not allow sleeping.
    pub fn map_atomic(
        dev: &Device,
        pages: KVec<ZeroedPage>,
        dir: DataDirection,
        flags: Flags,
    ) -> Result<Self, MapError<KVec<ZeroedPage>>> {
        Self::map(dev, pages, dir, Attrs::NONE, flags)
    }

    /// Maps `pages` for `dev` as one list with `attrs`; `flags` is for the table.
    ///
    /// Fails with `EINVAL` for no page (or an entry no pool could hold), `ENOMEM` for want of
    /// memory for the table or of bounce buffers (a wait that timed out included), and `EIO`
    /// when the device cannot reach a bounce buffer, as the DMA layer says; the pages come
    /// back in the error.
    ///
    /// Context: as [`SgBounce::map_may_sleep`] with [`Attrs::MAY_BLOCK`] or a sleeping `flags`;
    /// otherwise any.
    pub fn map(
        dev: &Device,
        pages: KVec<ZeroedPage>,
        dir: DataDirection,
        attrs: Attrs,
        flags: Flags,
    ) -> Result<Self, MapError<KVec<ZeroedPage>>> {
        if attrs.contains(Attrs::MAY_BLOCK)
            || flags.as_raw() & (1 << bindings::___GFP_DIRECT_RECLAIM_BIT) != 0
        {
            // SAFETY: `might_sleep()` only checks the context (and may reschedule, as the
            // caller allows by these attributes or flags); checked whether or not this call
            // ends up sleeping, so that a wrong context shows on every call.
            unsafe { bindings::dma_might_sleep() };
        }
        let n = pages.len();
        let Some(bytes) = n.checked_mul(PAGE_SIZE).filter(|b| *b > 0) else {
            return Err(MapError {
                error: EINVAL,
                value: pages,
            });
        };
        let Ok(count) = u32::try_from(n) else {
            return Err(MapError {
                error: EINVAL,
                value: pages,
            });
        };
        let mut raw = KVec::new();
        if raw.reserve(n, flags).is_err() {
            return Err(MapError {
                error: ENOMEM,
                value: pages,
            });
        }
        for page in pages.iter() {
            // Cannot fail: the room is reserved.
            let _ = raw.push(page.page().as_ptr(), flags);
        }
        let mut table = bindings::sg_table::default();
        // SAFETY: `raw` holds `n` pages owned by `pages`, which outlives the table; one page per
        // entry (`PAGE_SIZE` segments).
        let ret = unsafe {
            bindings::sg_alloc_table_from_pages_segment(
                &mut table,
                raw.as_mut_ptr(),
                count,
                0,
                bytes as _,
                PAGE_SIZE as u32,
                flags.as_raw(),
            )
        };
        if ret != 0 {
            return Err(MapError {
                error: Error::from_errno(ret),
                value: pages,
            });
        }
        // SAFETY: `dev` is a live device; `table` was just built over pages of the linear map.
        let ret = unsafe {
            bindings::dma_map_sgtable(dev.as_raw(), &mut table, dir.as_raw(), attrs.as_raw())
        };
        if ret != 0 {
            // SAFETY: `table` was allocated above and is not mapped; it is not used again.
            unsafe { bindings::sg_free_table(&mut table) };
            return Err(MapError {
                error: Error::from_errno(ret),
                value: pages,
            });
        }
        // INVARIANT: the table was just built over `pages` and mapped; its addresses have not
        // been given to anyone.
        Ok(SgBounce {
            list: SgList {
                dev: dev.into(),
                pages,
                table,
                dir,
                attrs,
            },
            synced_for_cpu: false,
        })
    }

    /// The number of pages.
    #[inline]
    pub fn page_count(&self) -> usize {
        self.list.pages.len()
    }

    /// The direction given to the map call.
    #[inline]
    pub fn direction(&self) -> DataDirection {
        self.list.dir
    }

    /// The device of the mapping.
    #[inline]
    pub fn device(&self) -> &Device {
        &self.list.dev
    }

    /// Hands the list to the device: syncs it for the device (whatever became of the CPU
    /// guards) and returns the submitted list, which tells the entries' addresses.
    ///
    /// Context: any.
    #[must_use = "dropping a submitted mapping leaks it"]
    pub fn submit(self) -> SgSubmitted {
        let mut this = ManuallyDrop::new(self);
        if this.synced_for_cpu {
            // SAFETY: By the type invariants the list is mapped and the device does not access
            // it.
            unsafe {
                bindings::dma_sync_sgtable_for_device(
                    this.list.dev.as_raw(),
                    &mut this.list.table,
                    this.list.dir.as_raw(),
                )
            };
        }
        // SAFETY: `this` is not used or dropped again: the list is moved out once.
        let list = unsafe { ptr::read(&this.list) };
        // INVARIANT: the list is mapped and synced for the device; it is the device's now.
        SgSubmitted {
            list: ManuallyDrop::new(list),
        }
    }

    fn sync_for_cpu(&mut self) {
        if !self.synced_for_cpu {
            // SAFETY: By the type invariants the list is mapped and the device does not access
            // it.
            unsafe {
                bindings::dma_sync_sgtable_for_cpu(
                    self.list.dev.as_raw(),
                    &mut self.list.table,
                    self.list.dir.as_raw(),
                )
            };
            // INVARIANT: the CPU may reach the pages from now on; `submit` syncs them back.
            self.synced_for_cpu = true;
        }
    }

    /// Gives the CPU read access to the pages, with what the device wrote.
    ///
    /// Context: any.
    pub fn cpu_access(&mut self) -> SgCpuAccess<'_> {
        self.sync_for_cpu();
        // INVARIANT: the list is the CPU's and synced for it.
        SgCpuAccess { list: self }
    }

    /// Gives the CPU write access to the pages; the next [`SgBounce::submit`] makes the device
    /// see what it writes. Fails with `EPERM` for [`DataDirection::FromDevice`], whose CPU
    /// writes would be lost.
    ///
    /// Context: any.
    pub fn cpu_access_mut(&mut self) -> Result<SgCpuAccessMut<'_>, Error> {
        if self.list.dir == DataDirection::FromDevice {
            return Err(EPERM);
        }
        self.sync_for_cpu();
        // INVARIANT: the list is the CPU's, synced for it, and not `FromDevice`.
        Ok(SgCpuAccessMut { list: self })
    }

    /// Unmaps and gives the pages back, with what the device wrote (unless
    /// [`Attrs::SKIP_CPU_SYNC`]) and what the CPU wrote since.
    ///
    /// Context: any.
    pub fn finish(self) -> KVec<ZeroedPage> {
        let mut this = ManuallyDrop::new(self);
        let cpu_synced = this.synced_for_cpu;
        // SAFETY: By the type invariants the list is mapped and the device does not access it;
        // `this` ends right after.
        unsafe { this.list.unmap(cpu_synced) };
        // SAFETY: `this` is never used or dropped again: the list is moved out once.
        let SgList { dev, pages, .. } = unsafe { ptr::read(&this.list) };
        drop(dev);
        pages
    }
}

impl Drop for SgBounce {
    fn drop(&mut self) {
        // SAFETY: By the type invariants the list is mapped and the device does not access it;
        // the fields are dropped right after (in declaration order: the device reference, then
        // the pages; the table was freed by `unmap`), and none is used for the mapping again.
        unsafe { self.list.unmap(self.synced_for_cpu) };
    }
}

/// A scatter-gather list submitted to its device: the device's until
/// [`SgSubmitted::complete`]. It tells the entries' addresses ([`SgSubmitted::segments`]) and
/// gives no access to the pages. Dropping it leaks it, as a dropped [`super::Submitted`] is.
///
/// # Invariants
///
/// `list` is initialised and mapped as in the invariants of [`SgBounce`], synced for the
/// device, which may access it. It is moved out only by [`SgSubmitted::complete`].
#[must_use = "dropping a submitted mapping leaks it"]
pub struct SgSubmitted {
    list: ManuallyDrop<SgList>,
}

impl SgSubmitted {
    /// The mapped entries, as the device sees them: `(address, length)` of each, in order.
    pub fn segments(&self) -> Segments<'_> {
        // SAFETY: By the type invariants the table is mapped; it lives as long as the borrow.
        unsafe { Segments::new(&self.list.table) }
    }

    /// The number of pages.
    #[inline]
    pub fn page_count(&self) -> usize {
        self.list.pages.len()
    }

    /// Takes the list back from the device.
    ///
    /// Context: any.
    ///
    /// # Safety
    ///
    /// As for [`super::Submitted::complete`]: the device must have finished every access to
    /// every entry, and must not access them again unless the list is submitted again.
    pub unsafe fn complete(self) -> SgBounce {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again: the list is moved out once.
        let list = unsafe { ManuallyDrop::take(&mut this.list) };
        // INVARIANT: the caller promises the device is done; the CPU syncs before it looks.
        SgBounce {
            list,
            synced_for_cpu: false,
        }
    }
}

impl Drop for SgSubmitted {
    fn drop(&mut self) {
        // The list, its pages and the device reference are left as they are: the device may
        // still access them.
        let first = self.segments().next().map_or(0, |(addr, _)| addr);
        report_leak(first, self.list.pages.len() * PAGE_SIZE);
    }
}

/// The entries of a mapped list ([`SgSubmitted`], [`super::MappedRequest`]), as
/// `(address, length)`.
///
/// # Invariants
///
/// `next` is the next of `left` mapped entries of the table borrowed for `'a`.
pub struct Segments<'a> {
    next: *mut bindings::scatterlist,
    left: u32,
    _list: PhantomData<&'a bindings::sg_table>,
}

impl<'a> Segments<'a> {
    /// The mapped entries of `table`.
    ///
    /// # Safety
    ///
    /// `table` must be mapped by `dma_map_sgtable()` (its `nents` are the mapped entries) and
    /// stay mapped for `'a`.
    pub(super) unsafe fn new(table: &'a bindings::sg_table) -> Self {
        // INVARIANT: the first of the `nents` mapped entries of a table mapped for `'a`.
        Segments {
            next: table.sgl,
            left: table.nents,
            _list: PhantomData,
        }
    }
}

impl Iterator for Segments<'_> {
    type Item = (DmaAddress, usize);

    fn next(&mut self) -> Option<(DmaAddress, usize)> {
        if self.left == 0 || self.next.is_null() {
            return None;
        }
        let sg = self.next;
        // SAFETY: By the type invariants `sg` is a mapped entry of a live list.
        let item = unsafe {
            (
                bindings::dma_sg_address(sg),
                bindings::dma_sg_len(sg) as usize,
            )
        };
        self.left -= 1;
        // INVARIANT: `sg_next()` gives the next entry (or null past the last).
        // SAFETY: As above.
        self.next = unsafe { bindings::sg_next(sg) };
        Some(item)
    }
}

/// CPU read access to the pages of an [`SgBounce`], synced for the CPU.
///
/// # Invariants
///
/// `list` is the CPU's and synced for it.
#[must_use = "the guard gives access to the pages; dropping it at once is pointless"]
pub struct SgCpuAccess<'a> {
    list: &'a mut SgBounce,
}

impl SgCpuAccess<'_> {
    /// The bytes of page `i`, or `None` past the last page.
    #[inline]
    pub fn page(&self, i: usize) -> Option<&[u8]> {
        self.list.list.pages.get(i).map(DmaBuffer::dma_bytes)
    }
}

/// CPU write access to the pages of an [`SgBounce`] whose direction is not
/// [`DataDirection::FromDevice`], synced for the CPU.
///
/// # Invariants
///
/// `list` is the CPU's, synced for it, and not `FromDevice`.
#[must_use = "the guard gives access to the pages; dropping it at once is pointless"]
pub struct SgCpuAccessMut<'a> {
    list: &'a mut SgBounce,
}

impl SgCpuAccessMut<'_> {
    /// The bytes of page `i`, or `None` past the last page.
    #[inline]
    pub fn page(&self, i: usize) -> Option<&[u8]> {
        self.list.list.pages.get(i).map(DmaBuffer::dma_bytes)
    }

    /// The bytes of page `i`, writable, or `None` past the last page.
    #[inline]
    pub fn page_mut(&mut self, i: usize) -> Option<&mut [u8]> {
        self.list
            .list
            .pages
            .get_mut(i)
            .map(DmaBuffer::dma_bytes_mut)
    }
}
