//! Numbers: the decimal text of an integer, and whether a double is whole.

/// The decimal text of `n`, without the formatting machinery (which the browser module leaves
/// out).
pub fn decimal(mut n: u64) -> String {
    // Digits from the last; `get` rather than indexing, which would bring the bounds-check panic
    // into the browser module.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while let Some(digit) = start.checked_sub(1).and_then(|i| digits.get_mut(i)) {
        *digit = b'0' + (n % 10) as u8;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut text = String::new();
    for &d in digits.get(start..).unwrap_or_default() {
        text.push(char::from(d));
    }
    text
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
