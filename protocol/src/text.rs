//! Joining and searching text without `concat` and `str::find`, whose generic code (and its
//! overflow and length-mismatch panics; core's two-way substring searcher) the browser module
//! would otherwise carry once for nothing more than this.

/// `parts` one after the other.
pub fn join(parts: &[&str]) -> String {
    let mut text = String::new();
    for part in parts {
        text.push_str(part);
    }
    text
}

/// The byte offset of the first `needle` in `text`, as `text.find(needle)` gives it, by a plain
/// comparison at each offset: the module only looks for short tokens in short texts.
pub fn find(text: &str, needle: &str) -> Option<usize> {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    let last = text.len().checked_sub(needle.len())?;
    (0..=last).find(|&at| text.get(at..).is_some_and(|rest| rest.starts_with(needle)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_in_order() {
        assert_eq!(super::join(&["a", "", "bc", "é"]), "abcé");
        assert_eq!(super::join(&[]), "");
    }

    #[test]
    fn finds_as_str_find() {
        for (text, needle) in [
            ("Mozilla/5.0 Chrome/120", "Chrome/"),
            ("ab", "abc"),
            ("", ""),
            ("abc", ""),
            ("aab", "ab"),
            ("é://x", "://"),
            ("abc", "x"),
        ] {
            assert_eq!(
                super::find(text, needle),
                text.find(needle),
                "{text} {needle}"
            );
        }
    }
}
