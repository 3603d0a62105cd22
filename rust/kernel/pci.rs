// SPDX-License-Identifier: GPL-2.0

//! PCI drivers: registration, device enabling, BARs and interrupt vectors.
//!
//! C header: [`include/linux/pci.h`](srctree/include/linux/pci.h)
//!
//! A driver implements [`Driver`]: a name, an [`IdTable`] of the functions it handles, and a
//! `probe` that returns the driver's data for one bound function. The data is owned by the
//! binding: it is dropped when the function is unbound (`remove`), after [`Driver::unbind`].
//! A [`Registration`], usually held by the module, registers the driver with the PCI core.
//!
//! Resources come from an [`EnabledDevice`], which `probe` gets with
//! [`Device::enable_device_mem`]:
//!
//! - [`EnabledDevice::iomap_region`] requests a memory BAR and maps it as a [`Bar`], whose
//!   register accessors are bounds-checked ([`crate::io::Io`]);
//! - [`EnabledDevice::alloc_irq_vectors`] allocates MSI-X, MSI or INTx vectors
//!   ([`IrqVectors`]); [`IrqVectors::register`] registers a handler on one of them.
//!
//! Each resource keeps what it depends on alive: an [`IrqRegistration`] keeps its vectors
//! allocated, vectors and BARs keep the function enabled. Whatever order the driver's data
//! drops them in, a handler is unregistered before its vector is freed and the function is
//! disabled only after its last BAR is unmapped and released.

use crate::{
    alloc::{flags::GFP_KERNEL, KBox},
    bindings, device,
    error::{code::*, from_result, to_result, Error, Result},
    init::PinInit,
    io::Io,
    irq,
    str::CStr,
    sync::Arc,
    types::{ARef, AlwaysRefCounted, ForeignOwnable, Opaque},
    ThisModule,
};
use core::{
    marker::PhantomData,
    ops::Deref,
    pin::Pin,
    ptr::NonNull,
    sync::atomic::{AtomicBool, Ordering},
};

/// Matches any vendor, device, subsystem vendor or subsystem device (`PCI_ANY_ID`).
pub const ANY_ID: u32 = !0;

/// One entry of an [`IdTable`]: which functions a driver handles (`struct pci_device_id`).
///
/// # Examples
///
/// ```
/// use kernel::pci::DeviceId;
///
/// // QEMU's NVMe controller, and any NVMe controller by its class code.
/// let qemu = DeviceId::new(0x1b36, 0x0010);
/// let nvme = DeviceId::with_class(0x010802, 0xffffff);
/// assert_eq!((qemu.vendor(), qemu.device()), (0x1b36, 0x0010));
/// assert_eq!(nvme.class(), 0x010802);
/// assert!(!qemu.is_end() && !nvme.is_end() && DeviceId::END.is_end());
/// assert_eq!(nvme.with_data(7).data(), 7);
/// ```
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct DeviceId(bindings::pci_device_id);

impl DeviceId {
    /// The entry that ends a table.
    pub const END: DeviceId = DeviceId(bindings::pci_device_id {
        vendor: 0,
        device: 0,
        subvendor: 0,
        subdevice: 0,
        class: 0,
        class_mask: 0,
        driver_data: 0,
        override_only: 0,
    });

    /// Matches the functions with this vendor and device ID, any subsystem.
    pub const fn new(vendor: u32, device: u32) -> Self {
        DeviceId(bindings::pci_device_id {
            vendor,
            device,
            subvendor: ANY_ID,
            subdevice: ANY_ID,
            class: 0,
            class_mask: 0,
            driver_data: 0,
            override_only: 0,
        })
    }

    /// Matches the functions whose class code (class, subclass, programming interface: 24 bits)
    /// equals `class` in the bits of `mask`, any vendor.
    pub const fn with_class(class: u32, mask: u32) -> Self {
        DeviceId(bindings::pci_device_id {
            vendor: ANY_ID,
            device: ANY_ID,
            subvendor: ANY_ID,
            subdevice: ANY_ID,
            class,
            class_mask: mask,
            driver_data: 0,
            override_only: 0,
        })
    }

    /// The same entry with a value of the driver's, which `probe` gets back ([`Self::data`]).
    pub const fn with_data(mut self, data: usize) -> Self {
        self.0.driver_data = data;
        self
    }

    /// The vendor ID to match, or [`ANY_ID`].
    pub const fn vendor(&self) -> u32 {
        self.0.vendor
    }

    /// The device ID to match, or [`ANY_ID`].
    pub const fn device(&self) -> u32 {
        self.0.device
    }

    /// The class code to match (under the class mask).
    pub const fn class(&self) -> u32 {
        self.0.class
    }

    /// The driver's value of this entry.
    pub const fn data(&self) -> usize {
        self.0.driver_data
    }

    /// Whether this is the entry that ends a table (all zero, as the PCI core sees it).
    pub const fn is_end(&self) -> bool {
        self.0.vendor == 0 && self.0.subvendor == 0 && self.0.class_mask == 0
    }
}

/// The ID table of a driver: entries that end with [`DeviceId::END`].
///
/// Made in a constant, a table without its end or with an early one does not build.
///
/// # Examples
///
/// ```
/// use kernel::pci::{DeviceId, IdTable};
///
/// const TABLE: IdTable = IdTable::new(&[DeviceId::new(0x1b36, 0x0010), DeviceId::END]);
/// assert_eq!(TABLE.entries().len(), 1);
/// assert_eq!(TABLE.entries()[0].device(), 0x0010);
/// ```
///
/// Without the [`DeviceId::END`], or with one before the last entry, evaluating the constant
/// panics, which is a build error.
#[derive(Clone, Copy)]
pub struct IdTable(&'static [DeviceId]);

impl IdTable {
    /// Makes a table of `ids`, whose last entry, and only that one, must be [`DeviceId::END`].
    ///
    /// Meant for constants, where a wrong table stops the build.
    pub const fn new(ids: &'static [DeviceId]) -> Self {
        assert!(!ids.is_empty(), "a PCI ID table needs DeviceId::END last");
        let mut i = 0;
        while i < ids.len() - 1 {
            assert!(
                !ids[i].is_end(),
                "DeviceId::END before the end of a PCI ID table"
            );
            i += 1;
        }
        assert!(ids[i].is_end(), "a PCI ID table needs DeviceId::END last");
        IdTable(ids)
    }

    /// The entries, without the end.
    pub fn entries(&self) -> &'static [DeviceId] {
        &self.0[..self.0.len() - 1]
    }

    fn as_ptr(&self) -> *const bindings::pci_device_id {
        self.0.as_ptr().cast()
    }
}

/// A PCI function (`struct pci_dev`).
///
/// # Invariants
///
/// The wrapped `struct pci_dev` is valid: instances only exist behind references the PCI core
/// keeps alive, or as [`ARef`]s, which hold a reference (`pci_dev_get()`).
#[repr(transparent)]
pub struct Device(Opaque<bindings::pci_dev>);

impl Device {
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct pci_dev` that stays valid for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::pci_dev) -> &'a Device {
        // SAFETY: `Device` is a transparent wrapper of `struct pci_dev`; validity for `'a` is
        // the caller's promise.
        unsafe { &*ptr.cast() }
    }

    fn as_raw(&self) -> *mut bindings::pci_dev {
        self.0.get()
    }

    /// The vendor ID.
    pub fn vendor_id(&self) -> u16 {
        // SAFETY: By the type invariants the function is valid; the ID does not change.
        unsafe { (*self.as_raw()).vendor }
    }

    /// The device ID.
    pub fn device_id(&self) -> u16 {
        // SAFETY: As in `vendor_id`.
        unsafe { (*self.as_raw()).device }
    }

    /// The class code: class, subclass and programming interface, 24 bits.
    pub fn class(&self) -> u32 {
        // SAFETY: As in `vendor_id`.
        unsafe { (*self.as_raw()).class }
    }

    /// The generic device, for the DMA API and the driver model.
    pub fn as_dev(&self) -> &device::Device {
        // SAFETY: By the type invariants the function, and so its embedded `struct device`, is
        // valid for as long as `self` is borrowed.
        unsafe { device::Device::as_ref(core::ptr::addr_of_mut!((*self.as_raw()).dev)) }
    }

    /// Enables the function's memory BARs (`pci_enable_device_mem()`); the function is disabled
    /// again when the returned object and everything made from it are gone.
    ///
    /// Context: process context, may sleep.
    pub fn enable_device_mem(&self) -> Result<EnabledDevice> {
        // SAFETY: By the type invariants the function is valid.
        to_result(unsafe { bindings::pci_enable_device_mem(self.as_raw()) })?;
        let inner = EnabledInner {
            dev: self.into(),
            vectors_taken: AtomicBool::new(false),
        };
        // On failure `inner` is dropped, which disables the function again.
        Ok(EnabledDevice(Arc::new(inner, GFP_KERNEL)?))
    }
}

// SAFETY: Instances of `Device` are always reference-counted (type invariants).
unsafe impl AlwaysRefCounted for Device {
    fn inc_ref(&self) {
        // SAFETY: A shared reference means the refcount is not zero.
        unsafe { bindings::pci_dev_get(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up a reference it holds.
        unsafe { bindings::pci_dev_put(obj.cast().as_ptr()) }
    }
}

// SAFETY: The methods of `Device` read fields that do not change once the function is
// enumerated, or call C functions that may run on any thread.
unsafe impl Send for Device {}

// SAFETY: As for `Send`.
unsafe impl Sync for Device {}

/// # Invariants
///
/// `dev` was enabled by `pci_enable_device_mem()` once for this object.
struct EnabledInner {
    dev: ARef<Device>,
    /// Whether an [`IrqVectors`] exists for this enabling.
    vectors_taken: AtomicBool,
}

impl Drop for EnabledInner {
    fn drop(&mut self) {
        // SAFETY: By the type invariants the function was enabled once for us, and bus
        // mastering, the BARs and the vectors made from it are gone (they hold us alive).
        unsafe { bindings::pci_disable_device(self.dev.as_raw()) };
    }
}

/// A PCI function that is enabled for as long as this object, a clone of it or a resource made
/// from it exists.
#[derive(Clone)]
pub struct EnabledDevice(Arc<EnabledInner>);

impl EnabledDevice {
    /// The function.
    pub fn device(&self) -> &Device {
        &self.0.dev
    }

    /// Lets the function master the bus: it may do DMA. Disabling the function stops it again.
    ///
    /// Context: process context.
    pub fn set_master(&self) {
        // SAFETY: The function is valid and enabled.
        unsafe { bindings::pci_set_master(self.0.dev.as_raw()) };
    }

    /// Stops the function's DMA: bus mastering off (the command register is written through
    /// configuration space, which completes before this returns). The way to keep a device
    /// that no longer answers (or no longer stops when told) from writing to memory the driver
    /// is about to free.
    ///
    /// Context: process context.
    pub fn clear_master(&self) {
        // SAFETY: The function is valid and enabled.
        unsafe { bindings::pci_clear_master(self.0.dev.as_raw()) };
    }

    /// Requests memory BAR `bar` for the driver, under `name`, and maps all of it.
    ///
    /// Fails with `EINVAL` for a BAR number above 5 or a BAR that is not memory, `ENODEV` for an
    /// empty BAR, `ENOMEM` for a BAR shorter than `SIZE` or if it cannot be mapped, and `EBUSY`
    /// if another driver holds the region.
    ///
    /// Context: process context, may sleep.
    pub fn iomap_region<const SIZE: usize>(
        &self,
        bar: u32,
        name: &'static CStr,
    ) -> Result<Bar<SIZE>> {
        let pdev = self.0.dev.as_raw();
        if bar >= bindings::PCI_STD_NUM_BARS {
            return Err(EINVAL);
        }
        let bar = bar as i32;
        // SAFETY: The function is valid and `bar` a valid BAR number.
        let (len, flags) = unsafe {
            (
                bindings::pci_resource_len(pdev, bar),
                bindings::pci_resource_flags(pdev, bar),
            )
        };
        if len == 0 {
            return Err(ENODEV);
        }
        if flags & bindings::IORESOURCE_MEM as crate::ffi::c_ulong == 0 {
            return Err(EINVAL);
        }
        let len = usize::try_from(len).map_err(|_| ENOMEM)?;
        if len < SIZE {
            return Err(ENOMEM);
        }
        // SAFETY: As above; `name` lives forever, as the resource tree needs.
        to_result(unsafe { bindings::pci_request_region(pdev, bar, name.as_char_ptr()) })?;
        // SAFETY: As above; 0 maps the whole BAR.
        let addr = unsafe { bindings::pci_iomap(pdev, bar, 0) };
        if addr.is_null() {
            // SAFETY: Requested just above.
            unsafe { bindings::pci_release_region(pdev, bar) };
            return Err(ENOMEM);
        }
        // SAFETY: `pci_iomap()` mapped the `len` bytes of the memory BAR at `addr`; the `Bar`
        // keeps them mapped for as long as its `Io` exists.
        let io = match unsafe { Io::new(addr as usize, len) } {
            Ok(io) => io,
            Err(e) => {
                // SAFETY: Mapped and requested just above.
                unsafe {
                    bindings::pci_iounmap(pdev, addr);
                    bindings::pci_release_region(pdev, bar);
                }
                return Err(e);
            }
        };
        // INVARIANT: requested and mapped just above.
        Ok(Bar {
            io,
            addr,
            bar,
            enabled: self.clone(),
        })
    }

    /// Allocates between `min` and `max` interrupt vectors of one of the `types` allowed, trying
    /// MSI-X, then MSI, then INTx.
    ///
    /// INTx gives one vector, on a line that may be shared. Fails with `EBUSY` if vectors of this
    /// enabled function exist already, `EINVAL` if `min` is 0 or above `max`, and `ENOSPC` if no
    /// allowed type gives `min` vectors.
    ///
    /// Context: process context, may sleep.
    pub fn alloc_irq_vectors(&self, min: u32, max: u32, types: IrqTypes) -> Result<IrqVectors> {
        if min == 0 || min > max {
            return Err(EINVAL);
        }
        if self.0.vectors_taken.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        let mut last = Err(ENOSPC);
        for kind in [IrqKind::MsiX, IrqKind::Msi, IrqKind::Intx] {
            if types.0 & kind.flag() == 0 {
                continue;
            }
            // SAFETY: The function is valid and enabled; no vectors of ours are allocated
            // (`vectors_taken` was false).
            let n = unsafe {
                bindings::pci_alloc_irq_vectors(self.0.dev.as_raw(), min, max, kind.flag())
            };
            if n > 0 {
                let inner = VectorsInner {
                    enabled: self.clone(),
                    count: n as u32,
                    kind,
                };
                // On failure `inner` is dropped, which frees the vectors again.
                return Ok(IrqVectors(Arc::new(inner, GFP_KERNEL)?));
            }
            last = Err(Error::from_errno(n));
        }
        self.0.vectors_taken.store(false, Ordering::Release);
        last
    }
}

/// A memory BAR, requested for the driver and mapped; at least `SIZE` bytes long.
///
/// Dereferences to an [`Io`] for register access. Unmapped and released on drop.
///
/// # Invariants
///
/// BAR `bar` of the function is requested (`pci_request_region()`) and mapped at `addr`
/// (`pci_iomap()`), which is the address of `io`, until `drop`.
pub struct Bar<const SIZE: usize = 0> {
    io: Io<SIZE>,
    addr: *mut crate::ffi::c_void,
    bar: i32,
    enabled: EnabledDevice,
}

impl<const SIZE: usize> Bar<SIZE> {
    /// The BAR number.
    pub fn index(&self) -> u32 {
        self.bar as u32
    }
}

impl<const SIZE: usize> Deref for Bar<SIZE> {
    type Target = Io<SIZE>;

    fn deref(&self) -> &Io<SIZE> {
        &self.io
    }
}

impl<const SIZE: usize> Drop for Bar<SIZE> {
    fn drop(&mut self) {
        let pdev = self.enabled.0.dev.as_raw();
        // SAFETY: By the type invariants the BAR is mapped at `addr` and requested; `io`, the
        // only way to the mapping, goes with `self`.
        unsafe {
            bindings::pci_iounmap(pdev, self.addr);
            bindings::pci_release_region(pdev, self.bar);
        }
    }
}

// SAFETY: `Bar` only hands out `&Io`, whose accesses are plain MMIO; the C functions in `drop`
// may run on any thread.
unsafe impl<const SIZE: usize> Send for Bar<SIZE> {}

// SAFETY: See `Send`: MMIO accessors through `&self` may run concurrently.
unsafe impl<const SIZE: usize> Sync for Bar<SIZE> {}

/// Which kinds of interrupt vectors [`EnabledDevice::alloc_irq_vectors`] may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqTypes(u32);

impl IrqTypes {
    /// INTx, the legacy interrupt line (one vector, maybe shared).
    pub const INTX: IrqTypes = IrqTypes(bindings::PCI_IRQ_INTX);
    /// MSI.
    pub const MSI: IrqTypes = IrqTypes(bindings::PCI_IRQ_MSI);
    /// MSI-X.
    pub const MSIX: IrqTypes = IrqTypes(bindings::PCI_IRQ_MSIX);
    /// Any of them.
    pub const ALL: IrqTypes =
        IrqTypes(bindings::PCI_IRQ_MSIX | bindings::PCI_IRQ_MSI | bindings::PCI_IRQ_INTX);
}

impl core::ops::BitOr for IrqTypes {
    type Output = IrqTypes;

    fn bitor(self, other: IrqTypes) -> IrqTypes {
        IrqTypes(self.0 | other.0)
    }
}

/// The kind of interrupt vectors a function got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqKind {
    /// MSI-X.
    MsiX,
    /// MSI.
    Msi,
    /// The legacy line, maybe shared.
    Intx,
}

impl IrqKind {
    fn flag(self) -> u32 {
        match self {
            IrqKind::MsiX => bindings::PCI_IRQ_MSIX,
            IrqKind::Msi => bindings::PCI_IRQ_MSI,
            IrqKind::Intx => bindings::PCI_IRQ_INTX,
        }
    }

    /// A short name: `msix`, `msi` or `intx`.
    pub fn name(self) -> &'static str {
        match self {
            IrqKind::MsiX => "msix",
            IrqKind::Msi => "msi",
            IrqKind::Intx => "intx",
        }
    }
}

/// # Invariants
///
/// `count` vectors of `kind` are allocated for the function of `enabled`, and `enabled`'s
/// `vectors_taken` is set, until `drop`.
struct VectorsInner {
    enabled: EnabledDevice,
    count: u32,
    kind: IrqKind,
}

impl Drop for VectorsInner {
    fn drop(&mut self) {
        // SAFETY: By the type invariants the vectors are allocated; every handler registered on
        // them is gone, as each `IrqRegistration` holds us alive.
        unsafe { bindings::pci_free_irq_vectors(self.enabled.0.dev.as_raw()) };
        self.enabled.0.vectors_taken.store(false, Ordering::Release);
    }
}

/// The interrupt vectors of an enabled function; freed when this object and every
/// [`IrqRegistration`] made from it are gone.
#[derive(Clone)]
pub struct IrqVectors(Arc<VectorsInner>);

impl IrqVectors {
    /// How many vectors were allocated.
    pub fn count(&self) -> u32 {
        self.0.count
    }

    /// Their kind.
    pub fn kind(&self) -> IrqKind {
        self.0.kind
    }

    /// Registers `handler` on vector `index` under `name`. On INTx the line is registered as
    /// shared: the handler must return [`irq::IrqReturn::None`] for interrupts that are not its
    /// device's.
    ///
    /// Fails with `EINVAL` if `index` is not below [`Self::count`].
    ///
    /// Context: process context, may sleep.
    pub fn register<H: irq::Handler>(
        &self,
        index: u32,
        name: &'static CStr,
        handler: impl PinInit<H, Error>,
    ) -> Result<IrqRegistration<H>> {
        if index >= self.0.count {
            return Err(EINVAL);
        }
        // SAFETY: The function is valid and `index` is one of its allocated vectors.
        let irq = unsafe { bindings::pci_irq_vector(self.0.enabled.0.dev.as_raw(), index) };
        let irq = u32::try_from(irq).map_err(|_| Error::from_errno(irq))?;
        let flags = match self.0.kind {
            IrqKind::Intx => irq::Flags::SHARED,
            _ => irq::Flags::NONE,
        };
        // SAFETY: `irq` is one of our vectors, which stay allocated while the returned
        // `IrqRegistration` holds `self.0`; its `reg` is dropped before that.
        let reg = unsafe { irq::Registration::new(irq, flags, name, handler) }?;
        Ok(IrqRegistration {
            reg,
            _vectors: self.0.clone(),
        })
    }
}

/// A handler registered on a vector of [`IrqVectors`]; keeps the vectors allocated.
pub struct IrqRegistration<H: irq::Handler> {
    // Declared first, so dropped (unregistered) before the vectors can be freed.
    reg: irq::Registration<H>,
    _vectors: Arc<VectorsInner>,
}

impl<H: irq::Handler> IrqRegistration<H> {
    /// The handler, shared with the interrupt.
    pub fn handler(&self) -> Pin<&H> {
        self.reg.handler()
    }

    /// The Linux interrupt number of the vector.
    pub fn irq(&self) -> u32 {
        self.reg.irq()
    }
}

/// A PCI driver.
pub trait Driver: Send + Sync + 'static + Sized {
    /// The driver's name, as `/sys/bus/pci/drivers/` shows it.
    const NAME: &'static CStr;

    /// How the driver's functions address memory for DMA: applied to each function before
    /// [`Driver::probe`] runs, when no mapping of the function exists yet (the DMA layer needs
    /// the masks and the alignment to stay as they were for as long as a mapping lives). A
    /// function the settings do not suit is not probed: binding fails with the DMA layer's
    /// error.
    const DMA: DmaConfig = DmaConfig::DEFAULT;

    /// The functions the driver handles.
    const ID_TABLE: IdTable;

    /// Binds the driver to `dev`, which matched `id`, and returns the driver's data for it.
    ///
    /// On failure everything acquired so far is released by its drop.
    ///
    /// Context: process context, may sleep; the function's device lock is held.
    fn probe(dev: &Device, id: &DeviceId) -> Result<Pin<KBox<Self>>>;

    /// Called when `dev` is unbound, before the driver's data is dropped: the place to quiesce
    /// the hardware. Does nothing unless the driver says otherwise.
    ///
    /// Context: process context, may sleep; the function's device lock is held.
    fn unbind(&self, _dev: &Device) {}
}

/// How a driver's functions address memory for DMA ([`Driver::DMA`]).
#[derive(Clone, Copy, Debug)]
pub struct DmaConfig {
    /// The width of the addresses the function drives, in bits, for streaming and coherent
    /// mappings alike; 0 keeps the bus's default (32 bits for PCI).
    pub mask_bits: u32,
    /// The low address bits a bounce buffer must keep from the memory it stands for
    /// (`dma_set_min_align_mask()`): a device that addresses memory in pages of its own, as
    /// NVMe does with PRPs, needs a bounced segment at the same offset in such a page as the
    /// original (4 KiB - 1 for NVMe). 0 keeps none.
    pub min_align_mask: u32,
    /// The longest segment of a scatter-gather list the function takes, in bytes
    /// (`dma_set_max_seg_size()`); 0 keeps the bus's default (64 KiB for PCI). A block driver
    /// whose queue has a virtual boundary gets segments of any length from the block layer,
    /// so it must say how long they may be (`u32::MAX`: no limit, as for NVMe's PRPs).
    pub max_seg_size: u32,
}

impl DmaConfig {
    /// The bus's defaults.
    pub const DEFAULT: DmaConfig = DmaConfig {
        mask_bits: 0,
        min_align_mask: 0,
        max_seg_size: 0,
    };

    /// Applies the settings to `dev`.
    ///
    /// Called only by the probe callback, before the driver's `probe`: no mapping of `dev`
    /// exists (a driver that was bound before ended its mappings in its remove), and nothing
    /// else changes the function's masks while the driver core holds its device lock.
    fn apply(&self, dev: &Device) -> Result {
        if self.mask_bits != 0 {
            // SAFETY: No mapping or coherent allocation of `dev` exists and nothing changes its
            // masks concurrently, as said above.
            unsafe { crate::dma::set_mask_and_coherent(dev.as_dev(), self.mask_bits)? };
        }
        if self.min_align_mask != 0 {
            // SAFETY: `dev` is a valid PCI function, which has DMA parameters; no mapping of it
            // exists, so none was made under another alignment.
            unsafe { bindings::dma_set_min_align_mask(dev.as_dev().as_raw(), self.min_align_mask) };
        }
        if self.max_seg_size != 0 {
            // SAFETY: `dev` is a valid PCI function, which has DMA parameters; no mapping of it
            // exists.
            unsafe { bindings::dma_set_max_seg_size(dev.as_dev().as_raw(), self.max_seg_size) };
        }
        Ok(())
    }
}

/// The registration of driver `T` with the PCI core, undone on drop.
///
/// # Invariants
///
/// `drv` is registered with `__pci_register_driver()` until `drop`.
pub struct Registration<T: Driver> {
    drv: Pin<KBox<Opaque<bindings::pci_driver>>>,
    _driver: PhantomData<T>,
}

impl<T: Driver> Registration<T> {
    /// Registers driver `T` for `module`; `T::probe` runs for every function that matches, now
    /// and later, before this returns for those present now.
    ///
    /// Context: process context, may sleep.
    pub fn new(module: &'static ThisModule) -> Result<Self> {
        // SAFETY: All-zero is a valid `struct pci_driver`: null pointers, `None` callbacks,
        // zero numbers.
        let zeroed: bindings::pci_driver = unsafe { core::mem::zeroed() };
        let drv = KBox::pin(Opaque::new(zeroed), GFP_KERNEL)?;
        let raw = drv.get();
        // SAFETY: `raw` points to the pinned, not yet registered structure: nothing else sees it.
        unsafe {
            (*raw).name = T::NAME.as_char_ptr();
            (*raw).id_table = T::ID_TABLE.as_ptr();
            (*raw).probe = Some(probe_callback::<T>);
            (*raw).remove = Some(remove_callback::<T>);
        }
        // SAFETY: The structure is filled in with a name and ID table that live forever, and is
        // pinned until `drop` unregisters it.
        to_result(unsafe {
            bindings::__pci_register_driver(raw, module.as_ptr(), T::NAME.as_char_ptr())
        })?;
        // INVARIANT: registered just above.
        Ok(Registration {
            drv,
            _driver: PhantomData,
        })
    }
}

impl<T: Driver> Drop for Registration<T> {
    /// Unregisters the driver; each bound function is unbound first.
    ///
    /// Context: process context, may sleep.
    fn drop(&mut self) {
        // SAFETY: By the type invariants the driver is registered.
        unsafe { bindings::pci_unregister_driver(self.drv.get()) };
    }
}

// SAFETY: The registration is only used to unregister, which may happen on any thread.
unsafe impl<T: Driver> Send for Registration<T> {}

// SAFETY: No method takes `&self`.
unsafe impl<T: Driver> Sync for Registration<T> {}

/// # Safety
///
/// Called by the PCI core only, with a valid function and a valid matching entry.
unsafe extern "C" fn probe_callback<T: Driver>(
    pdev: *mut bindings::pci_dev,
    id: *const bindings::pci_device_id,
) -> crate::ffi::c_int {
    from_result(|| {
        // SAFETY: The PCI core keeps the function valid during probe.
        let dev = unsafe { Device::from_raw(pdev) };
        // SAFETY: `id` is valid during probe; `DeviceId` is a transparent wrapper.
        let id = unsafe { &*id.cast::<DeviceId>() };
        T::DMA.apply(dev)?;
        let data = T::probe(dev, id)?;
        // SAFETY: The function is valid; its driver data is ours while it is bound to us.
        unsafe { bindings::pci_set_drvdata(pdev, data.into_foreign().cast_mut()) };
        Ok(0)
    })
}

/// # Safety
///
/// Called by the PCI core only, with a valid function that `probe_callback::<T>` bound.
unsafe extern "C" fn remove_callback<T: Driver>(pdev: *mut bindings::pci_dev) {
    // SAFETY: The function is valid; its driver data was set by a successful probe of ours and
    // is taken back once, here.
    let data = unsafe { <Pin<KBox<T>>>::from_foreign(bindings::pci_get_drvdata(pdev)) };
    // SAFETY: The PCI core keeps the function valid during remove.
    let dev = unsafe { Device::from_raw(pdev) };
    data.unbind(dev);
    drop(data);
    // SAFETY: As above.
    unsafe { bindings::pci_set_drvdata(pdev, core::ptr::null_mut()) };
}
