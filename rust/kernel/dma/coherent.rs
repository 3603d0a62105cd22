// SPDX-License-Identifier: GPL-2.0

//! [`CoherentBuffer`]: memory a driver and its device share for as long as it lives.

use super::DmaAddress;
use crate::{alloc::Flags, bindings, device::Device, error::code::*, prelude::*, types::ARef};
use core::{
    ptr::NonNull,
    sync::atomic::{fence, Ordering},
};

/// Memory shared with a device (`dma_alloc_coherent()`): rings, descriptors, anything both
/// sides read and write while the other runs. It never bounces.
///
/// The device may write the memory at any time, so the CPU reaches it only by copying, with
/// volatile accesses: [`CoherentBuffer::read`] and [`CoherentBuffer::write`], both bounds
/// checked.
///
/// # Invariants
///
/// `cpu` points to `len > 0` bytes allocated by `dma_alloc_coherent()` for `dev`, whose device
/// address is `handle`; they are freed when `self` is dropped.
///
/// # Examples
///
/// ```
/// use kernel::c_str;
/// use kernel::dma::{CoherentBuffer, TestDevice};
///
/// let dev = TestDevice::new(c_str!("doc-coherent"), 32 * 1024)?;
/// let ring = CoherentBuffer::alloc(&dev, 4096, GFP_KERNEL)?;
/// ring.write(4088, b"doorbell")?;
/// let mut seen = [0u8; 8];
/// // SAFETY: `ring` is this device's coherent memory, 4096 bytes long.
/// unsafe { dev.dma_read(ring.dma_address() + 4088, &mut seen)? };
/// assert_eq!(&seen, b"doorbell");
/// // SAFETY: As above.
/// unsafe { dev.dma_write(ring.dma_address(), b"cqe")? };
/// let mut cqe = [0u8; 3];
/// ring.read(0, &mut cqe)?;
/// assert_eq!(&cqe, b"cqe");
/// assert_eq!(ring.write(4090, b"too long"), Err(EINVAL));
/// # Ok::<(), Error>(())
/// ```
pub struct CoherentBuffer {
    dev: ARef<Device>,
    cpu: NonNull<u8>,
    handle: DmaAddress,
    len: usize,
}

impl CoherentBuffer {
    /// Allocates `len` zeroed bytes shared with `dev`.
    ///
    /// Context: may sleep if `flags` allows it.
    pub fn alloc(dev: &Device, len: usize, flags: Flags) -> Result<Self> {
        if len == 0 {
            return Err(EINVAL);
        }
        let mut handle: DmaAddress = 0;
        // SAFETY: `dev` is a live device and `handle` a valid place to write to.
        let cpu =
            unsafe { bindings::dma_alloc_coherent(dev.as_raw(), len, &mut handle, flags.as_raw()) };
        let cpu = NonNull::new(cpu.cast::<u8>()).ok_or(ENOMEM)?;
        // INVARIANT: just allocated, `len` bytes at `cpu` and `handle`.
        Ok(CoherentBuffer {
            dev: dev.into(),
            cpu,
            handle,
            len,
        })
    }

    /// The device's address of the memory.
    pub fn dma_address(&self) -> DmaAddress {
        self.handle
    }

    /// The size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: empty buffers are not allocated.
    pub fn is_empty(&self) -> bool {
        false
    }

    fn check(&self, offset: usize, count: usize) -> Result {
        match offset.checked_add(count) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(EINVAL),
        }
    }

    /// Copies `out.len()` bytes at `offset` into `out`, after what the device wrote before.
    /// Fails with `EINVAL` past the end.
    pub fn read(&self, offset: usize, out: &mut [u8]) -> Result {
        self.check(offset, out.len())?;
        fence(Ordering::SeqCst);
        for (i, byte) in out.iter_mut().enumerate() {
            // SAFETY: `offset + i < len` was checked; by the type invariants the memory is
            // allocated. Volatile: the device may write it concurrently.
            *byte = unsafe { self.cpu.as_ptr().add(offset + i).read_volatile() };
        }
        Ok(())
    }

    /// Copies `data` to `offset`, visible to the device before anything the CPU does next
    /// (a doorbell). Fails with `EINVAL` past the end.
    pub fn write(&self, offset: usize, data: &[u8]) -> Result {
        self.check(offset, data.len())?;
        for (i, byte) in data.iter().enumerate() {
            // SAFETY: As in `read`.
            unsafe { self.cpu.as_ptr().add(offset + i).write_volatile(*byte) };
        }
        fence(Ordering::SeqCst);
        Ok(())
    }
}

impl Drop for CoherentBuffer {
    fn drop(&mut self) {
        // SAFETY: By the type invariants the memory was allocated for `dev` with these
        // parameters; it is freed once, here.
        unsafe {
            bindings::dma_free_coherent(
                self.dev.as_raw(),
                self.len,
                self.cpu.as_ptr().cast(),
                self.handle,
            )
        };
    }
}

// SAFETY: The memory is only reached through copies with bounds checks; the C functions used
// may be called from any thread.
unsafe impl Send for CoherentBuffer {}

// SAFETY: `read` and `write` through `&self` only make volatile copies, which is what concurrent
// access by the device needs anyway; no reference into the memory is ever handed out.
unsafe impl Sync for CoherentBuffer {}
