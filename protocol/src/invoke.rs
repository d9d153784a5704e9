//! Which functions an agent's `invoke` may name (§2.4): one rule for the server, which refuses
//! the invoke, and the browser module, which refuses to call it.
//!
//! The visitor's page walks `func` from `window`, one segment at a time, so a segment that reaches
//! out of the namespace (`constructor`, `prototype`, `__proto__` and the other `__*` accessors)
//! would let an agent call `Function` or touch `Object.prototype` from inside `GLANCE.`.

/// The roots an invoked function may live under.
pub const INVOKE_PREFIXES: [&str; 2] = ["GLANCE.", "GLANCE_COBROWSE.Custom."];

/// Longest `func` path, in bytes.
pub const MAX_INVOKE_FUNC: usize = 200;

/// Segments that lead out of the namespace whatever object they are read on.
const FORBIDDEN_SEGMENTS: [&str; 2] = ["constructor", "prototype"];

/// Whether an invoke of `func` is allowed: at most [`MAX_INVOKE_FUNC`] bytes, under one of
/// [`INVOKE_PREFIXES`], every dot-separated segment non-empty and made of `A-Z a-z 0-9 _ $`, and
/// no segment `constructor`, `prototype` or starting with `__` (`__proto__`, `__defineGetter__`…).
pub fn invoke_allowed(func: &str) -> bool {
    func.len() <= MAX_INVOKE_FUNC
        && INVOKE_PREFIXES.iter().any(|p| func.starts_with(p))
        && func.split('.').all(segment_allowed)
}

fn segment_allowed(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with("__")
        && !FORBIDDEN_SEGMENTS.contains(&segment)
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_the_namespace() {
        for ok in [
            "GLANCE.Cobrowse.Visitor.showTerms",
            "GLANCE_COBROWSE.Custom.openChat",
            "GLANCE.a_b.$c",
            "GLANCE._private",
        ] {
            assert!(invoke_allowed(ok), "{ok}");
        }
    }

    #[test]
    fn outside_the_namespace() {
        let long = format!("GLANCE.{}", "a".repeat(MAX_INVOKE_FUNC));
        for refused in [
            "GLANCE.constructor.constructor",
            "GLANCE.__proto__.x",
            "GLANCE.a.prototype",
            "GLANCE_COBROWSE.Custom.constructor",
            "GLANCE.__x",
            "GLANCE.a.__defineGetter__",
            "GLANCE_COBROWSE.other",
            "GLANCE_COBROWSE.Custom.",
            "window.alert",
            "GLANCEX.a",
            "GLANCE.",
            "GLANCE",
            "GLANCE..x",
            "GLANCE.a..b",
            "GLANCE.a-b",
            "GLANCE.a[0]",
            "",
            long.as_str(),
        ] {
            assert!(!invoke_allowed(refused), "{refused}");
        }
    }
}
