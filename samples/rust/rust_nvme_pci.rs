// SPDX-License-Identifier: GPL-2.0

//! Rust NVMe driver sample for a PCI controller (QEMU's `-device nvme`): a blk-mq disk whose
//! data is mapped through `kernel::dma`, so that with `swiotlb=force` every request bounces.
//!
//! Written against `kernel::pci`, `kernel::io`, `kernel::irq`, `kernel::dma` and
//! `kernel::block::mq` without `unsafe`. Probe: enable the function and bus mastering, map
//! BAR 0, read `CAP` and `VS`, disable the controller, set up the admin queues, enable it
//! (waiting at most `CAP.TO`), Identify Controller and Namespace 1, ask for I/O queues (Set
//! Features), create them (one pair per hardware context of the disk), register the interrupt
//! (one vector for all queues: INTx on a kernel without `CONFIG_PCI_MSI`) and add the disk
//! `rnvme<N>n1`. A request is mapped as a scatterlist with `DMA_ATTR_MAY_BLOCK` (the tag set is
//! blocking: `queue_rq` may wait for bounce buffers), described to the controller with PRPs
//! (a PRP list page per command slot for requests of more than two pages, up to 256 KiB), and
//! ended by the interrupt thread from its completion entry. A command that times out stops
//! the controller: every request in flight fails with `EIO` once it no longer runs. Unbind
//! removes the disk (which waits for the requests in flight), disables the controller, then
//! frees the queues.
//!
//! It prints at probe
//! `rust_nvme_pci: <vendor>:<device> vs=<x.y.z> mqes=<n> to_ms=<n> irq=<kind> model="..."
//! serial="..." firmware="..." disk=rnvme<N>n1 blocks=<n> lba=<bytes> queues=<n> depth=<n>
//! max_kib=<n> write_cache=<bool>`
//! and at unbind
//! `rust_nvme_pci: rnvme<N>n1 unbound: ios=<n> per_queue=<n>/<n>... flushes=<n> bytes=<n>
//! errors=<n> bounced=<n> map_failures=<n> timeouts=<n> aborted=<n> stray=<n> interrupts=<n>`.
//! Parameters (`rnvme.<name>=`): see `nvme_pci_params.c`.

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{
    block::mq::{gen_disk::GenDisk, gen_disk::GenDiskBuilder, TagSet, TagSetOptions},
    c_str,
    pci::{self, DeviceId, DmaConfig, IdTable, IrqKind, IrqRegistration, IrqTypes},
    prelude::*,
    sync::Arc,
};

#[path = "nvme_pci/disk.rs"]
mod disk;
#[path = "nvme_pci/nvme.rs"]
mod nvme;
#[path = "nvme_pci/params.rs"]
mod params;
#[path = "nvme_pci/queue.rs"]
mod queue;

use disk::{Controller, Disk, Interrupts};
use nvme::{opcode, reg, Admin, Caps, Regs, PAGE};

module! {
    type: NvmePciModule,
    name: "rust_nvme_pci",
    author: "The swiotlb project",
    description: "Rust NVMe driver sample for PCI controllers, a blk-mq disk over kernel::dma",
    license: "GPL",
}

/// The largest request: 256 KiB, 64 controller pages (PRP1 and a list of up to 64), less if
/// the controller (MDTS) or the DMA layer (the largest bounce buffer) says so.
const MAX_REQUEST_SECTORS: u32 = 512;
/// Segments of a request at most: one per page.
const MAX_SEGMENTS: u16 = 64;
/// Disks added so far, for their names.
static DISKS: AtomicU32 = AtomicU32::new(0);

/// The fields of Identify Controller we use.
struct Identity {
    serial: [u8; 20],
    model: [u8; 40],
    firmware: [u8; 8],
    /// Maximum data transfer size: 2^mdts controller pages; 0 for no limit.
    mdts: u8,
    /// Whether the controller has a volatile write cache (VWC).
    write_cache: bool,
}

/// Namespace 1 as Identify Namespace gives it.
struct Namespace {
    blocks: u64,
    lba_shift: u32,
    /// Metadata bytes per block in the format in use (0: none).
    metadata: u16,
}

/// Text of a space-padded ASCII field, without the padding.
fn text(field: &[u8]) -> &str {
    let end = field
        .iter()
        .rposition(|b| *b != b' ' && *b != 0)
        .map_or(0, |i| i + 1);
    core::str::from_utf8(&field[..end]).unwrap_or("?")
}

/// Identify Controller and Identify Namespace 1, through the controller's scratch page.
fn identify(ctrl: &Controller) -> Result<(Identity, Namespace)> {
    let data = ctrl.scratch()?;
    let page = data.dma_address();

    // CNS 1: the controller. Serial number at byte 4, model at 24, firmware revision at 64,
    // MDTS at 77, VWC at 525.
    ctrl.admin(
        nvme::Command::new(opcode::IDENTIFY, 0)
            .prps(page, 0)
            .dword(10, 1),
    )?;
    let (head, next, vwc) = (data.read(0)?, data.read(1)?, data.read(8)?);
    let mut id = Identity {
        serial: [0; 20],
        model: [0; 40],
        firmware: [0; 8],
        mdts: next[77 - 64],
        write_cache: vwc[525 - 512] & 1 != 0,
    };
    id.serial.copy_from_slice(&head[4..24]);
    id.model.copy_from_slice(&head[24..64]);
    id.firmware.copy_from_slice(&next[..8]);

    // CNS 0: namespace 1. Size in blocks at byte 0, the format in use at 26 (low 4 bits), the
    // formats from byte 128, 4 bytes each: metadata size (2 bytes), then the block size's
    // shift.
    ctrl.admin(
        nvme::Command::new(opcode::IDENTIFY, ctrl.nsid)
            .prps(page, 0)
            .dword(10, 0),
    )?;
    let head = data.read(0)?;
    let formats = data.read(2)?;
    let mut nsze = [0u8; 8];
    nsze.copy_from_slice(&head[..8]);
    let format = usize::from(head[26] & 0xf) * 4;
    let ns = Namespace {
        blocks: if params::get(&params::INJECT_EMPTY_NS) != 0 {
            pr_info!("injected: namespace 1 taken as empty\n");
            0
        } else {
            u64::from_le_bytes(nsze)
        },
        lba_shift: u32::from(formats[format + 2]),
        metadata: u16::from_le_bytes([formats[format], formats[format + 1]]),
    };
    Ok((id, ns))
}

/// The driver's data for one bound controller.
///
/// Teardown order (its drop, then its fields): the disk goes first (removing it waits for the
/// requests in flight, which need the interrupt), then the controller is shut down (its write
/// cache written) and disabled, then the interrupt is freed, then the controller's queues.
struct NvmePci {
    disk: Option<GenDisk<Disk>>,
    name: u32,
    irq: IrqRegistration<Interrupts>,
    ctrl: Arc<Controller>,
}

impl Drop for NvmePci {
    fn drop(&mut self) {
        drop(self.disk.take());
        // What the controller's cache holds is written before it is disabled.
        let _ = nvme::shutdown(&self.ctrl.regs, &self.ctrl.caps);
        self.ctrl.quiesce();
        let c = &self.ctrl.counters;
        pr_info!(
            "rnvme{}n1 unbound: ios={} per_queue={} flushes={} bytes={} errors={} bounced={} map_failures={} timeouts={} aborted={} stray={} interrupts={}\n",
            self.name,
            c.completed.load(Ordering::Relaxed),
            self.ctrl.per_queue(),
            c.flushes.load(Ordering::Relaxed),
            c.bytes.load(Ordering::Relaxed),
            c.errors.load(Ordering::Relaxed),
            c.bounced.load(Ordering::Relaxed),
            c.map_failures.load(Ordering::Relaxed),
            c.timeouts.load(Ordering::Relaxed),
            c.aborted.load(Ordering::Relaxed),
            c.stray.load(Ordering::Relaxed),
            self.irq.handler().ctrl.counters.interrupts.load(Ordering::Relaxed)
        );
    }
}

impl pci::Driver for NvmePci {
    const NAME: &'static CStr = c_str!("rust_nvme_pci");
    const ID_TABLE: IdTable = IdTable::new(&[
        // QEMU's NVMe controller, and any NVMe controller by class.
        DeviceId::new(0x1b36, 0x0010),
        DeviceId::with_class(0x010802, 0xffffff),
        DeviceId::END,
    ]);
    // 64-bit addresses; a bounced segment keeps its offset in the controller's page, as PRPs
    // need; segments of any length (the queue's virtual boundary lets the block layer build
    // them, and PRPs take them).
    const DMA: DmaConfig = DmaConfig {
        mask_bits: 64,
        min_align_mask: PAGE as u32 - 1,
        max_seg_size: u32::MAX,
    };

    fn probe(dev: &pci::Device, _id: &DeviceId) -> Result<Pin<KBox<Self>>> {
        let enabled = dev.enable_device_mem()?;
        enabled.set_master();
        let regs: Arc<Regs> = Arc::new(
            enabled.iomap_region(0, c_str!("rust_nvme_pci"))?,
            GFP_KERNEL,
        )?;
        let caps = Caps::read(&regs);
        let vs = regs.read32(reg::VS);
        nvme::disable(&regs, &caps)?;

        let vectors = enabled.alloc_irq_vectors(1, 1, IrqTypes::ALL)?;
        let intx_mask = vectors.kind() != IrqKind::MsiX;
        let admin = Admin::new(dev.as_dev(), &regs, &caps)?;
        if caps.mpsmin != 0 {
            pr_err!(
                "controller pages start at {} KiB; this driver uses 4 KiB\n",
                4 << caps.mpsmin
            );
            return Err(ENODEV);
        }
        let mut ctrl = Controller::new(enabled.clone(), regs, caps, admin, intx_mask)?;
        // Admin commands are polled: the interrupt stays masked until the I/O queues exist.
        ctrl.mask_interrupts(true);
        nvme::enable(
            &ctrl.regs,
            &ctrl.caps,
            params::get(&params::INJECT_NEVER_READY) != 0,
        )?;
        let (id, ns) = identify(&ctrl)?;
        if ns.blocks == 0 {
            pr_err!("namespace {} has no blocks: no disk\n", ctrl.nsid);
            return Err(ENODEV);
        }
        if !(9..=12).contains(&ns.lba_shift) {
            pr_err!(
                "namespace {}: blocks of 2^{} bytes are not supported\n",
                ctrl.nsid,
                ns.lba_shift
            );
            return Err(ENODEV);
        }
        if ns.metadata != 0 {
            // Its blocks carry metadata this driver has no buffer for (extended blocks would
            // move more bytes than the data's mapping holds).
            pr_err!(
                "namespace {}: blocks with {} bytes of metadata are not supported\n",
                ctrl.nsid,
                ns.metadata
            );
            return Err(ENODEV);
        }
        ctrl.lba_shift = ns.lba_shift;
        // At most 256 KiB a request, less if the controller says so, and no more than one
        // mapping can hold (with swiotlb, the largest bounce buffer: each segment of a request
        // bounces on its own, and one may be as long as the request), in whole pages.
        let mdts_sectors = match id.mdts {
            0 => MAX_REQUEST_SECTORS,
            m => (PAGE as u32 >> 9) << m.min(8),
        };
        let map_sectors = (kernel::dma::max_mapping_size(dev.as_dev()) / PAGE) as u32 * 8;
        let max_sectors = MAX_REQUEST_SECTORS.min(mdts_sectors).min(map_sectors);
        if max_sectors < 8 {
            pr_err!("requests of less than a page: not supported\n");
            return Err(ENODEV);
        }

        // Queues: one per CPU (below), at most as many as asked (default 16) and as the
        // controller gives.
        let want = params::get(&params::IO_QUEUES).clamp(1, 16);
        let granted = ctrl.admin(
            nvme::Command::new(opcode::SET_FEATURES, 0)
                .dword(10, 0x07)
                .dword(11, (want - 1) | ((want - 1) << 16)),
        )?;
        let queues = want.min((granted & 0xffff) + 1).min((granted >> 16) + 1);
        let depth = params::get(&params::DEPTH)
            .clamp(2, 1024)
            .min(ctrl.caps.mqes) as u16;
        // One hardware context per queue pair: the block layer makes no more contexts than
        // there are CPUs, and the controller gets as many pairs as there are contexts.
        let tagset = Arc::pin_init(
            TagSet::with_options(
                queues,
                u32::from(depth - 1),
                1,
                TagSetOptions {
                    blocking: true,
                    timeout_ms: params::get(&params::TIMEOUT_MS),
                },
            ),
            GFP_KERNEL,
        )?;
        for qid in 1..=tagset.nr_hw_queues() as u16 {
            ctrl.add_queue(qid, depth)?;
        }
        if params::get(&params::INJECT_STRAY_CID) != 0 {
            // Tags run from 0 to depth - 2: the last command id is never a request's.
            pr_info!("injected: a flush under command id {}\n", depth - 1);
            ctrl.send_stray(depth - 1)?;
        }

        let ctrl = Arc::new(ctrl, GFP_KERNEL)?;
        let irq = vectors.register(
            0,
            c_str!("rust_nvme_pci"),
            Interrupts { ctrl: ctrl.clone() },
        )?;
        ctrl.mask_interrupts(false);

        let name = DISKS.fetch_add(1, Ordering::Relaxed);
        let block = 1u32 << ns.lba_shift;
        let disk = GenDiskBuilder::new()
            .capacity_sectors(ns.blocks << (ns.lba_shift - 9))
            .logical_block_size(block)?
            .physical_block_size(block)?
            .max_hw_sectors(max_sectors)
            .max_segments(MAX_SEGMENTS)
            .virt_boundary_mask(PAGE as u64 - 1)
            .dma_alignment(3)
            .write_cache(id.write_cache)
            .parent(dev.as_dev())
            .build(format_args!("rnvme{}n1", name), tagset, ctrl.clone())?;

        pr_info!(
            "{:04x}:{:04x} vs={}.{}.{} mqes={} to_ms={} irq={} model=\"{}\" serial=\"{}\" firmware=\"{}\" disk=rnvme{}n1 blocks={} lba={} queues={} depth={} max_kib={} write_cache={}\n",
            dev.vendor_id(),
            dev.device_id(),
            vs >> 16,
            (vs >> 8) & 0xff,
            vs & 0xff,
            ctrl.caps.mqes,
            ctrl.caps.timeout_ms,
            vectors.kind().name(),
            text(&id.model),
            text(&id.serial),
            text(&id.firmware),
            name,
            ns.blocks,
            block,
            ctrl.queue_count(),
            depth,
            max_sectors / 2,
            id.write_cache
        );
        Ok(KBox::pin(
            NvmePci {
                disk: Some(disk),
                name,
                irq,
                ctrl,
            },
            GFP_KERNEL,
        )?)
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
