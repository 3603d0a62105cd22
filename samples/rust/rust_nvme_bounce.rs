// SPDX-License-Identifier: GPL-2.0

//! Rust NVMe-like sample driver that pushes the swiotlb bounce buffers past their pools.
//!
//! A simulated controller (`nvme_bounce/controller.rs`) with queue pairs in coherent memory,
//! doorbells, phase bits and a completion "interrupt", behind a device whose every mapping
//! bounces through a small pool of its own; a driver (`nvme_bounce/driver.rs`) that writes
//! patterns and reads them back through `kernel::dma`, over-subscribing the pool from sleeping
//! and atomic contexts. Built in, it runs once at boot and prints
//!
//! `nvme-bounce: ios=<n> verified=<n> errors=<n> waited=<n> transient=<n> failed_maps=<n>`
//!
//! followed by the swiotlb counters. See Documentation/core-api/swiotlb-nvme-sample.rst.

use kernel::{prelude::*, str::CStr};

#[path = "nvme_bounce/controller.rs"]
mod controller;
#[path = "nvme_bounce/driver.rs"]
mod driver;

use driver::{Driver, Mode, Params};

module! {
    type: NvmeBounce,
    name: "rust_nvme_bounce",
    author: "The swiotlb project",
    description: "Rust NVMe-like sample over swiotlb bounce buffers",
    license: "GPL",
}

// Declared in nvme_bounce_params.c: this kernel's Rust has no module parameters.
extern "C" {
    static nvme_bounce_queues: kernel::ffi::c_uint;
    static nvme_bounce_depth: kernel::ffi::c_uint;
    static nvme_bounce_io_kb: kernel::ffi::c_uint;
    static nvme_bounce_count: kernel::ffi::c_uint;
    static nvme_bounce_mode: *const kernel::ffi::c_char;
    static nvme_bounce_pool_kb: kernel::ffi::c_uint;
    static nvme_bounce_reserve_kb: kernel::ffi::c_uint;
    static nvme_bounce_latency_us: kernel::ffi::c_uint;
}

/// Reads and checks the parameters.
fn params() -> Result<Params> {
    // SAFETY: The parameters are plain variables, set on the command line before any initcall
    // and read-only (0444) afterwards; `nvme_bounce_mode` points to a NUL-terminated string.
    let (queues, depth, io_kb, count, mode, pool_kb, reserve_kb, latency_us) = unsafe {
        (
            nvme_bounce_queues,
            nvme_bounce_depth,
            nvme_bounce_io_kb,
            nvme_bounce_count,
            CStr::from_char_ptr(nvme_bounce_mode),
            nvme_bounce_pool_kb,
            nvme_bounce_reserve_kb,
            nvme_bounce_latency_us,
        )
    };
    let mode = match mode.as_bytes() {
        b"mixed" => Mode::Mixed,
        b"sleep" => Mode::Sleep,
        b"atomic" => Mode::Atomic,
        _ => {
            pr_err!("nvme-bounce: mode must be mixed, sleep or atomic\n");
            return Err(EINVAL);
        }
    };
    if !(1..=8).contains(&queues)
        || !(1..=64).contains(&depth)
        || !(1..=256).contains(&io_kb)
        || pool_kb == 0
    {
        pr_err!("nvme-bounce: queues 1-8, depth 1-64, io_kb 1-256 and pool_kb > 0, please\n");
        return Err(EINVAL);
    }
    Ok(Params {
        queues: queues as usize,
        depth: depth as usize,
        io_bytes: io_kb as usize * 1024,
        count: count as usize,
        mode,
        pool_bytes: pool_kb as usize * 1024,
        reserve_bytes: reserve_kb as usize * 1024,
        latency_us,
    })
}

struct NvmeBounce;

impl kernel::Module for NvmeBounce {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let p = params()?;
        if p.count == 0 {
            pr_info!("nvme-bounce: count=0, nothing to do\n");
            return Ok(NvmeBounce);
        }
        pr_info!(
            "nvme-bounce: {} queues x {} deep, {} KiB I/Os, {} blocks, {} KiB pool ({}x over)\n",
            p.queues,
            p.depth,
            p.io_bytes / 1024,
            p.count,
            p.pool_bytes / 1024,
            (p.queues * p.depth * p.io_bytes) / p.pool_bytes
        );
        // Stopped and disconnected when it goes, on every path out of here.
        let driver = Driver::start(&p)?;
        let s = driver.run(p.reserve_bytes)?;
        pr_info!(
            "nvme-bounce: ios={} verified={} errors={} waited={} transient={} failed_maps={}\n",
            s.ios,
            s.verified,
            s.errors,
            s.waited,
            s.transient,
            s.failed_maps
        );
        driver.report(&s);
        drop(driver);
        Ok(NvmeBounce)
    }
}
