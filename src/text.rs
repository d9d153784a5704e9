//! Substring search for the few places the core looks for a token in a string.
//!
//! `str::find` / `str::contains` with a `&str` pattern compile core's two-way searcher and its
//! string-slicing panic paths into the module (several KB of wasm); a byte-window scan is all these
//! short needles need.

/// Byte offset of the first occurrence of `needle` in `haystack`.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w == needle)
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// Characters (Unicode scalar values) in `s`: the bytes that do not continue a UTF-8 sequence.
/// (`chars().count()` brings core's vectorized counter.)
pub fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

/// The first `n` characters of `s` (all of it when shorter).
pub fn prefix_chars(s: &str, n: usize) -> &str {
    let mut seen = 0;
    for (i, b) in s.bytes().enumerate() {
        // A character starts at every byte that is not a UTF-8 continuation byte.
        if b & 0xC0 != 0x80 {
            if seen == n {
                return s.get(..i).unwrap_or(s);
            }
            seen += 1;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_like_str() {
        for (h, n) in [
            ("abc", "c"),
            ("abc", "bc"),
            ("abc", "x"),
            ("", "a"),
            ("a", ""),
            ("éa://", "://"),
        ] {
            assert_eq!(find(h, n), h.find(n), "{h:?} {n:?}");
        }
        assert_eq!(char_count("aé€😀"), "aé€😀".chars().count());
        for n in 0..7 {
            let expected: String = "aé€😀b".chars().take(n).collect();
            assert_eq!(prefix_chars("aé€😀b", n), expected);
        }
    }
}
