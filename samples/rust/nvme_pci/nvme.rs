// SPDX-License-Identifier: GPL-2.0

//! The controller: its registers, enabling and disabling it, commands, and the admin queue.
//!
//! Locking: the admin queue is behind a mutex (admin commands are sent from probe and remove
//! only, and wait for their completion by polling: its interrupts are never enabled).

use kernel::{
    dma::{dma_rmb, Coherent, DmaAddress},
    io::poll_timeout,
    new_mutex,
    pci::Bar,
    prelude::*,
    sync::Mutex,
};

/// Controller registers (NVMe base specification, "Controller Properties").
pub(crate) mod reg {
    /// Controller capabilities, 64 bits.
    pub(crate) const CAP: usize = 0x00;
    /// Version.
    pub(crate) const VS: usize = 0x08;
    /// Interrupt mask set (INTx and MSI only).
    pub(crate) const INTMS: usize = 0x0c;
    /// Interrupt mask clear (INTx and MSI only).
    pub(crate) const INTMC: usize = 0x10;
    /// Controller configuration.
    pub(crate) const CC: usize = 0x14;
    /// Controller status.
    pub(crate) const CSTS: usize = 0x1c;
    /// Admin queue attributes.
    pub(crate) const AQA: usize = 0x24;
    /// Admin submission queue base address, 64 bits.
    pub(crate) const ASQ: usize = 0x28;
    /// Admin completion queue base address, 64 bits.
    pub(crate) const ACQ: usize = 0x30;
    /// The first doorbell (admin submission queue tail).
    pub(crate) const DOORBELLS: usize = 0x1000;
    /// The registers the driver needs at least: up to the admin doorbells at the smallest
    /// stride. Doorbells of I/O queues are checked against the BAR's length when written.
    pub(crate) const SIZE: usize = DOORBELLS + 8;

    pub(crate) const CC_EN: u32 = 1;
    /// 64-byte submission and 16-byte completion entries, 4 KiB pages, NVM command set.
    pub(crate) const CC_ENTRY_SIZES: u32 = (6 << 16) | (4 << 20);
    pub(crate) const CC_SHN_MASK: u32 = 3 << 14;
    pub(crate) const CC_SHN_NORMAL: u32 = 1 << 14;
    pub(crate) const CSTS_RDY: u32 = 1;
    pub(crate) const CSTS_CFS: u32 = 2;
    pub(crate) const CSTS_SHST_MASK: u32 = 3 << 2;
    pub(crate) const CSTS_SHST_DONE: u32 = 2 << 2;
}

/// The registers, as mapped from BAR 0.
pub(crate) type Regs = Bar<{ reg::SIZE }>;

/// The controller's memory page, which PRP entries address: 4 KiB (`CC.MPS` = 0).
pub(crate) const PAGE: usize = 4096;
/// A submission queue entry.
pub(crate) const SQE_SIZE: usize = 64;
/// A completion queue entry, in dwords.
pub(crate) const CQE_DWORDS: usize = 4;
/// Entries in each admin queue.
const ADMIN_DEPTH: usize = 16;
/// How long an admin command may take.
const ADMIN_TIMEOUT_MS: u32 = 5000;

/// Command opcodes.
pub(crate) mod opcode {
    pub(crate) const CREATE_SQ: u8 = 0x01;
    pub(crate) const CREATE_CQ: u8 = 0x05;
    pub(crate) const IDENTIFY: u8 = 0x06;
    pub(crate) const SET_FEATURES: u8 = 0x09;
    pub(crate) const FLUSH: u8 = 0x00;
    pub(crate) const WRITE: u8 = 0x01;
    pub(crate) const READ: u8 = 0x02;
}

/// What `CAP` says.
pub(crate) struct Caps {
    /// Entries per queue at most.
    pub(crate) mqes: u32,
    /// How long the controller may take to change `CSTS.RDY`.
    pub(crate) timeout_ms: u32,
    /// Doorbell stride: 4 << dstrd bytes.
    dstrd: u32,
    /// The smallest memory page the controller takes: 4 KiB << mpsmin.
    pub(crate) mpsmin: u32,
}

impl Caps {
    pub(crate) fn read(regs: &Regs) -> Caps {
        let cap = regs.read64(reg::CAP);
        Caps {
            mqes: (cap & 0xffff) as u32 + 1,
            timeout_ms: ((cap >> 24) & 0xff) as u32 * 500,
            dstrd: ((cap >> 32) & 0xf) as u32,
            mpsmin: ((cap >> 48) & 0xf) as u32,
        }
    }

    /// The offset of a doorbell: the submission tail or the completion head of `queue`.
    pub(crate) fn doorbell(&self, queue: u16, completion: bool) -> usize {
        reg::DOORBELLS + ((2 * usize::from(queue) + usize::from(completion)) << (2 + self.dstrd))
    }
}

/// Waits until `CSTS.RDY` equals `ready`, for at most `CAP.TO`.
///
/// Fails with `ETIMEDOUT` (and says so) if it never does, with `ENODEV` if the controller reads
/// as absent and with `EIO` on a fatal controller status.
///
/// A fatal status ends the wait for ready at once; the wait for not ready goes on until
/// `CSTS.RDY` is clear whatever the fatal status says: only then has the controller stopped
/// touching what it was given.
pub(crate) fn wait_ready(regs: &Regs, caps: &Caps, ready: bool) -> Result {
    let want = if ready { reg::CSTS_RDY } else { 0 };
    let csts = poll_timeout(caps.timeout_ms, 1, || {
        let csts = regs.read32(reg::CSTS);
        let fatal = ready && csts & reg::CSTS_CFS != 0;
        (csts == u32::MAX || fatal || csts & reg::CSTS_RDY == want).then_some(csts)
    });
    match csts {
        Ok(u32::MAX) => {
            pr_err!("controller reads as absent (CSTS=0xffffffff)\n");
            Err(ENODEV)
        }
        Ok(csts) if ready && csts & reg::CSTS_CFS != 0 => {
            pr_err!("controller fatal status (CSTS={:#x})\n", csts);
            Err(EIO)
        }
        Ok(_) => Ok(()),
        Err(e) => {
            pr_err!(
                "controller did not become {} within CAP.TO ({} ms)\n",
                if ready { "ready" } else { "disabled" },
                caps.timeout_ms
            );
            Err(e)
        }
    }
}

/// Clears `CC.EN` and waits for the controller to stop: once this returns `Ok`, the controller
/// no longer touches any queue or data buffer it was given.
pub(crate) fn disable(regs: &Regs, caps: &Caps) -> Result {
    let cc = regs.read32(reg::CC);
    if cc & reg::CC_EN != 0 {
        regs.write32(cc & !reg::CC_EN, reg::CC);
    }
    wait_ready(regs, caps, false)
}

/// Shuts the controller down the normal way (`CC.SHN` = 01) and waits, for at most `CAP.TO`,
/// until it says it is done (`CSTS.SHST` = 10): it has written what its volatile cache held.
pub(crate) fn shutdown(regs: &Regs, caps: &Caps) -> Result {
    let cc = regs.read32(reg::CC);
    if cc & reg::CC_EN == 0 {
        return Ok(());
    }
    regs.write32((cc & !reg::CC_SHN_MASK) | reg::CC_SHN_NORMAL, reg::CC);
    poll_timeout(caps.timeout_ms, 1, || {
        let csts = regs.read32(reg::CSTS);
        (csts == u32::MAX || csts & reg::CSTS_SHST_MASK == reg::CSTS_SHST_DONE).then_some(())
    })
    .inspect_err(|_| {
        pr_err!(
            "controller did not finish its shutdown within CAP.TO ({} ms)\n",
            caps.timeout_ms
        )
    })
}

/// A submission queue entry being built.
pub(crate) struct Command([u8; SQE_SIZE]);

impl Command {
    pub(crate) fn new(opcode: u8, nsid: u32) -> Command {
        let mut c = Command([0; SQE_SIZE]);
        c.0[0] = opcode;
        c.0[4..8].copy_from_slice(&nsid.to_le_bytes());
        c
    }

    fn put32(&mut self, at: usize, v: u32) {
        self.0[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn put64(&mut self, at: usize, v: u64) {
        self.0[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// Sets the command identifier.
    pub(crate) fn cid(mut self, cid: u16) -> Command {
        self.0[2..4].copy_from_slice(&cid.to_le_bytes());
        self
    }

    /// Sets the two data pointers.
    pub(crate) fn prps(mut self, prp1: DmaAddress, prp2: DmaAddress) -> Command {
        self.put64(24, prp1);
        self.put64(32, prp2);
        self
    }

    /// Sets command dword `n` (10 to 15).
    pub(crate) fn dword(mut self, n: usize, v: u32) -> Command {
        self.put32(n * 4, v);
        self
    }

    /// The entry, to be copied into a submission queue.
    pub(crate) fn bytes(&self) -> [u8; SQE_SIZE] {
        self.0
    }
}

/// A completion queue entry, as far as the driver reads it.
pub(crate) struct Completion {
    /// Dword 0: the command's result.
    pub(crate) result: u32,
    /// The command identifier.
    pub(crate) cid: u16,
    /// Status code type and status code (0: success).
    pub(crate) status: u16,
}

/// A completion queue in coherent memory and where the driver is in it.
pub(crate) struct CompletionRing {
    /// The entries, as dwords: the one that carries the phase bit is read in one access.
    cq: Coherent<u32>,
    depth: u16,
    head: u16,
    /// The phase bit that new entries carry: it flips each time the queue wraps.
    phase: bool,
}

impl CompletionRing {
    pub(crate) fn new(cq: Coherent<u32>, depth: u16) -> CompletionRing {
        CompletionRing {
            cq,
            depth,
            head: 0,
            phase: true,
        }
    }

    pub(crate) fn dma_address(&self) -> DmaAddress {
        self.cq.dma_address()
    }

    /// The next new entry, if the controller has posted one; the head moves past it.
    pub(crate) fn next(&mut self) -> Option<Completion> {
        let base = usize::from(self.head) * CQE_DWORDS;
        let dw3 = u32::from_le(self.cq.read(base + 3).ok()?);
        if (dw3 & (1 << 16) != 0) != self.phase {
            return None;
        }
        // The rest of the entry (and the data the command brought) is read after the phase.
        dma_rmb();
        let result = u32::from_le(self.cq.read(base).ok()?);
        self.head += 1;
        if self.head == self.depth {
            self.head = 0;
            self.phase = !self.phase;
        }
        Some(Completion {
            result,
            cid: (dw3 & 0xffff) as u16,
            status: ((dw3 >> 17) & 0x7fff) as u16,
        })
    }

    /// The head, for the completion doorbell.
    pub(crate) fn head(&self) -> u16 {
        self.head
    }
}

/// The admin queue pair.
struct AdminRings {
    sq: Coherent<[u8; SQE_SIZE]>,
    cq: CompletionRing,
    tail: u16,
    next_cid: u16,
}

/// The admin queues and what sends commands through them.
///
/// The controller must not run while they are freed: [`Admin`] lives in the controller
/// object, which disables the controller before its queues go (`Controller`'s drop).
pub(crate) struct Admin {
    rings: Pin<KBox<Mutex<AdminRings>>>,
    depth: u16,
}

impl Admin {
    /// Allocates the admin queues of `dev` and gives their addresses to the controller, which
    /// must be disabled.
    pub(crate) fn new(dev: &kernel::device::Device, regs: &Regs, caps: &Caps) -> Result<Admin> {
        let depth = ADMIN_DEPTH.min(caps.mqes as usize) as u16;
        let sq = Coherent::alloc(dev, depth.into(), GFP_KERNEL)?;
        let cq = Coherent::alloc(dev, usize::from(depth) * CQE_DWORDS, GFP_KERNEL)?;
        let aqa = u32::from(depth - 1) | (u32::from(depth - 1) << 16);
        regs.write32(aqa, reg::AQA);
        regs.write64(sq.dma_address(), reg::ASQ);
        regs.write64(cq.dma_address(), reg::ACQ);
        let rings = AdminRings {
            sq,
            cq: CompletionRing::new(cq, depth),
            tail: 0,
            next_cid: 0,
        };
        Ok(Admin {
            rings: KBox::pin_init(new_mutex!(rings, "rnvme:admin"), GFP_KERNEL)?,
            depth,
        })
    }

    /// Sends `cmd` and waits for its completion; gives its result dword.
    ///
    /// Fails with `ETIMEDOUT` if it does not complete within 5 s (the controller may then still
    /// be working on it: the caller disables the controller before it frees what the command
    /// points to) and `EIO` on an error status.
    pub(crate) fn run(&self, regs: &Regs, caps: &Caps, cmd: Command) -> Result<u32> {
        let mut r = self.rings.lock();
        let cid = r.next_cid;
        r.next_cid = r.next_cid.wrapping_add(1);
        let tail = r.tail;
        r.sq.write(tail.into(), cmd.cid(cid).bytes())?;
        r.tail = (tail + 1) % self.depth;
        regs.try_write32(r.tail.into(), caps.doorbell(0, false))?;
        let done = poll_timeout(ADMIN_TIMEOUT_MS, 1, || r.cq.next());
        let c = match done {
            Ok(c) => c,
            Err(e) => {
                pr_err!(
                    "admin command {} did not complete within {} ms\n",
                    cid,
                    ADMIN_TIMEOUT_MS
                );
                return Err(e);
            }
        };
        regs.try_write32(r.cq.head().into(), caps.doorbell(0, true))?;
        if c.cid != cid || c.status != 0 {
            pr_err!(
                "admin command {} failed: completion for {} with status {:#x}\n",
                cid,
                c.cid,
                c.status
            );
            return Err(EIO);
        }
        Ok(c.result)
    }
}

/// Enables the controller with its admin queues set (`Admin::new`) and waits until it is
/// ready. With `never_ready` (a fault injected for tests), waits without enabling it.
pub(crate) fn enable(regs: &Regs, caps: &Caps, never_ready: bool) -> Result {
    if !never_ready {
        regs.write32(reg::CC_ENTRY_SIZES | reg::CC_EN, reg::CC);
    }
    wait_ready(regs, caps, true)
}
