//! Which functions an agent's `invoke` may call on the visitor's page (§2.4).

#[allow(unused_imports)]
use glance_protocol::join;

/// The roots an invoked function may live under.
const ALLOWED_ROOTS: &[&str] = &["GLANCE.", "GLANCE_COBROWSE.Custom."];

/// Whether an invoke's dotted path may be called: it starts with an allowed root and has no empty
/// segment and no `__proto__` / `prototype` / `constructor` segment (the host walks it from
/// `window`).
pub fn invoke_allowed(func: &str) -> bool {
    ALLOWED_ROOTS.iter().any(|root| func.starts_with(root))
        && !func
            .split('.')
            .any(|segment| matches!(segment, "" | "__proto__" | "prototype" | "constructor"))
}

/// The console warning for a refused invoke.
pub fn refused(func: &str) -> String {
    join(&[
        "invoke of '",
        func,
        "' refused: not a GLANCE. or GLANCE_COBROWSE.Custom. function",
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_roots_only() {
        assert!(invoke_allowed("GLANCE.Cobrowse.Visitor.showTerms"));
        assert!(invoke_allowed("GLANCE_COBROWSE.Custom.openChat"));
        for refused in [
            "GLANCE_COBROWSE.other",
            "window.alert",
            "GLANCEX.a",
            "GLANCE.",
            "GLANCE.constructor.constructor",
            "GLANCE.a..b",
            "GLANCE.__proto__.x",
            "GLANCE.a.prototype",
        ] {
            assert!(!invoke_allowed(refused), "{refused}");
        }
    }
}
