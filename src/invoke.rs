//! Which functions an agent's `invoke` may call on the visitor's page (§2.4).

#[allow(unused_imports)]
use crate::prelude::*;
use crate::text::contains;
/// Roots an invoke path may start with.
const ALLOWED_ROOTS: &[&str] = &["GLANCE.", "GLANCE_COBROWSE.Custom."];

/// Why an invoke path is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeRefused {
    /// Outside `GLANCE.` and `GLANCE_COBROWSE.Custom.`.
    NotAllowed(String),
    /// Empty segments, or segments that reach into object internals.
    Malformed(String),
}

impl InvokeRefused {
    /// The console message (built without `format!`: no formatting code in the module).
    pub fn message(&self) -> String {
        match self {
            Self::NotAllowed(path) => [
                "invoke of '",
                path,
                "' refused: only GLANCE. and GLANCE_COBROWSE.Custom. functions may be invoked",
            ]
            .concat(),
            Self::Malformed(path) => ["invoke of '", path, "' refused: malformed path"].concat(),
        }
    }
}

impl core::fmt::Display for InvokeRefused {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for InvokeRefused {}

/// Checks an invoke's dotted path: it must start with an allowed root and have no empty
/// segment and no `__proto__` / `prototype` / `constructor` segment (the host walks it from
/// `window`).
pub fn invoke_path(func: &str) -> Result<(), InvokeRefused> {
    if !ALLOWED_ROOTS.iter().any(|root| func.starts_with(root)) {
        return Err(InvokeRefused::NotAllowed(func.to_owned()));
    }
    // Every segment between dots, with the dots around it: an empty one shows as `..`.
    let dotted = [".", func, "."].concat();
    let bad = ["..", ".__proto__.", ".prototype.", ".constructor."];
    if bad.iter().any(|b| contains(&dotted, b)) {
        return Err(InvokeRefused::Malformed(func.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_roots_only() {
        assert_eq!(invoke_path("GLANCE.Cobrowse.Visitor.showTerms"), Ok(()));
        assert!(invoke_path("GLANCE_COBROWSE.Custom.openChat").is_ok());
        assert!(matches!(
            invoke_path("GLANCE_COBROWSE.other"),
            Err(InvokeRefused::NotAllowed(_))
        ));
        assert!(matches!(
            invoke_path("window.alert"),
            Err(InvokeRefused::NotAllowed(_))
        ));
        assert!(matches!(
            invoke_path("GLANCEX.a"),
            Err(InvokeRefused::NotAllowed(_))
        ));
        assert!(matches!(
            invoke_path("GLANCE."),
            Err(InvokeRefused::Malformed(_))
        ));
        assert!(matches!(
            invoke_path("GLANCE.constructor.constructor"),
            Err(InvokeRefused::Malformed(_))
        ));
        assert!(matches!(
            invoke_path("GLANCE.a..b"),
            Err(InvokeRefused::Malformed(_))
        ));
    }
}
