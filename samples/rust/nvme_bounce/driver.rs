// SPDX-License-Identifier: GPL-2.0

//! The driver: queue pairs on the simulated controller, I/O through `kernel::dma`.
//!
//! Each write maps a buffer holding a pattern with [`DmaBounce`], submits it (the controller
//! holds the [`kernel::dma::Submitted`] mapping while the command is in flight) and, when it
//! completes, reads the block back into a fresh buffer and checks every byte. Where the maps
//! come from is what the sample is about:
//!
//! - writes are mapped in process context and may sleep ([`DmaBounce::map_may_sleep`]): when the
//!   device's bounce pool is full they wait for room;
//! - read-backs are mapped from the completion path, under the driver's spinlock
//!   ([`DmaBounce::map_atomic`]): when the pool is full they get transient pools. A read-back
//!   whose map fails is deferred to process context, where it may wait.
//!
//! `mode=sleep` defers every read-back; `mode=atomic` maps the writes atomically too.

use crate::controller::{Controller, Cqe, Interrupt, Sqe, OP_READ, OP_WRITE, STATUS_OK};
use kernel::{
    coherent_read,
    dma::{dma_rmb, dma_wmb, Coherent, DataDirection, DmaBounce, PoolKind, Stats, TransientPool},
    init::InPlaceWrite,
    new_condvar, new_spinlock,
    prelude::*,
    sync::{
        lock::{spinlock::SpinLockBackend, Guard},
        Arc, CondVar, CondVarTimeoutResult, SpinLock, UniqueArc,
    },
    time::msecs_to_jiffies,
};

/// How long the submitter waits for the device before it reports a stall. Longer than a
/// may-sleep map may wait for bounce buffers (`CONFIG_SWIOTLB_WAIT_TIMEOUT_MS`, 10 s by default).
const STALL_MS: u32 = 15_000;

/// Tries of a map in process context before its I/O is given up: a may-sleep map that fails
/// has already waited for room, an atomic one is tried again a millisecond later (sooner if a
/// command completes).
const MAY_SLEEP_TRIES: usize = 3;
const ATOMIC_TRIES: usize = 100;

/// How writes and read-backs are mapped.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Writes may sleep; read-backs are atomic, from the completion path.
    Mixed,
    /// Everything may sleep; read-backs are deferred to process context.
    Sleep,
    /// Nothing sleeps.
    Atomic,
}

/// The workload.
pub(crate) struct Params {
    pub(crate) queues: usize,
    pub(crate) depth: usize,
    pub(crate) io_bytes: usize,
    pub(crate) count: usize,
    pub(crate) mode: Mode,
    pub(crate) pool_bytes: usize,
    pub(crate) reserve_bytes: usize,
    pub(crate) latency_us: u32,
}

/// What a run did.
#[derive(Default)]
pub(crate) struct Summary {
    pub(crate) ios: u64,
    pub(crate) verified: u64,
    pub(crate) errors: u64,
    pub(crate) waited: u64,
    pub(crate) transient: u64,
    pub(crate) failed_maps: u64,
    pub(crate) bounced: [u64; PoolKind::COUNT],
}

/// A command in flight: what it is for (its mapping is with the controller).
struct Pending {
    opcode: u8,
    block: usize,
    generation: u32,
}

/// The driver's side of one queue pair.
struct QueueState {
    /// The submission ring, in memory shared with the device; written under the state lock.
    sq: Coherent<Sqe>,
    sq_tail: u32,
    cq_head: u32,
    phase: bool,
    slots: KVec<Option<Pending>>,
    /// Bit `n` set: command id `n` is free.
    free: u64,
}

/// Everything the completion path and the submitter share.
struct State {
    queues: KVec<QueueState>,
    /// Blocks with a write or read-back in flight (or waiting): never written twice at once.
    busy: KVec<bool>,
    /// The generation of each block's last write: what a read-back must find.
    generation: KVec<u32>,
    /// Blocks whose read-back is left to process context: its atomic map failed (or, with
    /// `mode=sleep`, always). The read-back checks the block's current generation.
    deferred: KVec<bool>,
    ndeferred: usize,
    outstanding: usize,
    summary: Summary,
}

type StateGuard<'a> = Guard<'a, State, SpinLockBackend>;

impl State {
    fn defer(&mut self, block: usize) {
        if !self.deferred[block] {
            self.deferred[block] = true;
            self.ndeferred += 1;
        }
    }
}

/// A completion, as the driver reads it from the ring.
struct Completion {
    cid: u16,
    status: u16,
}

/// The completion ring of one queue pair, in memory shared with the device; only read by the
/// driver.
struct Rings {
    cq: Coherent<Cqe>,
}

/// The fields drop in order: the rings (`rings`, and the submission rings in `state`) before
/// `ctrl`, whose drop unregisters the test device. The controller is quiesced before: by
/// [`Running`]'s drop (the only way a started driver ends), or in [`Driver::start`] on its
/// error paths.
#[pin_data]
pub(crate) struct Driver {
    rings: KVec<Rings>,
    #[pin]
    state: SpinLock<State>,
    #[pin]
    changed: CondVar,
    mode: Mode,
    io_bytes: usize,
    count: usize,
    entries: u32,
    /// Last: see above.
    ctrl: Controller,
}

/// The `k`-th 64-bit word of the pattern of `block` at `generation`.
fn pattern_word(block: usize, generation: u32, k: usize) -> u64 {
    let seed = ((block as u64) << 40) ^ (u64::from(generation) << 20) ^ k as u64;
    seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (seed >> 7)
}

fn fill(buf: &mut [u8], block: usize, generation: u32) {
    for (k, word) in buf.chunks_exact_mut(8).enumerate() {
        word.copy_from_slice(&pattern_word(block, generation, k).to_le_bytes());
    }
}

/// Bytes of `buf` that differ from the pattern.
fn mismatches(buf: &[u8], block: usize, generation: u32) -> usize {
    buf.chunks_exact(8)
        .enumerate()
        .map(|(k, word)| {
            let want = pattern_word(block, generation, k).to_le_bytes();
            word.iter().zip(want.iter()).filter(|(a, b)| a != b).count()
        })
        .sum()
}

/// The driver, started: its interrupts are connected, and so hold references to it.
///
/// Dropping it, on any path, disconnects the interrupts and stops the controller (and so gives
/// back the mappings of commands still in flight) before the last reference to the driver, and
/// with it the rings, goes. The `Arc<Driver>` in the interrupt handlers cannot outlive it.
///
/// # Invariants
///
/// `driver`'s interrupts are connected only while `self` lives.
pub(crate) struct Running {
    driver: Arc<Driver>,
}

impl core::ops::Deref for Running {
    type Target = Driver;

    fn deref(&self) -> &Driver {
        &self.driver
    }
}

impl Drop for Running {
    /// Context: process context: sleeps (waits for the controller's work).
    fn drop(&mut self) {
        for qid in 0..self.driver.rings.len() {
            self.driver.ctrl.connect(qid, None);
        }
        // After this no work item runs an interrupt handler, so the references they took are
        // gone, and no command touches the rings or a mapping.
        self.driver.ctrl.quiesce();
    }
}

impl Driver {
    /// Creates the controller and its queue pairs, and connects the interrupts.
    pub(crate) fn start(p: &Params) -> Result<Running> {
        // Everything that may fail once the controller knows the rings' addresses is done
        // before (the driver's own memory) or stops the controller before the rings go.
        let uninit = UniqueArc::<Driver>::new_uninit(GFP_KERNEL)?;
        // Twice as many blocks as commands in flight: a free one is always near.
        let blocks = 2 * p.queues * p.depth;
        let mut busy = KVec::new();
        busy.extend_with(blocks, false, GFP_KERNEL)?;
        let mut generation = KVec::new();
        generation.extend_with(blocks, 0u32, GFP_KERNEL)?;
        let mut deferred = KVec::new();
        deferred.extend_with(blocks, false, GFP_KERNEL)?;
        let mut ctrl = Controller::new(p.pool_bytes, blocks * p.io_bytes, p.latency_us)?;
        // One more entry than commands in flight: a full ring is never mistaken for an empty one.
        let entries = p.depth + 1;
        let mut rings = KVec::with_capacity(p.queues, GFP_KERNEL)?;
        let mut queues = KVec::with_capacity(p.queues, GFP_KERNEL)?;
        if let Err(e) = Self::create_queues(&mut ctrl, p, entries, &mut rings, &mut queues) {
            // The controller holds the addresses of the rings made so far: stop it, then free
            // them, then the controller (and with it the device).
            ctrl.quiesce();
            drop(queues);
            drop(rings);
            drop(ctrl);
            return Err(e);
        }

        let init = pin_init!(Driver {
            rings,
            state <- new_spinlock!(State {
                queues,
                busy,
                generation,
                deferred,
                ndeferred: 0,
                outstanding: 0,
                summary: Summary::default(),
            }),
            changed <- new_condvar!(),
            mode: p.mode,
            io_bytes: p.io_bytes,
            count: p.count,
            entries: entries as u32,
            ctrl,
        });
        // The memory is there: the initialiser cannot fail.
        let driver: Arc<Driver> = match uninit.write_pin_init(init) {
            Ok(driver) => driver.into(),
            Err(never) => match never {},
        };
        let running = Running { driver };
        for qid in 0..p.queues {
            let handler: Arc<dyn Interrupt> = running.driver.clone();
            running.ctrl.connect(qid, Some(handler));
        }
        // INVARIANT: connected just now; `Running::drop` disconnects them.
        Ok(running)
    }

    /// Makes the rings of `p.queues` queue pairs of `entries` entries and programs them into
    /// `ctrl`. On failure, what was made is in `rings` and `queues`, and `ctrl` may hold their
    /// addresses.
    fn create_queues(
        ctrl: &mut Controller,
        p: &Params,
        entries: usize,
        rings: &mut KVec<Rings>,
        queues: &mut KVec<QueueState>,
    ) -> Result {
        for _ in 0..p.queues {
            let sq = Coherent::<Sqe>::alloc(ctrl.device(), entries, GFP_KERNEL)?;
            let cq = Coherent::<Cqe>::alloc(ctrl.device(), entries, GFP_KERNEL)?;
            let mut slots = KVec::with_capacity(p.depth, GFP_KERNEL)?;
            for _ in 0..p.depth {
                slots.push(None, GFP_KERNEL)?;
            }
            // Room first, so that once the controller knows the rings, they are kept.
            rings.reserve(1, GFP_KERNEL)?;
            queues.reserve(1, GFP_KERNEL)?;
            ctrl.create_queue(sq.dma_address(), cq.dma_address(), entries as u32)?;
            rings.push(Rings { cq }, GFP_KERNEL)?;
            // At most 64 commands per queue: one bit each.
            let free = u64::MAX >> (64 - p.depth);
            queues.push(
                QueueState {
                    sq,
                    sq_tail: 0,
                    cq_head: 0,
                    phase: true,
                    slots,
                    free,
                },
                GFP_KERNEL,
            )?;
        }
        Ok(())
    }

    /// Runs the workload and says what happened.
    pub(crate) fn run(&self, reserve_bytes: usize) -> Result<Summary> {
        let dev = self.ctrl.device();
        let before = Stats::of(dev)?;
        let reservation = match reserve_bytes {
            0 => None,
            n => Some(TransientPool::reserve(dev, n)?),
        };
        let nqueues = self.rings.len();
        let mut next_block = 0;
        for i in 0..self.count {
            self.serve_deferred(i % nqueues)?;
            let (block, generation) = self.claim_block(&mut next_block);
            let mut buf = KVec::new();
            buf.extend_with(self.io_bytes, 0u8, GFP_KERNEL)?;
            fill(&mut buf, block, generation);
            match self.map_in_process(buf, DataDirection::ToDevice) {
                Some(map) => self.submit(i % nqueues, OP_WRITE, map, block, generation),
                None => self.give_up(block),
            }
        }
        // Drain: serve deferred read-backs until nothing is in flight.
        loop {
            self.serve_deferred(0)?;
            let mut st = self.state.lock();
            if st.outstanding == 0 && st.ndeferred == 0 {
                break;
            }
            if st.ndeferred == 0 {
                self.wait_for_device(&mut st, "the last completions");
            }
        }
        if let Some(pool) = &reservation {
            let usage = pool.usage();
            pr_info!(
                "nvme-bounce: reserved pool: {} slots, {} in use at the end\n",
                usage.slots,
                usage.used
            );
        }
        drop(reservation);

        let after = Stats::of(dev)?;
        let mut st = self.state.lock();
        let s = &mut st.summary;
        s.waited = after.waits() - before.waits();
        s.transient =
            after.pools_added(PoolKind::Transient) - before.pools_added(PoolKind::Transient);
        Ok(core::mem::take(s))
    }

    /// Prints the device's swiotlb counters after a run that did `s`.
    pub(crate) fn report(&self, s: &Summary) {
        let Ok(st) = Stats::of(self.ctrl.device()) else {
            return;
        };
        pr_info!(
            "nvme-bounce: swiotlb: bounced default={} dynamic={} transient={} used_hiwater={} transient_pools_added={} transient_pools_freed={} transient_failed={} waits={} wait_timeouts={} wait_total_us={} wait_max_us={} map_failures={}\n",
            s.bounced[PoolKind::Default.index()],
            s.bounced[PoolKind::Dynamic.index()],
            s.bounced[PoolKind::Transient.index()],
            st.used_hiwater(PoolKind::Default),
            st.pools_added(PoolKind::Transient),
            st.pools_freed(PoolKind::Transient),
            st.transient_failed(),
            st.waits(),
            st.wait_timeouts(),
            st.wait_ns() / 1000,
            st.wait_ns_max() / 1000,
            st.map_failures()
        );
    }

    /// Maps from process context: may sleep, unless `mode=atomic`. A failed map is retried
    /// (counted each time) before the I/O is given up.
    fn map_in_process(&self, mut buf: KVec<u8>, dir: DataDirection) -> Option<DmaBounce> {
        let tries = match self.mode {
            Mode::Atomic => ATOMIC_TRIES,
            _ => MAY_SLEEP_TRIES,
        };
        for _ in 0..tries {
            let mapped = match self.mode {
                Mode::Atomic => DmaBounce::map_atomic(self.ctrl.device(), buf, dir),
                _ => DmaBounce::map_may_sleep(self.ctrl.device(), buf, dir),
            };
            match mapped {
                Ok(map) => return Some(map),
                Err(e) => {
                    buf = e.value;
                    let mut st = self.state.lock();
                    st.summary.failed_maps += 1;
                    // Try again a millisecond later, or sooner if a completion frees room.
                    let _ = self
                        .changed
                        .wait_interruptible_timeout(&mut st, msecs_to_jiffies(1));
                }
            }
        }
        None
    }

    /// Picks a block with nothing in flight, waiting for one if need be.
    fn claim_block(&self, next: &mut usize) -> (usize, u32) {
        let mut st = self.state.lock();
        loop {
            let n = st.busy.len();
            if let Some(b) = (0..n).map(|k| (*next + k) % n).find(|b| !st.busy[*b]) {
                *next = (b + 1) % n;
                st.busy[b] = true;
                st.generation[b] = st.generation[b].wrapping_add(1);
                return (b, st.generation[b]);
            }
            self.wait_for_device(&mut st, "a free block");
        }
    }

    fn give_up(&self, block: usize) {
        let mut st = self.state.lock();
        st.summary.errors += 1;
        st.busy[block] = false;
    }

    /// Submits `map` on queue `qid`, waiting for a free command id.
    fn submit(&self, qid: usize, opcode: u8, map: DmaBounce, block: usize, generation: u32) {
        let mut st = self.state.lock();
        while st.queues[qid].free == 0 {
            self.wait_for_device(&mut st, "a free command id");
        }
        // Under the lock that orders the tails, as a real driver writes its doorbell under its
        // submission queue lock: the completion path also submits, and a doorbell that goes
        // backwards loses commands (or replays stale ones).
        if let Some(tail) = self.queue_command(&mut st, qid, opcode, map, block, generation) {
            self.ctrl.ring_sq(qid, tail);
        }
    }

    /// Waits for the completion path to change something. A device that completes nothing for
    /// [`STALL_MS`] is reported, queue by queue, and waited for again: a stall is a bug to see.
    fn wait_for_device(&self, st: &mut StateGuard<'_>, what: &str) {
        match self
            .changed
            .wait_interruptible_timeout(st, msecs_to_jiffies(STALL_MS))
        {
            CondVarTimeoutResult::Woken { .. } => {}
            CondVarTimeoutResult::Timeout => self.report_stall(st, what),
            // The workload runs from an initcall, where no signal arrives; should one come, do
            // not spin on it.
            CondVarTimeoutResult::Signal { .. } => self.changed.wait(st),
        }
    }

    fn report_stall(&self, st: &State, what: &str) {
        pr_err!(
            "nvme-bounce: stalled for {} ms waiting for {}: outstanding={} deferred={}\n",
            STALL_MS,
            what,
            st.outstanding,
            st.ndeferred
        );
        for (qid, q) in st.queues.iter().enumerate() {
            let hw = self.ctrl.queue_state(qid);
            pr_err!(
                "nvme-bounce: queue {}: driver sq_tail={} cq_head={} free={:#x}\n",
                qid,
                q.sq_tail,
                q.cq_head,
                q.free
            );
            pr_err!(
                "nvme-bounce: queue {}: controller sq_doorbell={} sq_head={} cq_tail={}\n",
                qid,
                hw.sq_doorbell,
                hw.sq_head,
                hw.cq_tail
            );
        }
    }

    /// Writes the command to the ring; a command id must be free. Returns the new tail, or
    /// `None` if nothing was queued (then there is no doorbell to ring).
    fn queue_command(
        &self,
        st: &mut State,
        qid: usize,
        opcode: u8,
        map: DmaBounce,
        block: usize,
        generation: u32,
    ) -> Option<u32> {
        let kind = map.bounced().map(PoolKind::index);
        let q = &mut st.queues[qid];
        if q.free == 0 {
            // Callers checked; keep the books straight if they did not.
            st.summary.errors += 1;
            st.busy[block] = false;
            return None;
        }
        let cid = q.free.trailing_zeros() as u16;
        if q.sq_tail as usize >= q.sq.count() {
            // Cannot happen (the tail wraps at the ring's size); checked before the mapping is
            // handed over, so that the mapping still is the CPU's and simply goes.
            pr_err!(
                "nvme-bounce: queue {}: tail {} past the ring\n",
                qid,
                q.sq_tail
            );
            st.summary.errors += 1;
            st.busy[block] = false;
            return None;
        }
        let sub = map.submit();
        let sqe = Sqe::new(
            opcode,
            cid,
            sub.dma_address(),
            (block * self.io_bytes) as u64,
            sub.len() as u32,
        );
        // The entry is written before the controller gets the mapping: it is not published
        // until the tail moves, so a failed write leaves nothing for the device.
        if q.sq.write(q.sq_tail as usize, sqe).is_err() {
            // The index was checked above; were it to fail all the same, the submitted mapping
            // is leaked (with a warning) rather than taken back.
            pr_err!("nvme-bounce: queue {}: cannot write command {}\n", qid, cid);
            drop(sub);
            st.summary.errors += 1;
            st.busy[block] = false;
            return None;
        }
        if self.ctrl.attach(qid, cid, sub).is_err() {
            // The controller still holds a mapping for this id: a bug in the books. The
            // mapping it refused is leaked (with a warning), not reused.
            pr_err!(
                "nvme-bounce: queue {}: command id {} still busy\n",
                qid,
                cid
            );
            st.summary.errors += 1;
            st.busy[block] = false;
            return None;
        }
        q.free &= !(1u64 << cid);
        // The entry reaches the device before the doorbell that the caller rings.
        dma_wmb();
        q.sq_tail = (q.sq_tail + 1) % self.entries;
        q.slots[cid as usize] = Some(Pending {
            opcode,
            block,
            generation,
        });
        let tail = q.sq_tail;
        st.outstanding += 1;
        if let Some(k) = kind {
            st.summary.bounced[k] += 1;
        }
        Some(tail)
    }

    /// Maps and submits deferred read-backs from process context.
    fn serve_deferred(&self, qid: usize) -> Result {
        loop {
            let (block, generation) = {
                let mut st = self.state.lock();
                let Some(block) = st.deferred.iter().position(|d| *d) else {
                    return Ok(());
                };
                st.deferred[block] = false;
                st.ndeferred -= 1;
                (block, st.generation[block])
            };
            let mut buf = KVec::new();
            buf.extend_with(self.io_bytes, 0u8, GFP_KERNEL)?;
            match self.map_in_process(buf, DataDirection::FromDevice) {
                Some(map) => self.submit(qid, OP_READ, map, block, generation),
                None => self.give_up(block),
            }
        }
    }

    /// A read-back from the completion path: mapped without sleeping, under the lock.
    fn read_back_atomic(
        &self,
        st: &mut State,
        qid: usize,
        block: usize,
        generation: u32,
    ) -> Option<u32> {
        let mut buf = KVec::new();
        let mapped = match buf.extend_with(self.io_bytes, 0u8, GFP_ATOMIC) {
            Ok(()) => {
                DmaBounce::map_atomic(self.ctrl.device(), buf, DataDirection::FromDevice).ok()
            }
            Err(_) => None,
        };
        match mapped {
            Some(map) => self.queue_command(st, qid, OP_READ, map, block, generation),
            None => {
                st.summary.failed_maps += 1;
                st.defer(block);
                None
            }
        }
    }

    /// Handles one completion.
    fn complete(&self, st: &mut State, qid: usize, cqe: &Completion) -> Option<u32> {
        let q = &mut st.queues[qid];
        let Some(p) = q.slots.get_mut(cqe.cid as usize).and_then(Option::take) else {
            pr_err!(
                "nvme-bounce: queue {}: completion for unknown command {}\n",
                qid,
                cqe.cid
            );
            st.summary.errors += 1;
            return None;
        };
        q.free |= 1u64 << cqe.cid;
        st.outstanding -= 1;
        st.summary.ios += 1;
        // The controller gives the mapping back with the completion.
        let Some(map) = self.ctrl.take(qid, cqe.cid) else {
            pr_err!(
                "nvme-bounce: queue {}: command {} completed without its data\n",
                qid,
                cqe.cid
            );
            st.summary.errors += 1;
            st.busy[p.block] = false;
            return None;
        };

        if cqe.status != STATUS_OK {
            pr_err!(
                "nvme-bounce: queue {}: command {} failed: status {:#x}\n",
                qid,
                cqe.cid,
                cqe.status
            );
            st.summary.errors += 1;
            st.busy[p.block] = false;
            return None;
        }
        if p.opcode == OP_WRITE {
            // Map the read-back while the write still holds its bounce slots: with a full pool,
            // this is where a transient pool comes in.
            let tail = match self.mode {
                Mode::Sleep => {
                    st.defer(p.block);
                    None
                }
                _ => self.read_back_atomic(st, qid, p.block, p.generation),
            };
            drop(map);
            return tail;
        }

        let buf = map.finish();
        let bad = mismatches(&buf, p.block, p.generation);
        if bad == 0 {
            // The read and the write it checks.
            st.summary.verified += 2;
        } else {
            pr_err!(
                "nvme-bounce: block {} generation {}: {} bytes differ\n",
                p.block,
                p.generation,
                bad
            );
            st.summary.errors += 1;
        }
        st.busy[p.block] = false;
        None
    }
}

impl Interrupt for Driver {
    fn interrupt(&self, qid: usize) {
        let Some(rings) = self.rings.get(qid) else {
            return;
        };
        let mut new_tail = None;
        let mut st = self.state.lock();
        loop {
            let q = &st.queues[qid];
            let head = q.cq_head as usize;
            // The status and phase in one read: the entry is new if its phase is ours.
            let Ok(status_phase) = coherent_read!(rings.cq, Cqe, [head].status_phase) else {
                break;
            };
            let status_phase = u16::from_le(status_phase);
            if (status_phase & 1 != 0) != q.phase {
                break;
            }
            // The rest of the entry was written before its phase.
            dma_rmb();
            let Ok(cid) = coherent_read!(rings.cq, Cqe, [head].cid) else {
                break;
            };
            let cqe = Completion {
                cid: u16::from_le(cid),
                status: status_phase >> 1,
            };
            let q = &mut st.queues[qid];
            q.cq_head = (q.cq_head + 1) % self.entries;
            if q.cq_head == 0 {
                q.phase = !q.phase;
            }
            if let Some(tail) = self.complete(&mut st, qid, &cqe) {
                new_tail = Some(tail);
            }
        }
        // Doorbells under the lock, in the order of the tails (see `submit`).
        self.ctrl.ring_cq(qid, st.queues[qid].cq_head);
        if let Some(tail) = new_tail {
            self.ctrl.ring_sq(qid, tail);
        }
        drop(st);
        self.changed.notify_all();
    }
}
