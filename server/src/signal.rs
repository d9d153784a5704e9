//! Turning an agent's signal or invoke (socket or REST) into the frame the visitor receives.

use glance_protocol::{
    invoke_allowed, InvokeData, JsonServerFrame, ServerFrame, SignalKind, ValidationError,
};
use serde_json::Value;

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

/// Checks an invoke's function path against the protocol crate's rule (§2.4), which the visitor
/// module applies too: the original visitor scripts walk any path they are sent.
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
