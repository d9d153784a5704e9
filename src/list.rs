//! Ordered removal from a `Vec` without a panic path.
//!
//! `Vec::remove` checks its index and panics with a message that formats two numbers, which links
//! core's integer formatting into the module (about 2 KB) although its panic handler never prints
//! (`bare.rs`); the safe alternatives (`drain`, `split_off`, `swap_remove`) format theirs too.
//! [`take_at`] checks the index itself and does what `Vec::remove` does after its check.

use crate::prelude::*;

/// Removes and returns the element at `index`, shifting the rest down; `None` past the end.
#[allow(unsafe_code)]
pub fn take_at<T>(items: &mut Vec<T>, index: usize) -> Option<T> {
    let len = items.len();
    if index >= len {
        return None;
    }
    // SAFETY: `index < len`, so the element is initialized and read out exactly once; the
    // `len - index - 1` elements after it are moved down over its place (an overlapping copy
    // within the allocation), and the length drops by one, so nothing is dropped twice or left
    // uninitialized below the length.
    unsafe {
        let place = items.as_mut_ptr().add(index);
        let item = core::ptr::read(place);
        core::ptr::copy(place.add(1), place, len - index - 1);
        items.set_len(len - 1);
        Some(item)
    }
}

/// Removes and returns the first element `matches` accepts, keeping the order of the rest.
pub fn take_first<T>(items: &mut Vec<T>, matches: impl Fn(&T) -> bool) -> Option<T> {
    let index = items.iter().position(matches)?;
    take_at(items, index)
}
