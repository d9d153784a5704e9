//! What std would provide to the browser build (`--no-default-features`): the allocator and the
//! panic handler.
//!
//! Leaving std out removes its panic machinery, which formats every panic message and so links
//! most of `core::fmt` into the module. A panic here stops the module at once: the wasm
//! `unreachable` trap reaches JS as a `RuntimeError`, which the facade catches and logs, as it did
//! with std's panic (which also ends in a trap on this target).

/// The heap (see `heap.rs`).
#[global_allocator]
static ALLOCATOR: crate::heap::Heap = crate::heap::Heap::new();

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
