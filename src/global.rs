//! Page-wide state (the token in memory, the settings cache, the open dialog, …).
//!
//! With std these are thread-locals. The browser build has no std, hence no `thread_local!`: a
//! plain `static` needs `Sync`, which [`Global`] claims. That is sound only because wasm32 without
//! the `atomics` feature has exactly one thread; on any other target the claim is not compiled
//! and using [`Global`] in a `static` fails to build.

/// A value shared by the whole page (see the module docs).
pub struct Global<T>(T);

#[allow(unsafe_code)]
// SAFETY: wasm32 without `atomics` runs one thread, so the value is never reached from two
// threads (the build is refused anywhere else: no Sync, no static).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// Wraps the initial value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// Runs `f` with the value (the shape of `LocalKey::with`). Always inlined: a copy per
    /// caller would only wrap the caller's closure.
    #[inline(always)]
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

/// Stops the module: page-wide state was reached again while in use, which the outbox design
/// (`page.rs`) rules out. `RefCell::borrow_mut` would do the same through a panic message that
/// links core's formatting into the module; the trap is what that panic ends in anyway.
#[cold]
pub fn reentered() -> ! {
    #[cfg(all(target_arch = "wasm32", not(feature = "std")))]
    core::arch::wasm32::unreachable();
    #[cfg(not(all(target_arch = "wasm32", not(feature = "std"))))]
    panic!("page state re-entered")
}

/// Declares page-wide state: `page_global! { static NAME: RefCell<T> = const { RefCell::new(..) }; }`,
/// used as `NAME.with(|cell| ..)`: a `thread_local!` with std, a [`Global`] without.
macro_rules! page_global {
    ($(#[$attr:meta])* static $name:ident: $ty:ty = const { $init:expr };) => {
        #[cfg(feature = "std")]
        std::thread_local! { $(#[$attr])* static $name: $ty = const { $init }; }
        #[cfg(not(feature = "std"))]
        $(#[$attr])* static $name: crate::global::Global<$ty> = crate::global::Global::new($init);
    };
}
pub(crate) use page_global;
