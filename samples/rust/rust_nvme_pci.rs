// SPDX-License-Identifier: GPL-2.0

//! Rust PCI sample: binds an NVMe controller (QEMU's `-device nvme`) and talks to its registers.
//!
//! Written against `kernel::pci`, `kernel::io`, `kernel::irq` and `kernel::dma` only, without
//! `unsafe`. On probe it enables the function and bus mastering, maps BAR 0, reads `CAP` and
//! `VS`, disables the controller (`CC.EN = 0`, then waits for `CSTS.RDY = 0` for at most the
//! time `CAP.TO` gives), allocates one interrupt vector (MSI-X, MSI or, on a kernel without
//! `CONFIG_PCI_MSI`, the INTx line) with a handler that counts interrupts, sets up an admin
//! queue pair in coherent memory, enables the controller, sends Identify Controller and
//! disables the controller again. It prints
//!
//! `rust_nvme_pci: <vendor>:<device> vs=<major>.<minor>.<tertiary> mqes=<n> to_ms=<n> irq=<kind>
//! model="..." serial="..." firmware="..." interrupts=<n>` (one line)
//!
//! and, when the function is unbound, `rust_nvme_pci: unbound after <n> interrupts`.
//! It is not a block driver: no I/O queue, no disk.

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{
    c_str,
    dma::{dma_rmb, Coherent},
    io::poll_timeout,
    irq,
    pci::{self, Bar, DeviceId, IdTable, IrqKind, IrqRegistration, IrqTypes},
    prelude::*,
    sync::Arc,
};

module! {
    type: NvmePciModule,
    name: "rust_nvme_pci",
    author: "The swiotlb project",
    description: "Rust PCI sample: NVMe controller registers, admin queue, Identify",
    license: "GPL",
}

/// Controller registers (NVMe base specification, "Controller Properties").
mod reg {
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
    /// The registers we touch, up to the admin doorbells at the smallest stride.
    pub(crate) const SIZE: usize = DOORBELLS + 8;

    pub(crate) const CC_EN: u32 = 1;
    /// 64-byte submission and 16-byte completion entries, 4 KiB pages, NVM command set.
    pub(crate) const CC_ENTRY_SIZES: u32 = (6 << 16) | (4 << 20);
    pub(crate) const CSTS_RDY: u32 = 1;
    pub(crate) const CSTS_CFS: u32 = 2;
}

/// Entries in each admin queue.
const ADMIN_DEPTH: usize = 32;
const SQE_SIZE: usize = 64;
const CQE_SIZE: usize = 16;
const PAGE: usize = 4096;
/// How long Identify may take.
const COMMAND_TIMEOUT_MS: u32 = 5000;

type Regs = Bar<{ reg::SIZE }>;

/// Counts the controller's interrupts.
///
/// On the INTx line it also masks the controller's interrupt (`INTMS`), which lowers the level
/// line until the driver has consumed the completion and unmasks it (`INTMC`). It cannot tell
/// whether an interrupt on a shared line was the controller's (that takes a look at the
/// completion queue), so it always says it was: enough for one admin command, not for a driver
/// with queues in flight.
struct Interrupts {
    regs: Arc<Regs>,
    intx: bool,
    count: AtomicU32,
}

impl irq::Handler for Interrupts {
    fn handle_irq(&self) -> irq::IrqReturn {
        if self.intx {
            self.regs.write32(1, reg::INTMS);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        irq::IrqReturn::Handled
    }
}

/// What `CAP` says.
struct Caps {
    /// Entries per queue at most.
    mqes: u32,
    /// How long the controller may take to change `CSTS.RDY`.
    timeout_ms: u32,
    /// Doorbell stride: 4 << dstrd bytes.
    dstrd: u32,
}

impl Caps {
    fn read(regs: &Regs) -> Caps {
        let cap = regs.read64(reg::CAP);
        Caps {
            mqes: (cap & 0xffff) as u32 + 1,
            timeout_ms: ((cap >> 24) & 0xff) as u32 * 500,
            dstrd: ((cap >> 32) & 0xf) as u32,
        }
    }

    fn doorbell(&self, queue: usize, completion: bool) -> usize {
        reg::DOORBELLS + ((2 * queue + usize::from(completion)) << (2 + self.dstrd))
    }
}

/// Waits until `CSTS.RDY` equals `ready`, for at most `CAP.TO`.
///
/// Fails with `ETIMEDOUT` (and says so) if it never does, with `ENODEV` if the controller reads
/// as absent and with `EIO` on a fatal controller status.
fn wait_ready(regs: &Regs, caps: &Caps, ready: bool) -> Result {
    let want = if ready { reg::CSTS_RDY } else { 0 };
    let csts = poll_timeout(caps.timeout_ms, 1, || {
        let csts = regs.read32(reg::CSTS);
        (csts == u32::MAX || csts & reg::CSTS_CFS != 0 || csts & reg::CSTS_RDY == want)
            .then_some(csts)
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

/// Clears `CC.EN` and waits for the controller to stop.
fn disable(regs: &Regs, caps: &Caps) -> Result {
    let cc = regs.read32(reg::CC);
    if cc & reg::CC_EN != 0 {
        regs.write32(cc & !reg::CC_EN, reg::CC);
    }
    wait_ready(regs, caps, false)
}

/// The admin queues and the page Identify fills: coherent memory the controller is given.
struct AdminQueues {
    // Submission entries whole; completion entries as dwords, so that the one that carries the
    // phase bit is read in one access; the data page in 64-byte pieces (not 4 KiB on the stack).
    sq: Coherent<[u8; SQE_SIZE]>,
    cq: Coherent<u32>,
    data: Coherent<[u8; 64]>,
}

/// An enabled controller and the admin queues it was given. Dropping it disables the
/// controller before the queues are freed; a controller that does not stop keeps them: they are
/// leaked, never freed under a device that may still write them.
struct Enabled<'a> {
    regs: &'a Regs,
    caps: &'a Caps,
    queues: Option<AdminQueues>,
}

impl Enabled<'_> {
    /// The queues; `None` only while the controller is being dropped.
    fn queues(&mut self) -> Result<&mut AdminQueues> {
        self.queues.as_mut().ok_or(EINVAL)
    }
}

impl Drop for Enabled<'_> {
    fn drop(&mut self) {
        if disable(self.regs, self.caps).is_err() {
            pr_err!("controller still running: its admin queues are leaked\n");
            core::mem::forget(self.queues.take());
        }
    }
}

/// The fields of Identify Controller we print.
struct Identity {
    serial: [u8; 20],
    model: [u8; 40],
    firmware: [u8; 8],
}

/// Text of a space-padded ASCII field, without the padding.
fn text(field: &[u8]) -> &str {
    let end = field
        .iter()
        .rposition(|b| *b != b' ' && *b != 0)
        .map_or(0, |i| i + 1);
    core::str::from_utf8(&field[..end]).unwrap_or("?")
}

/// Sets up the admin queues, enables the controller, sends Identify Controller, waits for its
/// completion and disables the controller again.
fn identify(dev: &pci::Device, regs: &Regs, caps: &Caps, intx: bool) -> Result<Identity> {
    let depth = ADMIN_DEPTH.min(caps.mqes as usize);
    let sq = Coherent::alloc(dev.as_dev(), depth, GFP_KERNEL)?;
    let cq = Coherent::alloc(dev.as_dev(), depth * CQE_SIZE / 4, GFP_KERNEL)?;
    let data = Coherent::alloc(dev.as_dev(), PAGE / 64, GFP_KERNEL)?;

    let aqa = (depth as u32 - 1) | ((depth as u32 - 1) << 16);
    regs.write32(aqa, reg::AQA);
    regs.write64(sq.dma_address(), reg::ASQ);
    regs.write64(cq.dma_address(), reg::ACQ);
    regs.write32(reg::CC_ENTRY_SIZES | reg::CC_EN, reg::CC);
    // From here on the controller may touch the queues: they are its until `ctrl` stops it.
    let mut ctrl = Enabled {
        regs,
        caps,
        queues: Some(AdminQueues { sq, cq, data }),
    };
    wait_ready(regs, caps, true)?;
    let AdminQueues { sq, cq, data } = ctrl.queues()?;

    // Identify, CNS 1 (controller), command ID 1, the data in one page at PRP1.
    let mut sqe = [0u8; SQE_SIZE];
    sqe[0] = 0x06;
    sqe[2..4].copy_from_slice(&1u16.to_le_bytes());
    sqe[24..32].copy_from_slice(&data.dma_address().to_le_bytes());
    sqe[40..44].copy_from_slice(&1u32.to_le_bytes());
    sq.write(0, sqe)?;
    regs.try_write32(1, caps.doorbell(0, false))?;

    // Dword 3 of completion entry 0: command ID, phase bit (16) and status.
    let done = poll_timeout(COMMAND_TIMEOUT_MS, 1, || {
        let dw3 = u32::from_le(cq.read(3).ok()?);
        (dw3 & (1 << 16) != 0).then_some(dw3)
    });
    let dw3 = match done {
        Ok(dw3) => dw3,
        Err(e) => {
            pr_err!(
                "Identify did not complete within {} ms\n",
                COMMAND_TIMEOUT_MS
            );
            return Err(e);
        }
    };
    regs.try_write32(1, caps.doorbell(0, true))?;
    if intx {
        regs.write32(1, reg::INTMC);
    }
    // What the controller wrote before the completion (the Identify data) is read after it.
    dma_rmb();
    let (cid, status) = (dw3 & 0xffff, dw3 >> 17);
    if cid != 1 || status != 0 {
        pr_err!("Identify failed: command {} status {:#x}\n", cid, status);
        return Err(EIO);
    }

    let mut id = Identity {
        serial: [0; 20],
        model: [0; 40],
        firmware: [0; 8],
    };
    // Serial number at byte 4, model at 24, firmware revision at 64.
    let (head, next) = (data.read(0)?, data.read(1)?);
    id.serial.copy_from_slice(&head[4..24]);
    id.model.copy_from_slice(&head[24..64]);
    id.firmware.copy_from_slice(&next[..8]);
    drop(ctrl);
    Ok(id)
}

/// The driver's data for one bound controller.
struct NvmePci {
    // The handler goes first, then the registers; both keep the function enabled.
    irq: IrqRegistration<Interrupts>,
    regs: Arc<Regs>,
    caps: Caps,
}

impl pci::Driver for NvmePci {
    const NAME: &'static CStr = c_str!("rust_nvme_pci");
    const ID_TABLE: IdTable = IdTable::new(&[
        // QEMU's NVMe controller, and any NVMe controller by class.
        DeviceId::new(0x1b36, 0x0010),
        DeviceId::with_class(0x010802, 0xffffff),
        DeviceId::END,
    ]);

    fn probe(dev: &pci::Device, _id: &DeviceId) -> Result<Pin<KBox<Self>>> {
        let enabled = dev.enable_device_mem()?;
        enabled.set_master();
        let regs: Arc<Regs> = Arc::new(
            enabled.iomap_region(0, c_str!("rust_nvme_pci"))?,
            GFP_KERNEL,
        )?;
        let caps = Caps::read(&regs);
        let vs = regs.read32(reg::VS);
        disable(&regs, &caps)?;

        let vectors = enabled.alloc_irq_vectors(1, 1, IrqTypes::ALL)?;
        let intx = vectors.kind() == IrqKind::Intx;
        let irq = vectors.register(
            0,
            c_str!("rust_nvme_pci"),
            Interrupts {
                regs: regs.clone(),
                intx,
                count: AtomicU32::new(0),
            },
        )?;
        let id = identify(dev, &regs, &caps, intx)?;
        // The completion may be seen before its interrupt is handled: give it a moment.
        let interrupts = poll_timeout(1000, 1, || {
            let n = irq.handler().count.load(Ordering::Relaxed);
            (n > 0).then_some(n)
        })
        .unwrap_or(0);
        pr_info!(
            "{:04x}:{:04x} vs={}.{}.{} mqes={} to_ms={} irq={} model=\"{}\" serial=\"{}\" firmware=\"{}\" interrupts={}\n",
            dev.vendor_id(),
            dev.device_id(),
            vs >> 16,
            (vs >> 8) & 0xff,
            vs & 0xff,
            caps.mqes,
            caps.timeout_ms,
            vectors.kind().name(),
            text(&id.model),
            text(&id.serial),
            text(&id.firmware),
            interrupts
        );
        Ok(KBox::pin(NvmePci { irq, regs, caps }, GFP_KERNEL)?)
    }

    fn unbind(&self, _dev: &pci::Device) {
        // Disabled already after Identify; make sure, whatever happened since.
        let _ = disable(&self.regs, &self.caps);
        pr_info!(
            "unbound after {} interrupts\n",
            self.irq.handler().count.load(Ordering::Relaxed)
        );
    }
}

struct NvmePciModule {
    _driver: pci::Registration<NvmePci>,
}

impl kernel::Module for NvmePciModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        Ok(NvmePciModule {
            _driver: pci::Registration::new(module)?,
        })
    }
}
