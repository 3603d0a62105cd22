// SPDX-License-Identifier: GPL-2.0

//! The driver's parameters: Rust atomics that `nvme_pci_params.c` registers as module
//! parameters (`rnvme.<name>` on the kernel command line), read at probe.

use core::sync::atomic::{AtomicU32, Ordering};

macro_rules! params {
    ($($(#[$doc:meta])* $name:ident: $symbol:literal = $default:expr;)*) => {
        $(
            $(#[$doc])*
            #[export_name = $symbol]
            pub(crate) static $name: AtomicU32 = AtomicU32::new($default);
        )*
    };
}

params! {
    /// I/O queue pairs asked of the controller: one per CPU (the block layer makes no more
    /// hardware contexts than CPUs), at most this many.
    IO_QUEUES: "rnvme_io_queues" = 16;
    /// Entries per I/O queue.
    DEPTH: "rnvme_depth" = 64;
    /// Time an I/O command may take, in milliseconds.
    TIMEOUT_MS: "rnvme_timeout_ms" = 30_000;
    /// The Nth I/O command (from 1) is kept from the controller.
    INJECT_LOST: "rnvme_inject_lost" = 0;
    /// The Nth I/O command (from 1) names a namespace that does not exist.
    INJECT_BAD_NSID: "rnvme_inject_bad_nsid" = 0;
    /// Send a flush under a command id no request has, at probe.
    INJECT_STRAY_CID: "rnvme_inject_stray_cid" = 0;
    /// Wait for the controller to become ready without enabling it.
    INJECT_NEVER_READY: "rnvme_inject_never_ready" = 0;
    /// Take namespace 1 as empty.
    INJECT_EMPTY_NS: "rnvme_inject_empty_ns" = 0;
}

/// The value of a parameter. The command line sets them before the driver's initcall; they
/// are read-only afterwards (mode 0444).
pub(crate) fn get(param: &AtomicU32) -> u32 {
    param.load(Ordering::Relaxed)
}
