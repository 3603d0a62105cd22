// SPDX-License-Identifier: GPL-2.0

//! [`Coherent`]: typed memory a driver and its device share for as long as it lives.

use super::DmaAddress;
use crate::page::PAGE_SIZE;
use crate::{
    alloc::Flags,
    bindings,
    device::Device,
    error::code::*,
    prelude::*,
    types::{ARef, AsBytes, FromBytes},
};
use core::{
    marker::PhantomData,
    mem::{align_of, size_of},
    ptr::NonNull,
};

/// An array of `T` in memory shared with a device (`dma_alloc_coherent()`): rings, descriptors,
/// anything both sides read and write while the other runs. It never bounces.
///
/// `T` is plain data ([`FromBytes`] and [`AsBytes`]: any bytes the device writes are a valid
/// `T`, and a `T` has no padding to leak), `Copy`, and laid out as the device expects
/// (`#[repr(C)]`, with the device's byte order).
///
/// The device may write the memory at any time, so the CPU never holds a reference into it: it
/// reads and writes with volatile accesses, either a whole element ([`Coherent::read`],
/// [`Coherent::write`]) or one field ([`coherent_read!`](crate::coherent_read),
/// [`coherent_write!`](crate::coherent_write)). A field of a naturally aligned primitive type
/// (`u16`, `u32`, `u64` on 64-bit) is read or written with one access, so it does not tear, as a
/// completion entry's status and phase must not; a whole element may take several. Order
/// accesses against the device's with [`dma_rmb`] (after reading the field that says an entry
/// is valid, before reading the rest) and [`dma_wmb`] (after writing an entry, before publishing
/// it). Writers need `&mut self`: two CPU writers cannot race; put the buffer under a lock to
/// share it.
///
/// Why safe code cannot reach the memory by reference: the field macros name the element type
/// and check the field path with `core::mem::offset_of!`, which only accepts fields of the
/// type itself, so a path that would go through a `Deref`/`DerefMut` impl of the element (and
/// so make a `&T`/`&mut T` into memory the device writes, or point outside the allocation)
/// does not compile; so does a field of a `#[repr(packed)]` element that is not aligned for
/// its type, and a `T` aligned to more than a page. (The kernel's doctest runner builds every
/// example into the kernel, so these refusals cannot be shown as `compile_fail` examples.)
///
/// Dropping frees the memory. Quiesce the device first (stop it, so that it no longer reads or
/// writes the memory): the type cannot check that the device is done, as the device learned
/// the address from the driver, outside the type system. A device left running writes freed
/// memory.
///
/// Device lifetime: the buffer holds a reference to its device, which keeps the
/// `struct device` allocated but not bound to its driver. Free it before the driver's `remove`
/// returns (this kernel has no bound-device scope to enforce it).
///
/// # Invariants
///
/// `cpu` points to `count > 0` elements of `T` (`count * size_of::<T>()` bytes, which does not
/// overflow), allocated by `dma_alloc_coherent()` for `dev`, whose device address is `handle`;
/// they are freed when `self` is dropped, and only then. `cpu` is aligned to `PAGE_SIZE`, and
/// `align_of::<T>() <= PAGE_SIZE`, so every element is aligned for `T`.
///
/// # Examples
///
/// ```
/// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
/// use kernel::c_str;
/// use kernel::dma::{dma_rmb, Coherent, TestDevice};
/// use kernel::{coherent_read, coherent_write};
///
/// #[derive(Clone, Copy)]
/// #[repr(C)]
/// struct Entry {
///     cookie: u32,
///     ready: u16,
///     pad: u16,
/// }
/// // SAFETY: `Entry` is made of integers only: any bytes are a valid `Entry`, and it has no
/// // padding.
/// unsafe impl kernel::types::FromBytes for Entry {}
/// // SAFETY: As above.
/// unsafe impl kernel::types::AsBytes for Entry {}
///
/// let dev = TestDevice::new(c_str!("doc-coherent"), 32 * 1024)?;
/// let mut ring = Coherent::<Entry>::alloc(&dev, 4, GFP_KERNEL)?;
/// assert_eq!(ring.count(), 4);
/// assert_eq!(coherent_read!(ring, Entry, [3].ready)?, 0);
///
/// coherent_write!(ring, Entry, [1].cookie, 0xfeed)?;
/// let mut seen = [0u8; 4];
/// // SAFETY: `ring` is coherent memory of this device, 32 bytes long.
/// unsafe { dev.dma_read(ring.dma_address_of(1)?, &mut seen)? };
/// assert_eq!(u32::from_ne_bytes(seen), 0xfeed);
///
/// // The device fills entry 2: its payload, then the flag.
/// // SAFETY: As above.
/// unsafe { dev.dma_write(ring.dma_address_of(2)?, &7u32.to_ne_bytes())? };
/// // SAFETY: As above.
/// unsafe { dev.dma_write(ring.dma_address_of(2)? + 4, &1u16.to_ne_bytes())? };
/// assert_eq!(coherent_read!(ring, Entry, [2].ready)?, 1);
/// dma_rmb();
/// assert_eq!(coherent_read!(ring, Entry, [2].cookie)?, 7);
/// assert_eq!(ring.read(2)?.cookie, 7);
///
/// assert_eq!(coherent_read!(ring, Entry, [4].ready).err(), Some(EINVAL));
/// assert_eq!(ring.write(4, Entry { cookie: 0, ready: 0, pad: 0 }).err(), Some(EINVAL));
/// # }
/// # Ok::<(), Error>(())
/// ```
///
/// The fields of a packed element can be reached when they are aligned for their type in every
/// element (checked at compile time):
///
/// ```
/// # #[cfg(CONFIG_SWIOTLB_TEST_DEVICE)] {
/// use kernel::c_str;
/// use kernel::dma::{Coherent, TestDevice};
/// use kernel::{coherent_read, coherent_write};
///
/// #[derive(Clone, Copy)]
/// #[repr(C, packed)]
/// struct Prp {
///     kind: u8,
///     flags: u8,
///     len: u16,
///     addr: u32,
/// }
/// // SAFETY: Integers only, packed: any bytes are a valid `Prp`, and it has no padding.
/// unsafe impl kernel::types::FromBytes for Prp {}
/// // SAFETY: As above.
/// unsafe impl kernel::types::AsBytes for Prp {}
///
/// let dev = TestDevice::new(c_str!("doc-coherent-packed"), 32 * 1024)?;
/// let mut ring = Coherent::<Prp>::alloc(&dev, 3, GFP_KERNEL)?;
/// coherent_write!(ring, Prp, [2].len, 0x1234)?;
/// coherent_write!(ring, Prp, [2].addr, 0xdead_beef)?;
/// assert_eq!(coherent_read!(ring, Prp, [2].len)?, 0x1234);
/// assert_eq!(coherent_read!(ring, Prp, [2].addr)?, 0xdead_beef);
/// assert_eq!(coherent_read!(ring, Prp, [1].kind)?, 0);
/// # }
/// # Ok::<(), Error>(())
/// ```
pub struct Coherent<T: AsBytes + FromBytes + Copy> {
    dev: ARef<Device>,
    cpu: NonNull<T>,
    handle: DmaAddress,
    count: usize,
    _elements: PhantomData<T>,
}

impl<T: AsBytes + FromBytes + Copy> Coherent<T> {
    /// Allocates `count` zeroed elements shared with `dev`.
    ///
    /// Fails with `EINVAL` for no element or a size that overflows, and `ENOMEM`. A `T` aligned
    /// to more than a page does not compile.
    ///
    /// Context: process context if `flags` allows sleeping; never with interrupts off.
    pub fn alloc(dev: &Device, count: usize, flags: Flags) -> Result<Self> {
        const {
            assert!(
                align_of::<T>() <= PAGE_SIZE,
                "Coherent<T> needs align_of::<T>() <= PAGE_SIZE"
            )
        };
        let bytes = match count.checked_mul(size_of::<T>()) {
            Some(bytes) if bytes > 0 => bytes,
            _ => return Err(EINVAL),
        };
        let mut handle: DmaAddress = 0;
        // SAFETY: `dev` is a live device and `handle` a valid place to write to. The memory
        // comes zeroed.
        let cpu = unsafe {
            bindings::dma_alloc_coherent(dev.as_raw(), bytes, &mut handle, flags.as_raw())
        };
        let cpu = NonNull::new(cpu.cast::<T>()).ok_or(ENOMEM)?;
        // The DMA API promises page-aligned memory; check it rather than trust it.
        if cpu.as_ptr() as usize % PAGE_SIZE != 0 {
            // SAFETY: Just allocated for `dev` with this size and address, freed once.
            unsafe {
                bindings::dma_free_coherent(dev.as_raw(), bytes, cpu.as_ptr().cast(), handle)
            };
            return Err(EINVAL);
        }
        // INVARIANT: just allocated, `count` elements at `cpu` and `handle`; `cpu` is page
        // aligned (checked) and `align_of::<T>() <= PAGE_SIZE` (checked at compile time).
        Ok(Coherent {
            dev: dev.into(),
            cpu,
            handle,
            count,
            _elements: PhantomData,
        })
    }

    /// The device's address of the first element.
    #[inline]
    pub fn dma_address(&self) -> DmaAddress {
        self.handle
    }

    /// The device's address of element `i`; `EINVAL` past the end.
    #[inline]
    pub fn dma_address_of(&self, i: usize) -> Result<DmaAddress> {
        if i >= self.count {
            return Err(EINVAL);
        }
        // By the type invariants `i * size_of::<T>()` fits: it is less than the allocation.
        Ok(self.handle + (i * size_of::<T>()) as DmaAddress)
    }

    /// The number of elements.
    #[inline]
    pub fn count(&self) -> usize {
        self.count
    }

    /// The device of the memory.
    #[inline]
    pub fn device(&self) -> &Device {
        &self.dev
    }

    /// A pointer to element `i`, for the field macros; `EINVAL` past the end.
    #[doc(hidden)]
    #[inline]
    pub fn __item(&self, i: usize) -> Result<*mut T> {
        if i >= self.count {
            return Err(EINVAL);
        }
        // SAFETY: `i < count`: by the type invariants the result is within the allocation.
        Ok(unsafe { self.cpu.as_ptr().add(i) })
    }

    /// Reads element `i` as it is now (volatile; it may take several accesses, see the type's
    /// documentation). `EINVAL` past the end.
    #[inline]
    pub fn read(&self, i: usize) -> Result<T> {
        let p = self.__item(i)?;
        // SAFETY: `p` is an element of the allocation, aligned for `T` (type invariants: page
        // aligned start, `align_of::<T>() <= PAGE_SIZE`, elements `size_of::<T>()` apart); any
        // bytes are a valid `T` (`FromBytes`). Volatile: the device may write it concurrently.
        Ok(unsafe { p.read_volatile() })
    }

    /// Writes element `i` (volatile). `EINVAL` past the end.
    #[inline]
    pub fn write(&mut self, i: usize, value: T) -> Result {
        let p = self.__item(i)?;
        // SAFETY: `p` is an element of the allocation, aligned for `T` (type invariants, as in
        // `read`); `&mut self` excludes other CPU accesses. Volatile: the device may read it
        // concurrently.
        unsafe { p.write_volatile(value) };
        Ok(())
    }
}

/// Whether a field of type `F` at byte offset `OFFSET` of every element of a [`Coherent<T>`] is
/// aligned for `F`: the allocation is page aligned (type invariants of [`Coherent`]), elements
/// are `size_of::<T>()` apart, so it is if `OFFSET`, `size_of::<T>()` and `PAGE_SIZE` are all
/// multiples of `align_of::<F>()`. Only a field of a packed type can fail it.
const fn field_aligned<T, F>(offset: usize) -> bool {
    let align = align_of::<F>();
    offset % align == 0 && size_of::<T>() % align == 0 && PAGE_SIZE % align == 0
}

/// Reads one field of a coherent element, the way [`coherent_read!`](crate::coherent_read)
/// does. `OFFSET` is the field's `offset_of!` in `T`; a misaligned field (of a packed type) is
/// refused at compile time.
///
/// # Safety
///
/// `item` must point to an element of a live [`Coherent<T>`], and `field` to the field at byte
/// offset `OFFSET` of that element, of type `F`.
#[doc(hidden)]
#[inline]
pub unsafe fn __read_field<T, F: FromBytes + Copy, const OFFSET: usize>(
    item: *const T,
    field: *const F,
) -> F {
    const {
        assert!(
            field_aligned::<T, F>(OFFSET),
            "misaligned field of a packed type"
        )
    };
    debug_assert_eq!(field as usize, item as usize + OFFSET);
    // SAFETY: The caller guarantees `field` is the field at `OFFSET` of an element of a live
    // allocation; it is aligned for `F` (checked above at compile time, given the page-aligned
    // allocation), and any bytes are a valid `F`. Volatile: the device may write it.
    unsafe { field.read_volatile() }
}

/// Writes one field of a coherent element, the way [`coherent_write!`](crate::coherent_write)
/// does. `OFFSET` is as for [`__read_field`].
///
/// # Safety
///
/// As [`__read_field`], and the caller holds the [`Coherent<T>`] by `&mut`.
#[doc(hidden)]
#[inline]
pub unsafe fn __write_field<T, F: AsBytes + Copy, const OFFSET: usize>(
    item: *mut T,
    field: *mut F,
    value: F,
) {
    const {
        assert!(
            field_aligned::<T, F>(OFFSET),
            "misaligned field of a packed type"
        )
    };
    debug_assert_eq!(field as usize, item as usize + OFFSET);
    // SAFETY: As the caller guarantees; aligned as in `__read_field`. `&mut` on the buffer
    // excludes other CPU accesses. Volatile: the device may read it.
    unsafe { field.write_volatile(value) };
}

/// Reads a field of an element of a [`Coherent`](crate::dma::Coherent) with one volatile
/// access: `coherent_read!(buf, Type, [index].field.subfield)`, where `Type` is the element
/// type of `buf`. Returns `Result<F>`: `EINVAL` for an index past the end.
///
/// The path must name fields of `Type` (and of its fields' types) themselves: the macro checks
/// it with `core::mem::offset_of!(Type, field.subfield)`, which never goes through a `Deref`
/// impl, so a projection cannot call user code or leave the element (a path that would
/// auto-deref does not compile). A field that is not aligned for its type (of a
/// `#[repr(packed)]` element) does not compile either.
///
/// See the example of [`Coherent`](crate::dma::Coherent).
#[macro_export]
macro_rules! coherent_read {
    ($buf:expr, $t:ty, [$i:expr] $(.$field:ident)+) => {{
        let buf: &$crate::dma::Coherent<$t> = &$buf;
        match buf.__item($i) {
            // SAFETY: `item` points to an element (of type `$t`) of `buf`'s live allocation.
            // `offset_of!($t, ..)` compiles only if every name of the path is a field of the
            // type before it, so the projection below names the same fields (a field is found
            // before any `Deref` target), never calls `Deref`, and stays within the element at
            // that offset.
            Ok(item) => Ok(unsafe {
                $crate::dma::__read_field::<
                    $t,
                    _,
                    { ::core::mem::offset_of!($t, $($field).+) },
                >(item, ::core::ptr::addr_of!((*item)$(.$field)+))
            }),
            Err(e) => Err(e),
        }
    }};
}

/// Writes a field of an element of a [`Coherent`](crate::dma::Coherent) with one volatile
/// access: `coherent_write!(buf, Type, [index].field, value)`, which needs `buf` by `&mut`.
/// Returns `Result`: `EINVAL` for an index past the end. The path is checked as for
/// [`coherent_read!`](crate::coherent_read).
///
/// See the example of [`Coherent`](crate::dma::Coherent).
#[macro_export]
macro_rules! coherent_write {
    ($buf:expr, $t:ty, [$i:expr] $(.$field:ident)+, $value:expr) => {{
        let value = $value;
        let buf: &mut $crate::dma::Coherent<$t> = &mut $buf;
        match buf.__item($i) {
            // SAFETY: `item` points to an element (of type `$t`) of `buf`'s live allocation,
            // held by `&mut`; the projection names fields only, never `Deref`, as in
            // `coherent_read!`.
            Ok(item) => {
                unsafe {
                    $crate::dma::__write_field::<
                        $t,
                        _,
                        { ::core::mem::offset_of!($t, $($field).+) },
                    >(item, ::core::ptr::addr_of_mut!((*item)$(.$field)+), value)
                };
                Ok(())
            }
            Err(e) => Err(e),
        }
    }};
}

/// Orders the CPU's reads of coherent memory: reads after it see what the device wrote before
/// the data read before it (`dma_rmb()`): read the flag that says an entry is ready, then
/// `dma_rmb()`, then the entry.
///
/// Context: any.
#[inline]
pub fn dma_rmb() {
    // SAFETY: A barrier has no precondition.
    unsafe { bindings::dma_rmb() };
}

/// Orders the CPU's writes to coherent memory (`dma_wmb()`): the device sees the writes before
/// it before those after it: write an entry, then `dma_wmb()`, then the flag or index that
/// publishes it.
///
/// Context: any.
#[inline]
pub fn dma_wmb() {
    // SAFETY: A barrier has no precondition.
    unsafe { bindings::dma_wmb() };
}

impl<T: AsBytes + FromBytes + Copy> Drop for Coherent<T> {
    /// Frees the memory; the device must be quiesced (see the type's documentation).
    ///
    /// Context: process context, interrupts on (`dma_free_coherent()` may unmap pages).
    fn drop(&mut self) {
        // SAFETY: By the type invariants the memory was allocated for `dev` with this size; it
        // is freed once, here.
        unsafe {
            bindings::dma_free_coherent(
                self.dev.as_raw(),
                self.count * size_of::<T>(),
                self.cpu.as_ptr().cast(),
                self.handle,
            )
        };
    }
}

// SAFETY: The memory is reached only through volatile accesses of plain data; the C functions
// used may be called from any thread.
unsafe impl<T: AsBytes + FromBytes + Copy + Send> Send for Coherent<T> {}

// SAFETY: Through `&self` the CPU only reads (volatile, plain data, no reference into the
// memory); writes need `&mut self`, so no two CPU writers, nor a writer and a reader, share it.
unsafe impl<T: AsBytes + FromBytes + Copy + Sync> Sync for Coherent<T> {}
