// SPDX-License-Identifier: GPL-2.0

//! The simulated NVMe-like controller: the "hardware" of the sample.
//!
//! It knows each queue pair only by what the driver programmed into its registers (the device
//! addresses of the submission and completion rings and their size) and by its doorbells. On a
//! submission doorbell its work item fetches the new commands from the ring, moves the data
//! between the buffers the commands name and its backing store, posts completions with the
//! phase bit flipped on each wrap, and raises the queue's interrupt (a call into the driver).
//! Every byte it reads or writes goes through a device address ([`TestDevice::dma_read`],
//! [`TestDevice::dma_write`]), as a DMA engine would: it never sees the driver's buffers, only
//! the bounce buffers their mappings point at.
//!
//! The controller also keeps the data mapping of each command in flight: the driver hands it a
//! [`Submitted`] mapping with the command ([`Controller::attach`]) and takes it back, the CPU's
//! again, with the completion ([`Controller::take`]). The hardware knows when it is done with
//! a buffer; in a real driver this is where the one `unsafe` call, [`Submitted::complete`],
//! would be, justified by the completion entry. Here it lives in the hardware model, which
//! checks that a command only names the mapping attached to it, so the driver needs no
//! `unsafe` at all.

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::{
    bindings, c_str,
    dma::{DmaAddress, DmaBounce, Submitted, TestDevice},
    impl_has_work, new_mutex, new_spinlock, new_work,
    prelude::*,
    sync::{Arc, Mutex, SpinLock},
    types::{AsBytes, FromBytes},
    workqueue::{self, Work, WorkItem},
};

/// Bytes of a submission queue entry.
pub(crate) const SQE_SIZE: usize = 64;
/// Bytes of a completion queue entry.
pub(crate) const CQE_SIZE: usize = 16;

/// Opcode: write the data at the command's address to the store.
pub(crate) const OP_WRITE: u8 = 0x01;
/// Opcode: read from the store into the command's address.
pub(crate) const OP_READ: u8 = 0x02;

/// Status: success.
pub(crate) const STATUS_OK: u16 = 0x0;
/// Status: unknown opcode.
const STATUS_INVALID_OPCODE: u16 = 0x1;
/// Status: offset or length out of range.
const STATUS_INVALID_FIELD: u16 = 0x2;
/// Status: the data transfer failed.
const STATUS_TRANSFER_ERROR: u16 = 0x4;

/// A submission queue entry, as the driver writes it to the ring: opcode at byte 0, command id
/// at 2, data address at 24, store offset at 40, length at 48; little endian, as NVMe.
///
/// The controller reads it as bytes, through DMA: no Rust code reads its fields.
#[derive(Clone, Copy)]
#[repr(C)]
#[allow(dead_code)]
pub(crate) struct Sqe {
    opcode: u8,
    flags: u8,
    cid: u16,
    rsvd1: [u32; 5],
    addr: u64,
    rsvd2: u64,
    offset: u64,
    len: u32,
    rsvd3: [u32; 3],
}

// SAFETY: `Sqe` is made of integers, laid out without padding (64 bytes, checked below): any
// bytes are a valid `Sqe`.
unsafe impl FromBytes for Sqe {}
// SAFETY: As above: no padding, no pointer.
unsafe impl AsBytes for Sqe {}

/// A completion queue entry, as the controller posts it: command id at byte 12, status and
/// phase at 14 (phase in bit 0); little endian.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct Cqe {
    pub(crate) _rsvd: [u32; 3],
    pub(crate) cid: u16,
    pub(crate) status_phase: u16,
}

// SAFETY: `Cqe` is made of integers, laid out without padding (16 bytes, checked below).
unsafe impl FromBytes for Cqe {}
// SAFETY: As above.
unsafe impl AsBytes for Cqe {}

const _: () = {
    assert!(core::mem::size_of::<Sqe>() == SQE_SIZE);
    assert!(core::mem::size_of::<Cqe>() == CQE_SIZE);
};

impl Sqe {
    /// A command moving `len` bytes between the store at `offset` and the buffer at `addr`.
    pub(crate) fn new(opcode: u8, cid: u16, addr: DmaAddress, offset: u64, len: u32) -> Sqe {
        Sqe {
            opcode,
            flags: 0,
            cid: cid.to_le(),
            rsvd1: [0; 5],
            addr: addr.to_le(),
            rsvd2: 0,
            offset: offset.to_le(),
            len: len.to_le(),
            rsvd3: [0; 3],
        }
    }
}

/// A command, as the controller decodes it from the bytes it fetched.
#[derive(Clone, Copy)]
struct Command {
    opcode: u8,
    cid: u16,
    addr: DmaAddress,
    offset: u64,
    len: u32,
}

impl Command {
    fn decode(b: &[u8; SQE_SIZE]) -> Command {
        let mut cid = [0u8; 2];
        let mut addr = [0u8; 8];
        let mut offset = [0u8; 8];
        let mut len = [0u8; 4];
        cid.copy_from_slice(&b[2..4]);
        addr.copy_from_slice(&b[24..32]);
        offset.copy_from_slice(&b[40..48]);
        len.copy_from_slice(&b[48..52]);
        Command {
            opcode: b[0],
            cid: u16::from_le_bytes(cid),
            addr: DmaAddress::from_le_bytes(addr),
            offset: u64::from_le_bytes(offset),
            len: u32::from_le_bytes(len),
        }
    }
}

/// A completion, as the controller encodes it.
struct Completion {
    cid: u16,
    status: u16,
    phase: bool,
}

impl Completion {
    fn encode(&self) -> [u8; CQE_SIZE] {
        let mut b = [0u8; CQE_SIZE];
        b[12..14].copy_from_slice(&self.cid.to_le_bytes());
        b[14..16].copy_from_slice(&((self.status << 1) | u16::from(self.phase)).to_le_bytes());
        b
    }
}

/// The driver side of an interrupt line.
pub(crate) trait Interrupt: Send + Sync {
    /// Queue `qid` posted completions.
    fn interrupt(&self, qid: usize);
}

/// What the whole controller shares: the device and the backing store.
#[pin_data]
struct Shared {
    dev: TestDevice,
    #[pin]
    store: Mutex<KVec<u8>>,
    latency_us: u32,
}

/// Where a queue pair stands, as the controller sees it: for reports of a stalled driver.
pub(crate) struct QueueView {
    /// The last submission doorbell.
    pub(crate) sq_doorbell: u32,
    /// The next command the controller fetches.
    pub(crate) sq_head: u32,
    /// The next completion the controller posts.
    pub(crate) cq_tail: u32,
}

/// The data mapping of a command id, as the controller holds it.
enum DataSlot {
    /// No command uses the id.
    Free,
    /// The command's mapping, the device's: the command may be in flight.
    Attached(Submitted),
    /// The command completed: the mapping is the CPU's again, for the driver to take.
    Done(DmaBounce),
}

/// Where the controller is in a queue pair; only its work item touches this.
struct Progress {
    sq_head: u32,
    cq_tail: u32,
    phase: bool,
}

#[pin_data]
struct HwQueue {
    qid: usize,
    shared: Arc<Shared>,
    sq_base: DmaAddress,
    cq_base: DmaAddress,
    entries: u32,
    sq_tail: AtomicU32,
    cq_head: AtomicU32,
    /// Copies of `progress.sq_head` and `progress.cq_tail`, readable without the mutex.
    seen_sq_head: AtomicU32,
    seen_cq_tail: AtomicU32,
    #[pin]
    progress: Mutex<Progress>,
    #[pin]
    irq: SpinLock<Option<Arc<dyn Interrupt>>>,
    /// The data mapping of each command id.
    #[pin]
    data: SpinLock<KVec<DataSlot>>,
    /// Set by [`Controller::quiesce`]: the queue fetches no more commands.
    stopped: AtomicBool,
    #[pin]
    work: Work<HwQueue>,
}

impl_has_work! {
    impl HasWork<Self> for HwQueue { self.work }
}

impl WorkItem for HwQueue {
    type Pointer = Arc<HwQueue>;

    fn run(this: Arc<HwQueue>) {
        this.process();
    }
}

impl HwQueue {
    /// Runs the commands between the controller's head and the doorbell.
    fn process(&self) {
        let mut p = self.progress.lock();
        while p.sq_head != self.sq_tail.load(Ordering::Acquire) {
            if self.stopped.load(Ordering::SeqCst) {
                return;
            }
            // A full completion ring waits for the driver's completion doorbell.
            if (p.cq_tail + 1) % self.entries == self.cq_head.load(Ordering::Acquire) {
                break;
            }
            let mut raw = [0u8; SQE_SIZE];
            let at = self.sq_base + u64::from(p.sq_head) * SQE_SIZE as u64;
            // SAFETY: The driver programmed `sq_base` as a ring of `entries` commands in memory
            // of this device; the entry at the head was published by the doorbell.
            if unsafe { self.shared.dev.dma_read(at, &mut raw) }.is_err() {
                pr_err!(
                    "nvme-bounce: queue {}: cannot fetch command {}\n",
                    self.qid,
                    p.sq_head
                );
                return;
            }
            p.sq_head = (p.sq_head + 1) % self.entries;
            let cmd = Command::decode(&raw);
            let status = self.execute(&cmd);
            self.done_with(cmd.cid);
            if self.shared.latency_us > 0 {
                let us = self.shared.latency_us as usize;
                // SAFETY: A work item may sleep.
                unsafe {
                    bindings::usleep_range_state(
                        us,
                        us + us / 4 + 10,
                        bindings::TASK_UNINTERRUPTIBLE,
                    )
                };
            }
            let cqe = Completion {
                cid: cmd.cid,
                status,
                phase: p.phase,
            };
            let at = self.cq_base + u64::from(p.cq_tail) * CQE_SIZE as u64;
            // SAFETY: As for the submission ring; the slot at the tail is free (checked above).
            if unsafe { self.shared.dev.dma_write(at, &cqe.encode()) }.is_err() {
                pr_err!(
                    "nvme-bounce: queue {}: cannot post a completion\n",
                    self.qid
                );
                return;
            }
            p.cq_tail = (p.cq_tail + 1) % self.entries;
            if p.cq_tail == 0 {
                p.phase = !p.phase;
            }
            self.seen_sq_head.store(p.sq_head, Ordering::Relaxed);
            self.seen_cq_tail.store(p.cq_tail, Ordering::Relaxed);
            self.raise();
        }
    }

    /// Whether `cmd` names exactly the mapping attached to its command id.
    fn names_its_mapping(&self, cmd: &Command) -> bool {
        let data = self.data.lock();
        match data.get(usize::from(cmd.cid)) {
            Some(DataSlot::Attached(map)) => {
                map.dma_address() == cmd.addr && map.len() == cmd.len as usize
            }
            _ => false,
        }
    }

    /// The command with id `cid` is over: the controller no longer touches its mapping.
    fn done_with(&self, cid: u16) {
        let mut data = self.data.lock();
        if let Some(slot) = data.get_mut(usize::from(cid)) {
            *slot = match core::mem::replace(slot, DataSlot::Free) {
                // SAFETY: The controller reaches a mapping only through a command of its id that
                // names it (`names_its_mapping`), while it executes that command; this one is
                // over, and the id's next command cannot pass the check until the driver
                // attaches a mapping again, after taking this one back.
                DataSlot::Attached(map) => DataSlot::Done(unsafe { map.complete() }),
                other => other,
            };
        }
    }

    /// Moves the data of `cmd` between its buffer and the store.
    fn execute(&self, cmd: &Command) -> u16 {
        if !self.names_its_mapping(cmd) {
            return STATUS_INVALID_FIELD;
        }
        let mut store = self.shared.store.lock();
        let len = cmd.len as usize;
        let Some(range) = usize::try_from(cmd.offset)
            .ok()
            .and_then(|off| Some(off..off.checked_add(len)?))
            .filter(|r| len > 0 && r.end <= store.len())
        else {
            return STATUS_INVALID_FIELD;
        };
        let moved = match cmd.opcode {
            // SAFETY: `cmd.addr` and `len` are those of the submitted mapping attached to the
            // command (checked above), which stays attached until `done_with`, after this.
            OP_WRITE => unsafe { self.shared.dev.dma_read(cmd.addr, &mut store[range]) },
            // SAFETY: As above.
            OP_READ => unsafe { self.shared.dev.dma_write(cmd.addr, &store[range]) },
            _ => return STATUS_INVALID_OPCODE,
        };
        match moved {
            Ok(()) => STATUS_OK,
            Err(_) => STATUS_TRANSFER_ERROR,
        }
    }

    fn raise(&self) {
        let handler = self.irq.lock().clone();
        if let Some(handler) = handler {
            handler.interrupt(self.qid);
        }
    }
}

/// The controller: a test device whose every mapping bounces, a backing store and its queues.
pub(crate) struct Controller {
    shared: Arc<Shared>,
    queues: KVec<Arc<HwQueue>>,
}

impl Controller {
    /// A controller with a bounce pool of `pool_bytes` and a store of `store_bytes`, taking
    /// `latency_us` per command.
    pub(crate) fn new(pool_bytes: usize, store_bytes: usize, latency_us: u32) -> Result<Self> {
        let dev = TestDevice::new(c_str!("nvme-bounce"), pool_bytes)?;
        let mut store = KVec::new();
        store.extend_with(store_bytes, 0u8, GFP_KERNEL)?;
        let shared = Arc::pin_init(
            pin_init!(Shared {
                dev,
                store <- new_mutex!(store),
                latency_us,
            }),
            GFP_KERNEL,
        )?;
        Ok(Controller {
            shared,
            queues: KVec::new(),
        })
    }

    /// The device, for the driver's mappings and ring memory.
    pub(crate) fn device(&self) -> &TestDevice {
        &self.shared.dev
    }

    /// Programs a queue pair of `entries` entries with rings at `sq_base` and `cq_base`.
    pub(crate) fn create_queue(
        &mut self,
        sq_base: DmaAddress,
        cq_base: DmaAddress,
        entries: u32,
    ) -> Result<usize> {
        if entries < 2 {
            return Err(EINVAL);
        }
        let qid = self.queues.len();
        let shared = self.shared.clone();
        let mut data = KVec::with_capacity(entries as usize, GFP_KERNEL)?;
        for _ in 0..entries {
            data.push(DataSlot::Free, GFP_KERNEL)?;
        }
        let queue = Arc::pin_init(
            pin_init!(HwQueue {
                qid,
                shared,
                sq_base,
                cq_base,
                entries,
                sq_tail: AtomicU32::new(0),
                cq_head: AtomicU32::new(0),
                seen_sq_head: AtomicU32::new(0),
                seen_cq_tail: AtomicU32::new(0),
                progress <- new_mutex!(Progress { sq_head: 0, cq_tail: 0, phase: true }),
                irq <- new_spinlock!(None),
                data <- new_spinlock!(data),
                stopped: AtomicBool::new(false),
                work <- new_work!("nvme_bounce::HwQueue::work"),
            }),
            GFP_KERNEL,
        )?;
        self.queues.push(queue, GFP_KERNEL)?;
        Ok(qid)
    }

    /// Routes the interrupt of queue `qid` to `handler` (`None` disconnects it).
    pub(crate) fn connect(&self, qid: usize, handler: Option<Arc<dyn Interrupt>>) {
        if let Some(q) = self.queues.get(qid) {
            *q.irq.lock() = handler;
        }
    }

    /// Gives the controller the data mapping of command `cid` of queue `qid`, before the
    /// doorbell that submits the command. Fails, giving the mapping back, if the id already
    /// holds one (or does not exist).
    pub(crate) fn attach(&self, qid: usize, cid: u16, map: Submitted) -> Result<(), Submitted> {
        let Some(q) = self.queues.get(qid) else {
            return Err(map);
        };
        let mut data = q.data.lock();
        match data.get_mut(usize::from(cid)) {
            Some(slot @ DataSlot::Free) => {
                *slot = DataSlot::Attached(map);
                Ok(())
            }
            _ => Err(map),
        }
    }

    /// Takes back the data mapping of command `cid` of queue `qid`, the CPU's again, once the
    /// command has completed; `None` if it has not (or there is none).
    pub(crate) fn take(&self, qid: usize, cid: u16) -> Option<DmaBounce> {
        let q = self.queues.get(qid)?;
        let mut data = q.data.lock();
        let slot = data.get_mut(usize::from(cid))?;
        match core::mem::replace(slot, DataSlot::Free) {
            DataSlot::Done(map) => Some(map),
            other => {
                *slot = other;
                None
            }
        }
    }

    /// Stops the controller: no command is fetched or executed from now on, the work in
    /// progress is waited for, and the mappings of commands that will never run are given back
    /// to the CPU and unmapped. Call it before the rings go.
    ///
    /// Context: process context: sleeps.
    pub(crate) fn quiesce(&self) {
        for q in self.queues.iter() {
            q.stopped.store(true, Ordering::SeqCst);
            // SAFETY: `q.work` is an initialised work item, alive as long as `q`.
            unsafe { bindings::flush_work(Work::raw_get(&q.work)) };
            // A run queued later sees `stopped` before it fetches anything: the controller no
            // longer touches any mapping.
            for qslot in q.data.lock().iter_mut() {
                if let DataSlot::Attached(map) = core::mem::replace(qslot, DataSlot::Free) {
                    // SAFETY: The controller is stopped and its work flushed: nothing reaches
                    // the mapping any more.
                    drop(unsafe { map.complete() });
                }
            }
        }
    }

    /// The submission doorbell of queue `qid`: commands up to `tail` are there.
    pub(crate) fn ring_sq(&self, qid: usize, tail: u32) {
        if let Some(q) = self.queues.get(qid) {
            if q.stopped.load(Ordering::SeqCst) {
                return;
            }
            q.sq_tail.store(tail, Ordering::Release);
            // Already queued is fine: the run in progress or pending sees the new tail.
            let _ = workqueue::system().enqueue(q.clone());
        }
    }

    /// Where queue `qid` stands (all zero for a queue that does not exist).
    pub(crate) fn queue_state(&self, qid: usize) -> QueueView {
        match self.queues.get(qid) {
            Some(q) => QueueView {
                sq_doorbell: q.sq_tail.load(Ordering::Relaxed),
                sq_head: q.seen_sq_head.load(Ordering::Relaxed),
                cq_tail: q.seen_cq_tail.load(Ordering::Relaxed),
            },
            None => QueueView {
                sq_doorbell: 0,
                sq_head: 0,
                cq_tail: 0,
            },
        }
    }

    /// The completion doorbell of queue `qid`: completions before `head` were consumed.
    pub(crate) fn ring_cq(&self, qid: usize, head: u32) {
        if let Some(q) = self.queues.get(qid) {
            q.cq_head.store(head, Ordering::Release);
            if q.stopped.load(Ordering::SeqCst) {
                return;
            }
            // A run that stopped at a full completion ring goes on.
            let _ = workqueue::system().enqueue(q.clone());
        }
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        // Break the cycle between the queues and their interrupt handlers, and stop the
        // hardware before whatever it points at goes.
        for qid in 0..self.queues.len() {
            self.connect(qid, None);
        }
        self.quiesce();
        // The mappings of completed commands the driver did not take go now, while the
        // device is still registered (it goes with the last reference to `shared`).
        for q in self.queues.iter() {
            for slot in q.data.lock().iter_mut() {
                *slot = DataSlot::Free;
            }
        }
    }
}
