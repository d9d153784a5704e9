//! Turning an agent's signal or invoke (socket or REST) into the frame the visitor receives.

use glance_protocol::{InvokeData, JsonServerFrame, ServerFrame, SignalKind, ValidationError};
use serde_json::Value;

/// Function paths a visitor may be asked to call (§2.4). The visitor checks this too.
pub const INVOKE_PREFIXES: [&str; 2] = ["GLANCE.", "GLANCE_COBROWSE.Custom."];

/// Whether `func` is a dotted path under an allowed prefix.
pub fn invoke_allowed(func: &str) -> bool {
    INVOKE_PREFIXES.iter().any(|p| func.starts_with(p))
        && func.len() <= 200
        && func.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        })
}

/// The visitor-bound frame of a signal or invoke.
pub fn visitor_frame(
    kind: SignalKind,
    data: Option<Value>,
) -> Result<JsonServerFrame, ValidationError> {
    match kind {
        SignalKind::Signal => Ok(ServerFrame::Signal(data)),
        SignalKind::Invoke => {
            let data = data.ok_or(ValidationError::Shape("invoke needs data {func, args}"))?;
            let invoke: InvokeData<Value> = serde_json::from_value(data)
                .map_err(|_| ValidationError::Shape("invoke data must be {func, args}"))?;
            check_invoke(invoke)
        }
    }
}

/// Checks an invoke's function path.
pub fn check_invoke(invoke: InvokeData<Value>) -> Result<JsonServerFrame, ValidationError> {
    if !invoke_allowed(&invoke.func) {
        return Err(ValidationError::Shape(
            "invoke func must be a path under GLANCE. or GLANCE_COBROWSE.Custom.",
        ));
    }
    if invoke
        .args
        .as_ref()
        .is_some_and(|a| !a.is_object() && !a.is_null())
    {
        return Err(ValidationError::Shape("invoke args must be an object"));
    }
    Ok(ServerFrame::Invoke(invoke))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert!(invoke_allowed("GLANCE.Cobrowse.Visitor.showTerms"));
        assert!(invoke_allowed("GLANCE_COBROWSE.Custom.openChat"));
        assert!(!invoke_allowed("window.alert"));
        assert!(!invoke_allowed("GLANCE..x"));
        assert!(!invoke_allowed("GLANCE_COBROWSE.other"));
    }
}
