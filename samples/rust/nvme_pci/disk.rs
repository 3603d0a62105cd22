// SPDX-License-Identifier: GPL-2.0

//! The controller as the disk sees it: requests in (`queue_rq`), completions out (the
//! interrupt thread), timeouts, and the counters.
//!
//! Locking: see `queue.rs`; the controller's own state is atomics (`dead`, the counters).

use crate::nvme::{self, reg, Admin, Caps, Regs};
use crate::params;
use crate::queue::{InFlight, IoQueue, Reaped, Submit};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use kernel::{
    block::mq::{Command as BlockCommand, Operations, Rejected, Request, TimedOut, TimeoutAction},
    device::Device,
    dma::{Attrs, Coherent, MappedRequest},
    irq,
    pci::EnabledDevice,
    prelude::*,
    sync::{Arc, ArcBorrow},
    types::ARef,
};

/// A namespace id no controller has, for the fault that makes a command fail.
const BAD_NSID: u32 = 0xffff_fff0;

/// What the driver counts, printed when the disk goes.
#[derive(Default)]
pub(crate) struct Counters {
    /// Commands given to the controller (requests and injected ones).
    pub(crate) submitted: AtomicU32,
    /// Commands completed, with or without error.
    pub(crate) completed: AtomicU32,
    /// Commands that completed with an error status.
    pub(crate) errors: AtomicU32,
    /// Bytes of requests completed without error.
    pub(crate) bytes: AtomicU64,
    /// Flush requests (the disk has a write cache).
    pub(crate) flushes: AtomicU32,
    /// Requests whose data went through bounce buffers.
    pub(crate) bounced: AtomicU32,
    /// Requests whose data could not be mapped (given back to the block layer).
    pub(crate) map_failures: AtomicU32,
    /// Commands that timed out.
    pub(crate) timeouts: AtomicU32,
    /// Completions for a command id the driver did not have in flight.
    pub(crate) stray: AtomicU32,
    /// Requests failed because the controller was stopped.
    pub(crate) aborted: AtomicU32,
    /// Interrupts handled (by the thread).
    pub(crate) interrupts: AtomicU32,
}

/// Faults the parameters ask for.
struct Faults {
    lost: u32,
    bad_nsid: u32,
}

/// The controller of a bound function, shared by the disk, the interrupt and the driver.
///
/// While it exists the controller may be running: its drop disables the controller before the
/// queues (whose memory the controller was given) are freed, and leaks them if the controller
/// does not stop.
pub(crate) struct Controller {
    pub(crate) regs: Arc<Regs>,
    pub(crate) caps: Caps,
    /// The enabled function: its bus mastering is turned off when the controller cannot be
    /// disabled.
    pci: EnabledDevice,
    dev: ARef<Device>,
    admin: Option<Admin>,
    /// A page for the data of admin commands (Identify); freed with the queues.
    scratch: Option<Coherent<[u8; 64]>>,
    queues: KVec<Pin<KBox<IoQueue>>>,
    pub(crate) nsid: u32,
    pub(crate) lba_shift: u32,
    /// Whether interrupts are masked through `INTMS`/`INTMC` (INTx and MSI, not MSI-X).
    intx_mask: bool,
    /// The controller was stopped after a timeout: every request fails.
    dead: AtomicBool,
    faults: Faults,
    pub(crate) counters: Counters,
}

impl Controller {
    /// A controller with its admin queues (it must be enabled and have them); the I/O queues
    /// come with [`Controller::add_queue`].
    pub(crate) fn new(
        pci: EnabledDevice,
        regs: Arc<Regs>,
        caps: Caps,
        admin: Admin,
        intx_mask: bool,
    ) -> Result<Controller> {
        let dev: ARef<Device> = pci.device().as_dev().into();
        let scratch = Coherent::alloc(&dev, nvme::PAGE / 64, GFP_KERNEL)?;
        Ok(Controller {
            regs,
            caps,
            pci,
            dev,
            admin: Some(admin),
            scratch: Some(scratch),
            queues: KVec::new(),
            nsid: 1,
            lba_shift: 9,
            intx_mask,
            dead: AtomicBool::new(false),
            faults: Faults {
                lost: params::get(&params::INJECT_LOST),
                bad_nsid: params::get(&params::INJECT_BAD_NSID),
            },
            counters: Counters::default(),
        })
    }

    /// The page for the data of admin commands: the controller may write it until it is
    /// disabled, so it lives as long as the controller object.
    pub(crate) fn scratch(&self) -> Result<&Coherent<[u8; 64]>> {
        self.scratch.as_ref().ok_or(ENODEV)
    }

    /// Sends an admin command and waits for it.
    pub(crate) fn admin(&self, cmd: nvme::Command) -> Result<u32> {
        self.admin
            .as_ref()
            .ok_or(ENODEV)?
            .run(&self.regs, &self.caps, cmd)
    }

    /// Creates I/O queue pair `qid` on the controller and keeps it.
    pub(crate) fn add_queue(&mut self, qid: u16, depth: u16) -> Result {
        let q = IoQueue::new(&self.dev, &self.caps, qid, depth)?;
        // Kept before the controller hears of it: from then on it may write to it.
        self.queues.push(q, GFP_KERNEL)?;
        let q = self.queues.last().ok_or(EINVAL)?;
        for cmd in q.create_commands() {
            self.admin(cmd)?;
        }
        Ok(())
    }

    /// The number of I/O queues.
    pub(crate) fn queue_count(&self) -> usize {
        self.queues.len()
    }

    /// Masks (`true`) or unmasks the controller's interrupt, where `INTMS`/`INTMC` apply.
    pub(crate) fn mask_interrupts(&self, mask: bool) {
        if self.intx_mask {
            let r = if mask { reg::INTMS } else { reg::INTMC };
            self.regs.write32(1, r);
        }
    }

    /// Counts what a reap did.
    fn account(&self, r: &Reaped) {
        let c = &self.counters;
        c.completed.fetch_add(r.done, Ordering::Relaxed);
        c.errors.fetch_add(r.errors, Ordering::Relaxed);
        c.stray.fetch_add(r.stray, Ordering::Relaxed);
        c.bytes.fetch_add(r.bytes, Ordering::Relaxed);
    }

    /// Ends whatever the controller has completed, on every queue; the number of completions.
    pub(crate) fn reap_all(&self) -> u32 {
        let mut done = 0;
        for q in self.queues.iter() {
            let r = q.reap(&self.regs);
            done += r.done;
            self.account(&r);
        }
        done
    }

    /// Sends a flush under a command id that no request can have (the fault `inject_stray_cid`):
    /// its completion must be ignored with a warning.
    pub(crate) fn send_stray(&self, cid: u16) -> Result {
        let q = self.queues.first().ok_or(EINVAL)?;
        self.counters.submitted.fetch_add(1, Ordering::Relaxed);
        let how = Submit {
            nsid: self.nsid,
            lba_shift: self.lba_shift,
            lost: false,
        };
        q.submit(&self.regs, &self.dead, InFlight::Driver, cid, how)
            .map_err(|(e, _)| e)
    }

    fn queue_rq(&self, hw_queue: u32, rq: ARef<Request<Disk>>) -> Result<(), Rejected<Disk>> {
        if self.dead.load(Ordering::Acquire) {
            return Err(Rejected::new(EIO, rq));
        }
        let Some(q) = self.queues.get(hw_queue as usize) else {
            return Err(Rejected::new(EIO, rq));
        };
        let Ok(cid) = u16::try_from(rq.tag()) else {
            return Err(Rejected::new(EIO, rq));
        };
        let what = match rq.command() {
            BlockCommand::Read | BlockCommand::Write => {
                match MappedRequest::map(&self.dev, rq, Attrs::MAY_BLOCK, GFP_NOIO) {
                    Ok(m) => {
                        if m.bounced().is_some() {
                            self.counters.bounced.fetch_add(1, Ordering::Relaxed);
                        }
                        InFlight::Data(m)
                    }
                    Err(e) => {
                        // Nothing is mapped: the block layer requeues the request (ENOMEM)
                        // or fails it whole; it is never partly transferred.
                        self.counters.map_failures.fetch_add(1, Ordering::Relaxed);
                        return Err(Rejected::new(e.error, e.value));
                    }
                }
            }
            BlockCommand::Flush => {
                self.counters.flushes.fetch_add(1, Ordering::Relaxed);
                InFlight::NoData(rq)
            }
            // The disk advertises no other command (no discard, no write zeroes).
            _ => return Err(Rejected::new(EIO, rq)),
        };
        let n = self.counters.submitted.fetch_add(1, Ordering::Relaxed) + 1;
        let nsid = if n == self.faults.bad_nsid {
            pr_info!("injected: command {} names namespace {:#x}\n", n, BAD_NSID);
            BAD_NSID
        } else {
            self.nsid
        };
        let lost = n == self.faults.lost;
        if lost {
            pr_info!("injected: command {} is kept from the controller\n", n);
        }
        let how = Submit {
            nsid,
            lba_shift: self.lba_shift,
            lost,
        };
        match q.submit(&self.regs, &self.dead, what, cid, how) {
            Ok(()) => Ok(()),
            Err((e, what)) => match what.into_request() {
                Some(rq) => Err(Rejected::new(e, rq)),
                None => Ok(()),
            },
        }
    }

    fn timeout(&self, rq: TimedOut<'_, Disk>) -> TimeoutAction {
        let Some(q) = self.queues.get(rq.hw_queue() as usize) else {
            return TimeoutAction::ResetTimer;
        };
        // A completion whose interrupt was lost ends the request here.
        self.reap_all();
        let tag = rq.tag();
        let Ok(cid) = u16::try_from(tag) else {
            return TimeoutAction::ResetTimer;
        };
        if !q.holds(cid, tag) {
            // Either it has ended (just now, or before), or it is still in `queue_rq`, waiting
            // for bounce buffers: then its time starts again, or it would never be seen again.
            return if rq.is_in_flight() {
                TimeoutAction::ResetTimer
            } else {
                TimeoutAction::Done
            };
        }
        self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
        pr_err!(
            "queue {}: command {} timed out after {} ms: stopping the controller\n",
            q.qid(),
            cid,
            params::get(&params::TIMEOUT_MS)
        );
        self.stop();
        TimeoutAction::Done
    }

    /// Disables the controller, or, if it does not stop (or reads as absent), turns its bus
    /// mastering off: either way it no longer touches memory afterwards.
    pub(crate) fn quiesce(&self) {
        if nvme::disable(&self.regs, &self.caps).is_err() {
            pr_err!("controller does not stop: bus mastering turned off\n");
            self.pci.clear_master();
        }
    }

    /// Stops the controller for good and fails every request in flight with `EIO`; later
    /// requests fail at once. The requests' mappings end only once the controller is
    /// quiesced ([`Controller::quiesce`]).
    pub(crate) fn stop(&self) {
        self.dead.store(true, Ordering::Release);
        self.quiesce();
        let n: u32 = self.queues.iter().map(|q| q.fail_all()).sum();
        self.counters.aborted.fetch_add(n, Ordering::Relaxed);
        pr_err!(
            "controller stopped: {} requests failed with EIO; the disk fails I/O until the driver is bound again\n",
            n
        );
    }

    /// The commands each I/O queue completed, `a/b/...`, for the unbind message.
    pub(crate) fn per_queue(&self) -> PerQueue<'_> {
        PerQueue(&self.queues)
    }
}

impl Drop for Controller {
    /// The queues and pages the controller was given are freed once it can no longer touch
    /// them.
    fn drop(&mut self) {
        self.quiesce();
    }
}

/// Prints the commands each I/O queue completed, separated by `/`.
pub(crate) struct PerQueue<'a>(&'a [Pin<KBox<IoQueue>>]);

impl core::fmt::Display for PerQueue<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, q) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            write!(f, "{}", q.completed())?;
        }
        Ok(())
    }
}

/// The disk's operations: requests go to the I/O queue of their hardware context.
pub(crate) struct Disk;

#[vtable]
impl Operations for Disk {
    type QueueData = Arc<Controller>;

    fn queue_rq(
        ctrl: ArcBorrow<'_, Controller>,
        hw_queue: u32,
        rq: ARef<Request<Self>>,
        _is_last: bool,
    ) -> Result<(), Rejected<Self>> {
        ctrl.queue_rq(hw_queue, rq)
    }

    fn commit_rqs(_ctrl: ArcBorrow<'_, Controller>, _hw_queue: u32) {}

    fn timeout(ctrl: ArcBorrow<'_, Controller>, rq: TimedOut<'_, Self>) -> TimeoutAction {
        ctrl.timeout(rq)
    }
}

/// The interrupt: the hard handler masks the controller's interrupt (INTx, MSI) and wakes the
/// thread, which ends the completed commands of every queue and unmasks it.
pub(crate) struct Interrupts {
    pub(crate) ctrl: Arc<Controller>,
}

impl irq::Handler for Interrupts {
    const THREADED: bool = true;

    fn handle_irq(&self) -> irq::IrqReturn {
        self.ctrl.mask_interrupts(true);
        irq::IrqReturn::WakeThread
    }

    fn handle_thread(&self) -> irq::IrqReturn {
        self.ctrl
            .counters
            .interrupts
            .fetch_add(1, Ordering::Relaxed);
        let done = self.ctrl.reap_all();
        self.ctrl.mask_interrupts(false);
        if done > 0 {
            irq::IrqReturn::Handled
        } else {
            irq::IrqReturn::None
        }
    }
}
