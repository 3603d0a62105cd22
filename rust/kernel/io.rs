// SPDX-License-Identifier: GPL-2.0

//! Memory-mapped I/O: register access with bounds checks, and polling with a deadline.
//!
//! C header: [`include/linux/io.h`](srctree/include/linux/io.h)
//!
//! [`Io`] is a window of device registers that some owner (such as [`crate::pci::Bar`]) has
//! mapped. Its accessors come in two kinds:
//!
//! - `read32(offset)`, `write32(value, offset)` and their 8/16/64-bit siblings take an offset
//!   the compiler can see: whether the access fits in the `SIZE` bytes the window is known to
//!   have is decided when the kernel is built, and an access out of bounds (or misaligned) fails
//!   the build instead of the machine.
//! - `try_read32(offset)`, `try_write32(value, offset)` and siblings check the offset at run time
//!   against the length actually mapped, and fail with `EINVAL`.

use crate::{
    bindings,
    error::{code::*, Error, Result},
    time,
};
use core::mem::size_of;

/// A mapped window of device registers, at least `SIZE` bytes long.
///
/// # Invariants
///
/// `addr` is the start of a mapping of device memory of `len` bytes, `len >= SIZE`, that stays
/// mapped for as long as this `Io` exists.
pub struct Io<const SIZE: usize = 0> {
    addr: usize,
    len: usize,
}

macro_rules! accessors {
    ($ty:ty, $read:ident, $try_read:ident, $c_read:ident,
     $write:ident, $try_write:ident, $c_write:ident) => {
        #[doc = concat!("Reads a `", stringify!($ty), "` at `offset`, checked when building.")]
        ///
        /// `offset` must be known to the compiler, aligned to the access and inside `SIZE`;
        /// otherwise the kernel does not link.
        ///
        /// Context: any context.
        #[inline(always)]
        pub fn $read(&self, offset: usize) -> $ty {
            crate::build_assert!(Self::fits::<$ty>(offset, SIZE), "I/O access out of bounds");
            // SAFETY: By the type invariants `addr` maps at least `SIZE` bytes, and the access
            // lies inside them (checked above, when building).
            unsafe { bindings::$c_read((self.addr + offset) as _) }
        }

        #[doc = concat!("Reads a `", stringify!($ty), "` at `offset`, checked at run time.")]
        ///
        /// Fails with `EINVAL` if the access is misaligned or does not lie inside the mapping.
        ///
        /// Context: any context.
        pub fn $try_read(&self, offset: usize) -> Result<$ty> {
            if !Self::fits::<$ty>(offset, self.len) {
                return Err(EINVAL);
            }
            // SAFETY: By the type invariants `addr` maps `len` bytes, and the access lies inside
            // them (checked above).
            Ok(unsafe { bindings::$c_read((self.addr + offset) as _) })
        }

        #[doc = concat!("Writes a `", stringify!($ty), "` at `offset`, checked when building.")]
        ///
        /// `offset` must be known to the compiler, aligned to the access and inside `SIZE`;
        /// otherwise the kernel does not link.
        ///
        /// Context: any context.
        #[inline(always)]
        pub fn $write(&self, value: $ty, offset: usize) {
            crate::build_assert!(Self::fits::<$ty>(offset, SIZE), "I/O access out of bounds");
            // SAFETY: As in the read above.
            unsafe { bindings::$c_write(value, (self.addr + offset) as _) }
        }

        #[doc = concat!("Writes a `", stringify!($ty), "` at `offset`, checked at run time.")]
        ///
        /// Fails with `EINVAL` if the access is misaligned or does not lie inside the mapping.
        ///
        /// Context: any context.
        pub fn $try_write(&self, value: $ty, offset: usize) -> Result {
            if !Self::fits::<$ty>(offset, self.len) {
                return Err(EINVAL);
            }
            // SAFETY: As in the checked read above.
            unsafe { bindings::$c_write(value, (self.addr + offset) as _) };
            Ok(())
        }
    };
}

impl<const SIZE: usize> Io<SIZE> {
    /// Wraps a mapping of `len` bytes of device memory at `addr`.
    ///
    /// Fails with `EINVAL` if `len` is less than `SIZE`.
    ///
    /// # Safety
    ///
    /// `addr` must be the start of a mapping of device memory (as `ioremap()` makes) of at least
    /// `len` bytes, which the caller keeps mapped for as long as the returned `Io` exists.
    pub unsafe fn new(addr: usize, len: usize) -> Result<Self> {
        if len < SIZE {
            return Err(EINVAL);
        }
        // INVARIANT: By the safety requirements, and `len >= SIZE` was checked.
        Ok(Io { addr, len })
    }

    /// The length of the mapping in bytes (at least `SIZE`).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never, for `SIZE > 0`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether an access of a `T` at `offset` is aligned and lies in the first `len` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::io::Io;
    ///
    /// assert!(Io::<16>::fits::<u32>(12, 16));
    /// assert!(!Io::<16>::fits::<u32>(13, 16)); // misaligned
    /// assert!(!Io::<16>::fits::<u64>(16, 16)); // past the end
    /// assert!(!Io::<16>::fits::<u8>(usize::MAX, 16)); // overflows
    /// ```
    #[inline(always)]
    pub const fn fits<T>(offset: usize, len: usize) -> bool {
        if offset % size_of::<T>() != 0 {
            return false;
        }
        match offset.checked_add(size_of::<T>()) {
            Some(end) => end <= len,
            None => false,
        }
    }

    accessors!(u8, read8, try_read8, readb, write8, try_write8, writeb);
    accessors!(u16, read16, try_read16, readw, write16, try_write16, writew);
    accessors!(u32, read32, try_read32, readl, write32, try_write32, writel);
    #[cfg(CONFIG_64BIT)]
    accessors!(u64, read64, try_read64, readq, write64, try_write64, writeq);
}

/// Calls `cond` until it returns `Some`, sleeping `sleep_ms` milliseconds between calls, for at
/// most `timeout_ms` milliseconds.
///
/// `cond` is called once more after the deadline, so a condition met just as the time runs out
/// is not reported as a time-out. Returns what `cond` returned, or fails with `ETIMEDOUT`.
///
/// Context: process context, may sleep.
///
/// # Examples
///
/// ```
/// use kernel::io::poll_timeout;
///
/// let mut calls = 0;
/// let found = poll_timeout(1000, 1, || {
///     calls += 1;
///     (calls == 3).then_some(calls)
/// });
/// assert_eq!(found, Ok(3));
/// let timed_out = poll_timeout(5, 1, || None::<()>).map_err(|e| e.to_errno());
/// assert_eq!(timed_out, Err(-(kernel::bindings::ETIMEDOUT as i32)));
/// ```
pub fn poll_timeout<T>(
    timeout_ms: u32,
    sleep_ms: u32,
    mut cond: impl FnMut() -> Option<T>,
) -> Result<T> {
    let start = time::Ktime::ktime_get();
    loop {
        let late = time::ktime_ms_delta(time::Ktime::ktime_get(), start) > i64::from(timeout_ms);
        if let Some(found) = cond() {
            return Ok(found);
        }
        if late {
            return Err(Error::from_errno(
                -(bindings::ETIMEDOUT as crate::ffi::c_int),
            ));
        }
        // SAFETY: `msleep()` may be called from any process context, which the caller provides.
        unsafe { bindings::msleep(sleep_ms) };
    }
}
