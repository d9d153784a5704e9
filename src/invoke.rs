//! Which functions an agent's `invoke` may call on the visitor's page (§2.4).

use glance_protocol::join;

/// Whether an invoke's dotted path may be called: the protocol crate's rule, shared with the
/// server (an allowed root, no empty segment, no `constructor` / `prototype` / `__*` segment: the
/// host walks the path from `window`).
pub use glance_protocol::invoke_allowed;

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
            "GLANCE_COBROWSE.Custom.constructor",
            "GLANCE.__x",
        ] {
            assert!(!invoke_allowed(refused), "{refused}");
        }
    }
}
