// SPDX-License-Identifier: GPL-2.0

//! Interrupt handlers.
//!
//! C header: [`include/linux/interrupt.h`](srctree/include/linux/interrupt.h)
//!
//! A [`Registration`] owns a handler and keeps it registered for one interrupt line: the handler
//! can run from the moment the registration exists until it is dropped, and dropping it waits
//! for a running handler to return before the handler's memory goes. Put the registration in the
//! driver's data and the handler is gone before the rest of that data is.
//!
//! Where interrupt numbers come from is up to the bus: [`crate::pci::IrqVectors`] hands out
//! registrations for the vectors of a PCI function without `unsafe`.

use crate::{
    alloc::{flags::GFP_KERNEL, KBox},
    bindings,
    error::{to_result, Error, Result},
    init::{InPlaceInit, PinInit},
    str::CStr,
};
use core::{ffi::c_void, pin::Pin};

/// What a handler did about an interrupt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqReturn {
    /// The interrupt was not from this device (a shared line).
    None,
    /// The interrupt was this device's and has been dealt with.
    Handled,
    /// The interrupt was this device's; the rest of the work is for the handler's thread
    /// ([`Handler::handle_thread`]), which runs next. Only for handlers with
    /// [`Handler::THREADED`] set.
    WakeThread,
}

/// An interrupt handler.
///
/// It runs in hard interrupt context, possibly on another CPU than the code that holds the
/// [`Registration`], hence `Sync`.
///
/// A handler with [`Handler::THREADED`] set also gets a kernel thread of its own: its
/// [`Handler::handle_irq`] quiets the device and returns [`IrqReturn::WakeThread`], and the
/// thread then runs [`Handler::handle_thread`] in process context, where it may take locks that
/// process context holds with interrupts enabled, and sleep.
pub trait Handler: Send + Sync + 'static {
    /// Whether the registration gives the handler a thread.
    const THREADED: bool = false;

    /// Deals with one interrupt.
    ///
    /// Context: hard interrupt, interrupts disabled; must not sleep.
    fn handle_irq(&self) -> IrqReturn;

    /// Does the work of an interrupt for which [`Handler::handle_irq`] returned
    /// [`IrqReturn::WakeThread`]; only called if [`Handler::THREADED`] is set.
    ///
    /// Context: the handler's kernel thread; may sleep.
    fn handle_thread(&self) -> IrqReturn {
        IrqReturn::Handled
    }
}

/// Flags of a registration (`IRQF_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags(crate::ffi::c_ulong);

impl Flags {
    /// No flag: the line is the handler's alone.
    pub const NONE: Flags = Flags(0);
    /// The line may be shared with other handlers, which must then return [`IrqReturn::None`]
    /// for interrupts that are not theirs.
    pub const SHARED: Flags = Flags(bindings::IRQF_SHARED as crate::ffi::c_ulong);
}

/// A handler registered for an interrupt line.
///
/// # Invariants
///
/// `handler` is registered with `request_threaded_irq()` for `irq`, with the address of the
/// handler as the cookie, from creation until `drop`.
pub struct Registration<H: Handler> {
    irq: u32,
    handler: Pin<KBox<H>>,
}

impl<H: Handler> Registration<H> {
    /// Allocates the handler and registers it for `irq`, under `name` (as `/proc/interrupts`
    /// shows it).
    ///
    /// The handler may run before this function returns.
    ///
    /// Context: process context, may sleep.
    ///
    /// # Safety
    ///
    /// `irq` must be an interrupt number that stays allocated until the returned registration is
    /// dropped.
    pub unsafe fn new(
        irq: u32,
        flags: Flags,
        name: &'static CStr,
        handler: impl PinInit<H, Error>,
    ) -> Result<Self> {
        let handler = KBox::pin_init(handler, GFP_KERNEL)?;
        let cookie = (&*handler as *const H).cast_mut().cast::<c_void>();
        // SAFETY: `irq` is allocated (safety requirements); `name` lives forever; `cookie`
        // points to the handler, which lives in its box at least until `free_irq()` in `drop`,
        // and is only used by `handle_irq_callback::<H>` as a shared `&H`.
        to_result(unsafe {
            bindings::request_threaded_irq(
                irq,
                Some(handle_irq_callback::<H>),
                if H::THREADED {
                    Some(handle_thread_callback::<H>)
                } else {
                    None
                },
                flags.0,
                name.as_char_ptr(),
                cookie,
            )
        })?;
        // INVARIANT: registered just above.
        Ok(Registration { irq, handler })
    }

    /// The interrupt number.
    pub fn irq(&self) -> u32 {
        self.irq
    }

    /// The handler, shared with the interrupt.
    pub fn handler(&self) -> Pin<&H> {
        self.handler.as_ref()
    }
}

impl<H: Handler> Drop for Registration<H> {
    /// Unregisters the handler; waits for it to return if it is running.
    ///
    /// Context: process context, may sleep.
    fn drop(&mut self) {
        let cookie = (&*self.handler as *const H).cast_mut().cast::<c_void>();
        // SAFETY: By the type invariants the handler is registered for `irq` with this cookie,
        // and `irq` is still allocated (safety requirements of `new`). `free_irq()` returns once
        // no call of the handler runs any more, so the box can be freed afterwards.
        unsafe { bindings::free_irq(self.irq, cookie) };
    }
}

/// The C entry point of a handler of type `H`.
///
/// # Safety
///
/// `cookie` must be the address of an `H` that lives until this call returns.
unsafe extern "C" fn handle_irq_callback<H: Handler>(
    _irq: crate::ffi::c_int,
    cookie: *mut c_void,
) -> bindings::irqreturn_t {
    // SAFETY: By the safety requirements, and only shared references to the handler exist.
    let handler = unsafe { &*cookie.cast::<H>() };
    handler.handle_irq().as_raw()
}

/// The C entry point of the thread of a handler of type `H`.
///
/// # Safety
///
/// As for [`handle_irq_callback`].
unsafe extern "C" fn handle_thread_callback<H: Handler>(
    _irq: crate::ffi::c_int,
    cookie: *mut c_void,
) -> bindings::irqreturn_t {
    // SAFETY: By the safety requirements, and only shared references to the handler exist.
    let handler = unsafe { &*cookie.cast::<H>() };
    handler.handle_thread().as_raw()
}

impl IrqReturn {
    fn as_raw(self) -> bindings::irqreturn_t {
        match self {
            IrqReturn::None => bindings::irqreturn_IRQ_NONE,
            IrqReturn::Handled => bindings::irqreturn_IRQ_HANDLED,
            IrqReturn::WakeThread => bindings::irqreturn_IRQ_WAKE_THREAD,
        }
    }
}
