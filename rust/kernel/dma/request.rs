// SPDX-License-Identifier: GPL-2.0

//! [`MappedRequest`]: the data of a block request, mapped for its device.

use super::{sg::Segments, Attrs, DataDirection, MapError};
use crate::{
    alloc::Flags,
    bindings,
    block::mq::{Command, Operations, Request},
    device::Device,
    error::{code::*, Error},
    types::ARef,
};

/// The pages of a blk-mq request, mapped for streaming DMA as one scatter-gather list.
///
/// It holds the request: the request cannot end while its data is mapped, and ending the
/// mapping ([`MappedRequest::unmap`]) gives it back. A read request is mapped
/// [`DataDirection::FromDevice`], a write [`DataDirection::ToDevice`]; other commands carry no
/// pages and are refused. On a device whose mappings bounce, a write's data is in the bounce
/// buffers once the mapping exists, and a read's data reaches the request's pages when the
/// mapping ends.
///
/// Who may touch the bytes: the pages belong to the block layer (the page cache, or a user's
/// buffer for direct I/O), never to the driver: a `MappedRequest` gives the device's view only
/// ([`MappedRequest::segments`]) and no CPU access at all, so no Rust reference to the data
/// exists while the device may write it. That is why ending the mapping is not `unsafe`, where
/// [`super::Submitted::complete`] is: `complete` gives the CPU the very bytes the device may
/// still be writing (a data race on a Rust reference if the driver is wrong), while `unmap`
/// gives back only the request, whose pages Rust code never references. A device that goes
/// on writing after the unmap writes into a bounce slot the swiotlb may have given to another
/// mapping (whose bytes reach its owner only through a later copy into that owner's buffer)
/// or, unbounced, into the block layer's pages: corrupt data, as with a C driver that unmaps
/// early, but no Rust reference changed behind its back. So the driver ends the mapping when
/// the device says it is done (the command's completion), and a driver that cannot tell (a
/// command that timed out) stops the device first (`CC.EN = 0` for NVMe). Dropping a
/// `MappedRequest` unmaps in the same way.
///
/// Segments: the list has one entry per physical segment of the request, as the block layer
/// built it under the queue's limits ([`crate::block::mq::gen_disk::GenDiskBuilder`]); each
/// entry bounces on its own. With a device's `min_align_mask` ([`crate::pci::DmaConfig`]), a
/// bounced entry starts at the same offset in a device page as its original, so limits such
/// as NVMe's virtual boundary still hold for the addresses the device sees.
///
/// Waiting: with [`Attrs::MAY_BLOCK`], from a blocking queue's `queue_rq`, a map that finds
/// the bounce pools full waits for room (all entries at once on a device whose every mapping
/// bounces); a map that fails after that (`ENOMEM`) leaves nothing mapped: returning the
/// error from `queue_rq` makes the block layer requeue the request, so a request is never
/// partly transferred.
///
/// # Invariants
///
/// - `table` was allocated with `alloc_nents` entries, filled with the request's segments
///   (`orig_nents` of them) and, once `map` has returned (`mapped` is then true), mapped for
///   `dev` with `dir` and `attrs` by `dma_map_sgtable()`; it is unmapped and freed only by
///   `unmap_table`, once.
/// - `rq` is the request whose pages `table` maps; the driver owns it (it is started and not
///   ended: ending it takes this `ARef`).
pub struct MappedRequest<T: Operations> {
    rq: ARef<Request<T>>,
    dev: ARef<Device>,
    table: bindings::sg_table,
    alloc_nents: u32,
    dir: DataDirection,
    attrs: Attrs,
    mapped: bool,
}

// SAFETY: The table is owned by the mapping; the C functions used on it may be called from any
// thread, and the request and device references may move between threads.
unsafe impl<T: Operations> Send for MappedRequest<T> {}

// SAFETY: Through `&self` the table is only read.
unsafe impl<T: Operations> Sync for MappedRequest<T> {}

impl<T: Operations> MappedRequest<T> {
    /// Maps the data of `rq` for `dev`, with `attrs` (the direction comes from the request's
    /// command); `flags` is for the table of entries (`GFP_NOIO` in `queue_rq`).
    ///
    /// Fails with `EINVAL` for a request without data pages (flush, discard, ...), `ENOMEM`
    /// without memory for the table or the bounce buffers (after the wait, with
    /// [`Attrs::MAY_BLOCK`]), and the DMA layer's other errors (`EIO`: the device cannot reach
    /// a bounce buffer); the request comes back in the error, still the driver's.
    ///
    /// Context: process context with [`Attrs::MAY_BLOCK`] or sleeping `flags`; otherwise any.
    pub fn map(
        dev: &Device,
        rq: ARef<Request<T>>,
        attrs: Attrs,
        flags: Flags,
    ) -> Result<Self, MapError<ARef<Request<T>>>> {
        let dir = match rq.command() {
            Command::Read => DataDirection::FromDevice,
            Command::Write => DataDirection::ToDevice,
            _ => {
                return Err(MapError {
                    error: EINVAL,
                    value: rq,
                })
            }
        };
        let nents = u32::from(rq.nr_phys_segments());
        if nents == 0 || rq.bytes() == 0 {
            return Err(MapError {
                error: EINVAL,
                value: rq,
            });
        }
        if attrs.contains(Attrs::MAY_BLOCK) {
            // SAFETY: `might_sleep()` only checks the context.
            unsafe { bindings::dma_might_sleep() };
        }
        let mut table = bindings::sg_table::default();
        // SAFETY: `table` is a zeroed table; `nents` is not 0.
        let ret = unsafe { bindings::sg_alloc_table(&mut table, nents, flags.as_raw()) };
        if ret != 0 {
            return Err(MapError {
                error: Error::from_errno(ret),
                value: rq,
            });
        }
        // INVARIANT: the table is allocated; it is filled and mapped below, and `Drop` frees
        // whatever of that was done.
        let mut this = MappedRequest {
            rq,
            dev: dev.into(),
            table,
            alloc_nents: nents,
            dir,
            attrs,
            mapped: false,
        };
        let mut last: *mut bindings::scatterlist = core::ptr::null_mut();
        // SAFETY: The request is live and the driver's; its queue is live; the table has room
        // for `nr_phys_segments` entries, as many as the block layer made segments.
        let count = unsafe {
            bindings::__blk_rq_map_sg(
                (*this.rq.as_raw()).q,
                this.rq.as_raw(),
                this.table.sgl,
                &mut last,
            )
        };
        if count <= 0 || count as u32 > nents {
            return Err(this.into_error(EINVAL));
        }
        this.table.orig_nents = count as u32;
        // SAFETY: `dev` is a live device; the table holds `count` entries over the request's
        // pages, which stay allocated while the driver owns the request (as long as `this`).
        let ret = unsafe {
            bindings::dma_map_sgtable(
                this.dev.as_raw(),
                &mut this.table,
                dir.as_raw(),
                attrs.as_raw(),
            )
        };
        if ret != 0 {
            return Err(this.into_error(Error::from_errno(ret)));
        }
        this.mapped = true;
        Ok(this)
    }

    /// Frees what `map` made and gives the request back with `error`.
    fn into_error(self, error: Error) -> MapError<ARef<Request<T>>> {
        let rq = self.unmap();
        MapError { error, value: rq }
    }

    /// The mapped segments as the device sees them, `(address, length)`, in order.
    pub fn segments(&self) -> Segments<'_> {
        // SAFETY: By the type invariants the table is mapped (a `MappedRequest` exists only
        // mapped) and lives as long as the borrow.
        unsafe { Segments::new(&self.table) }
    }

    /// The request.
    pub fn request(&self) -> &Request<T> {
        &self.rq
    }

    /// Where the first segment's bounce buffer is, or `None` if the device reaches the
    /// request's pages directly. (Entries bounce one by one; on a device whose every mapping
    /// bounces, all of them do.)
    pub fn bounced(&self) -> Option<super::PoolKind> {
        let (addr, _) = self.segments().next()?;
        super::bounce::bounce_kind(&self.dev, addr)
    }

    /// The direction of the mapping.
    pub fn direction(&self) -> DataDirection {
        self.dir
    }

    /// Ends the mapping and gives the request back, to be ended. A read's data reaches the
    /// request's pages here (copied out of the bounce buffers).
    ///
    /// Call it once the device has finished with the data (see the type's documentation for
    /// why this is not `unsafe`).
    ///
    /// Context: any.
    pub fn unmap(self) -> ARef<Request<T>> {
        let mut this = core::mem::ManuallyDrop::new(self);
        this.unmap_table();
        // SAFETY: `this` is never used or dropped again; each field is moved out once (the
        // table was freed above and holds no ownership any more).
        let (rq, dev) = unsafe { (core::ptr::read(&this.rq), core::ptr::read(&this.dev)) };
        drop(dev);
        rq
    }

    /// Unmaps (if mapped) and frees the table.
    fn unmap_table(&mut self) {
        if self.mapped {
            // SAFETY: By the type invariants the table is mapped for `dev` with `dir` and
            // `attrs`; the device is done with it (`unmap`, `drop`).
            unsafe {
                bindings::dma_unmap_sgtable(
                    self.dev.as_raw(),
                    &mut self.table,
                    self.dir.as_raw(),
                    self.attrs.as_raw(),
                )
            };
            self.mapped = false;
        }
        // The table is freed with as many entries as it was allocated with.
        self.table.orig_nents = self.alloc_nents;
        // SAFETY: The table was allocated by `sg_alloc_table()` and is freed once: `sgl` is
        // null afterwards.
        unsafe { bindings::sg_free_table(&mut self.table) };
        self.table.sgl = core::ptr::null_mut();
    }
}

impl<T: Operations> Drop for MappedRequest<T> {
    /// Ends the mapping; the request stays the driver's, unended, until the `ARef` held here
    /// is gone: the block layer's timeout then deals with it.
    fn drop(&mut self) {
        if !self.table.sgl.is_null() {
            self.unmap_table();
        }
    }
}
