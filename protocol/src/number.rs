//! Numbers without core's formatting machinery: the decimal text of an integer, and whether a
//! double is whole. The browser module builds this crate `no_std` and leaves `core::fmt` out of
//! its wasm, so neither `to_string` nor `f64::fract` (which is not in `core`) is used here.

#[allow(unused_imports)]
use crate::prelude::*;

/// The decimal text of `n`, without the formatting machinery (which the browser module leaves
/// out).
pub fn decimal(n: u64) -> String {
    // From the highest power of ten down; no digit buffer (indexing one would bring the
    // bounds-check panic into the browser module).
    let mut power = 1;
    while n / power >= 10 {
        power *= 10;
    }
    let mut text = String::new();
    loop {
        text.push(char::from(b'0' + (n / power % 10) as u8));
        if power == 1 {
            return text;
        }
        power /= 10;
    }
}

/// Whether `n` is a whole number. Numbers beyond ±2^63 count as not whole: every caller limits
/// the range further.
pub(crate) fn is_whole(n: f64) -> bool {
    n as i64 as f64 == n
}

#[cfg(test)]
mod tests {
    use super::{decimal, is_whole};

    #[test]
    fn decimals() {
        for n in [0, 7, 10, 12345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn whole_numbers() {
        for n in [0.0, -0.0, 1.0, -7.0, 1e15, 9_007_199_254_740_993.0] {
            assert!(is_whole(n), "{n}");
        }
        for n in [0.5, -1.25, 1e-300, f64::NAN, f64::INFINITY, 1e19] {
            assert!(!is_whole(n), "{n}");
        }
    }
}
