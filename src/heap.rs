//! The heap of the browser build (`--no-default-features`): power-of-two size classes, each with a
//! list of freed blocks, carved from pages the module grows its memory by.
//!
//! The module keeps a few objects, frames and strings per page; a block freed is reused by the next
//! allocation of its class, so memory stays within twice the most the page ever held at once. A
//! general-purpose allocator would cost the module more bytes than everything it allocates for.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

const PAGE: usize = 65536;

struct State {
    /// The first free block of each class (0: none); each free block holds the next one.
    free: [usize; 32],
    /// Where the next new block starts, and where the memory grown so far ends.
    next: usize,
    end: usize,
}

/// The allocator (see the module docs).
pub struct Heap(UnsafeCell<State>);

#[allow(unsafe_code)]
// SAFETY: wasm32 without the `atomics` feature runs one thread, so the state is never reached
// from two threads.
unsafe impl Sync for Heap {}

impl Heap {
    /// An empty heap.
    pub const fn new() -> Self {
        Self(UnsafeCell::new(State {
            free: [0; 32],
            next: 0,
            end: 0,
        }))
    }
}

/// The class of a block of `size` bytes: its size rounded up to a power of two, at least 16.
fn class(size: usize) -> usize {
    (usize::BITS - (size.max(16) - 1).leading_zeros()) as usize
}

#[allow(unsafe_code)]
// SAFETY: every block handed out is `1 << class` bytes at an address that is a multiple of 16
// (pages are, and every block size is a multiple of 16), so it fits the layout when its alignment
// is at most 16 (larger alignments are refused with null); a freed block is reused only for its
// own class; `alloc` and `dealloc` never run at the same time (one thread, no reentry).
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > 16 {
            return null_mut();
        }
        let state = unsafe { &mut *self.0.get() };
        let class = class(layout.size());
        let Some(free) = state.free.get_mut(class) else {
            return null_mut();
        };
        let head = *free;
        if head != 0 {
            *free = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        let size = 1 << class;
        if state.end - state.next < size {
            let pages = size.div_ceil(PAGE);
            let old = wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return null_mut();
            }
            // Nothing else grows the memory: the new pages follow the old end, unless this is the
            // first growth (the heap then starts at the new pages).
            if old * PAGE != state.end {
                state.next = old * PAGE;
            }
            state.end = (old + pages) * PAGE;
        }
        let block = state.next;
        state.next += size;
        block as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let state = unsafe { &mut *self.0.get() };
        // Every block handed out has a class with a list.
        if let Some(free) = state.free.get_mut(class(layout.size())) {
            unsafe { *(ptr as *mut usize) = *free };
            *free = ptr as usize;
        }
    }
}
