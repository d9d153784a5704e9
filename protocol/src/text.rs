//! Joining text without `concat`, whose generic code (and its overflow and length-mismatch
//! panics) the browser module would otherwise carry once for nothing more than this.

/// `parts` one after the other.
pub fn join(parts: &[&str]) -> String {
    let mut text = String::new();
    for part in parts {
        text.push_str(part);
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_in_order() {
        assert_eq!(super::join(&["a", "", "bc", "é"]), "abcé");
        assert_eq!(super::join(&[]), "");
    }
}
