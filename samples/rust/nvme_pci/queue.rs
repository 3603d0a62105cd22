// SPDX-License-Identifier: GPL-2.0

//! I/O queue pairs: submitting a request's command, with its data as PRPs, and reaping
//! completions.
//!
//! Locking: each queue pair's state is behind a spinlock, taken in process context only: by
//! `queue_rq` (a blocking tag set), by the interrupt thread and by the block layer's timeout
//! work. Requests are mapped for DMA before the lock is taken (the map may wait for bounce
//! buffers), and ended after it is dropped (ending one may submit another: see
//! [`IoQueue::reap`]).

use crate::nvme::{opcode, Caps, Command, CompletionRing, Regs, CQE_DWORDS, PAGE, SQE_SIZE};
use crate::Disk;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::{
    block::mq::{Command as BlockCommand, Request},
    dma::{Coherent, DmaAddress, MappedRequest},
    new_spinlock,
    prelude::*,
    sync::SpinLock,
    types::ARef,
};

/// PRP entries in one PRP list page.
const PRPS_PER_PAGE: usize = PAGE / 8;

/// A command the controller has, and what it holds of the request.
pub(crate) enum InFlight {
    /// A read or write: its data is mapped.
    Data(MappedRequest<Disk>),
    /// A command without data (flush).
    NoData(ARef<Request<Disk>>),
    /// A command the driver sent for itself (a fault injected for tests), with no request.
    Driver,
}

impl InFlight {
    /// Ends the mapping, if any, and gives the request back.
    pub(crate) fn into_request(self) -> Option<ARef<Request<Disk>>> {
        match self {
            InFlight::Data(m) => Some(m.unmap()),
            InFlight::NoData(rq) => Some(rq),
            InFlight::Driver => None,
        }
    }

    fn tag_of(&self) -> Option<u32> {
        match self {
            InFlight::Data(m) => Some(m.request().tag()),
            InFlight::NoData(rq) => Some(rq.tag()),
            InFlight::Driver => None,
        }
    }
}

/// How a command is sent: to which namespace, in blocks of which size, and whether it is kept
/// from the controller (a fault injected for tests).
pub(crate) struct Submit {
    pub(crate) nsid: u32,
    pub(crate) lba_shift: u32,
    pub(crate) lost: bool,
}

/// What ending a command did, for the counters.
#[derive(Default)]
pub(crate) struct Reaped {
    /// Commands completed.
    pub(crate) done: u32,
    /// Of those, completed with an error status.
    pub(crate) errors: u32,
    /// Completions for no command the driver had sent.
    pub(crate) stray: u32,
    /// Bytes of the requests completed without error.
    pub(crate) bytes: u64,
}

struct Rings {
    sq: Coherent<[u8; SQE_SIZE]>,
    cq: CompletionRing,
    /// One PRP list page per command slot (slot = the request's tag).
    prps: Coherent<u64>,
    tail: u16,
    /// The command in each slot, indexed by command identifier.
    slots: KVec<Option<InFlight>>,
}

/// One I/O submission and completion queue pair.
#[pin_data]
pub(crate) struct IoQueue {
    qid: u16,
    depth: u16,
    sq_doorbell: usize,
    cq_doorbell: usize,
    /// Commands completed on the queue.
    completed: AtomicU32,
    #[pin]
    rings: SpinLock<Rings>,
}

impl IoQueue {
    /// Allocates queue pair `qid` with `depth` entries for `dev`; the controller is told about
    /// it by [`IoQueue::create_commands`].
    pub(crate) fn new(
        dev: &kernel::device::Device,
        caps: &Caps,
        qid: u16,
        depth: u16,
    ) -> Result<Pin<KBox<IoQueue>>> {
        let sq = Coherent::alloc(dev, depth.into(), GFP_KERNEL)?;
        let cq = Coherent::alloc(dev, usize::from(depth) * CQE_DWORDS, GFP_KERNEL)?;
        let prps = Coherent::alloc(dev, usize::from(depth) * PRPS_PER_PAGE, GFP_KERNEL)?;
        let mut slots = KVec::with_capacity(depth.into(), GFP_KERNEL)?;
        for _ in 0..depth {
            slots.push(None, GFP_KERNEL)?;
        }
        let rings = Rings {
            sq,
            cq: CompletionRing::new(cq, depth),
            prps,
            tail: 0,
            slots,
        };
        let (sq_doorbell, cq_doorbell) = (caps.doorbell(qid, false), caps.doorbell(qid, true));
        KBox::pin_init(
            pin_init!(IoQueue {
                qid,
                depth,
                sq_doorbell,
                cq_doorbell,
                completed: AtomicU32::new(0),
                rings <- new_spinlock!(rings, "rnvme:queue"),
            }),
            GFP_KERNEL,
        )
    }

    /// The admin commands that create the queue pair on the controller, completion queue
    /// first, both on interrupt vector 0.
    pub(crate) fn create_commands(&self) -> [Command; 2] {
        let r = self.rings.lock();
        let size = u32::from(self.qid) | (u32::from(self.depth - 1) << 16);
        [
            // Physically contiguous, interrupts enabled, vector 0.
            Command::new(opcode::CREATE_CQ, 0)
                .prps(r.cq.dma_address(), 0)
                .dword(10, size)
                .dword(11, 0b11),
            // Physically contiguous, completions to the queue of the same id.
            Command::new(opcode::CREATE_SQ, 0)
                .prps(r.sq.dma_address(), 0)
                .dword(10, size)
                .dword(11, 1 | (u32::from(self.qid) << 16)),
        ]
    }

    /// Builds the command of `what` under identifier `cid` as `how` says and gives it to the
    /// controller; a command `how` says is lost is kept as in flight but never given to it.
    ///
    /// Fails with `EIO` if the controller was stopped (`dead`, read under the queue's lock, so
    /// that a command is either failed here or by [`IoQueue::fail_all`], which takes the lock
    /// after `dead` is set), if the slot is taken or if the mapped segments break the PRP rules
    /// (which the queue limits and the device's `min_align_mask` rule out), giving `what` back.
    pub(crate) fn submit(
        &self,
        regs: &Regs,
        dead: &AtomicBool,
        what: InFlight,
        cid: u16,
        how: Submit,
    ) -> Result<(), (Error, InFlight)> {
        let Submit {
            nsid,
            lba_shift,
            lost,
        } = how;
        let mut guard = self.rings.lock();
        let r = &mut *guard;
        if dead.load(Ordering::Acquire) {
            return Err((EIO, what));
        }
        match r.slots.get(usize::from(cid)) {
            Some(None) => {}
            _ => {
                pr_err!(
                    "queue {}: command id {} is busy or out of range\n",
                    self.qid,
                    cid
                );
                return Err((EIO, what));
            }
        }
        let cmd = match &what {
            InFlight::Data(m) => {
                let rq = m.request();
                let op = if rq.command() == BlockCommand::Write {
                    opcode::WRITE
                } else {
                    opcode::READ
                };
                let (prp1, prp2) = match build_prps(m, &mut r.prps, cid) {
                    Ok(p) => p,
                    Err(e) => return Err((e, what)),
                };
                let slba = rq.sector() >> (lba_shift - 9);
                let blocks = rq.bytes() >> lba_shift;
                if blocks == 0 || blocks > 0x1_0000 {
                    return Err((EIO, what));
                }
                Command::new(op, nsid)
                    .prps(prp1, prp2)
                    .dword(10, slba as u32)
                    .dword(11, (slba >> 32) as u32)
                    .dword(12, blocks - 1)
            }
            InFlight::NoData(_) | InFlight::Driver => Command::new(opcode::FLUSH, nsid),
        };
        // A command of the driver's own is not recorded: its completion is one for an unknown
        // command id.
        if !matches!(what, InFlight::Driver) {
            if let Some(slot) = r.slots.get_mut(usize::from(cid)) {
                *slot = Some(what);
            }
        }
        if lost {
            return Ok(());
        }
        let tail = r.tail;
        // The slot is in range (checked above), so is the tail (always below the depth).
        let _ = r.sq.write(tail.into(), cmd.cid(cid).bytes());
        r.tail = (tail + 1) % self.depth;
        // The entry is in coherent memory before the doorbell: MMIO writes are ordered after
        // the CPU's earlier writes to memory.
        if regs.try_write32(r.tail.into(), self.sq_doorbell).is_err() {
            pr_err!("queue {}: doorbell beyond the BAR\n", self.qid);
        }
        Ok(())
    }

    /// Ends every command the controller has completed on this queue, with its status.
    ///
    /// Each completion is taken off the ring under the lock, then its request is unmapped and
    /// ended without it: ending a request may submit another on this queue (a stacked driver
    /// that resubmits from its completion), which takes the lock. Such a submission, run on
    /// the interrupt thread, may wait there for bounce buffers that only the completions this
    /// thread has not reaped yet would free: it then waits until the block layer's timeout
    /// reaps them (`Controller::timeout`), or the wait's own time limit.
    pub(crate) fn reap(&self, regs: &Regs) -> Reaped {
        let mut out = Reaped::default();
        loop {
            let (c, what) = {
                let mut r = self.rings.lock();
                let Some(c) = r.cq.next() else {
                    if out.done > 0 {
                        let head = r.cq.head();
                        if regs.try_write32(head.into(), self.cq_doorbell).is_err() {
                            pr_err!("queue {}: doorbell beyond the BAR\n", self.qid);
                        }
                    }
                    return out;
                };
                let what = r.slots.get_mut(usize::from(c.cid)).and_then(Option::take);
                (c, what)
            };
            out.done += 1;
            self.completed.fetch_add(1, Ordering::Relaxed);
            let Some(what) = what else {
                out.stray += 1;
                pr_warn!(
                    "queue {}: completion for unknown command id {} (status {:#x}): ignored\n",
                    self.qid,
                    c.cid,
                    c.status
                );
                continue;
            };
            if c.status != 0 {
                out.errors += 1;
                pr_warn!(
                    "queue {}: command {} failed with status {:#x}\n",
                    self.qid,
                    c.cid,
                    c.status
                );
            }
            let Some(rq) = what.into_request() else {
                continue;
            };
            let result = if c.status == 0 {
                out.bytes += u64::from(rq.bytes());
                Ok(())
            } else {
                Err(EIO)
            };
            if Request::end(rq, result).is_err() {
                pr_err!(
                    "queue {}: request {} still referenced: not ended\n",
                    self.qid,
                    c.cid
                );
            }
        }
    }

    /// Whether the command in slot `cid` is the request of tag `tag` (still in flight).
    pub(crate) fn holds(&self, cid: u16, tag: u32) -> bool {
        let r = self.rings.lock();
        matches!(r.slots.get(usize::from(cid)), Some(Some(w)) if w.tag_of() == Some(tag))
    }

    /// Ends every command still in flight with `EIO`. Only once the controller is disabled
    /// (it no longer touches the data): the mappings end here. Each is taken off its slot under
    /// the lock and ended without it, as in [`IoQueue::reap`].
    pub(crate) fn fail_all(&self) -> u32 {
        let mut n = 0;
        loop {
            let what = {
                let mut r = self.rings.lock();
                r.slots.iter_mut().find_map(Option::take)
            };
            let Some(what) = what else {
                return n;
            };
            if let Some(rq) = what.into_request() {
                n += 1;
                if Request::end(rq, Err(EIO)).is_err() {
                    pr_err!("queue {}: a failed request is still referenced\n", self.qid);
                }
            }
        }
    }

    /// The commands completed on the queue so far.
    pub(crate) fn completed(&self) -> u32 {
        self.completed.load(Ordering::Relaxed)
    }

    /// The queue's identifier.
    pub(crate) fn qid(&self) -> u16 {
        self.qid
    }
}

/// Writes the PRPs of a mapped request: the first address in PRP1; the next page in PRP2, or,
/// for more than two pages, the list of the rest in the slot's PRP page, whose address goes
/// in PRP2.
///
/// PRP rules: every segment but the first starts on a page, every segment but the last ends
/// on one. Fails with `EIO` if the segments break them.
fn build_prps(
    m: &MappedRequest<Disk>,
    prps: &mut Coherent<u64>,
    cid: u16,
) -> Result<(DmaAddress, DmaAddress)> {
    let page = PAGE as u64;
    let base = usize::from(cid) * PRPS_PER_PAGE;
    let mut prp1 = None;
    let mut second = 0;
    let mut n = 0usize;
    let mut end_aligned = true;
    for (addr, len) in m.segments() {
        let len = len as u64;
        if len == 0 || !end_aligned {
            return Err(EIO);
        }
        let mut next = match prp1 {
            None => {
                prp1 = Some(addr);
                (addr | (page - 1)) + 1
            }
            Some(_) if addr % page != 0 => return Err(EIO),
            Some(_) => addr,
        };
        let end = addr + len;
        while next < end {
            if n == 0 {
                second = next;
            }
            if n >= PRPS_PER_PAGE {
                return Err(EIO);
            }
            prps.write(base + n, next.to_le())?;
            n += 1;
            next += page;
        }
        end_aligned = end % page == 0;
    }
    let prp1 = prp1.ok_or(EIO)?;
    let prp2 = match n {
        0 => 0,
        1 => second,
        _ => prps.dma_address_of(base)?,
    };
    Ok((prp1, prp2))
}
