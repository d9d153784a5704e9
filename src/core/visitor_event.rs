//! The events a visitor's page may send (`fire`, `signalAgent`), checked before they reach the
//! machine: which names each call allows and the shape of `terms`.

#[allow(unused_imports)]
use crate::prelude::*;
use glance_protocol::{
    check_custom_event_name, FromWire, TermsData, ValidationError, VisitorEvent, WireValue,
};

/// Which events a visitor may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRule {
    /// `fire(type, data)`: `terms`, `visitorsession*`, `visitorerror`, `c_*`.
    Fire,
    /// `signalAgent(name, props)`: `terms` and `c_*` only.
    SignalAgent,
}

/// Checks an event the page wants to send and gives it its typed form.
pub fn visitor_event<P: WireValue>(
    kind: &str,
    data: Option<P>,
    rule: EventRule,
) -> Result<VisitorEvent<P>, ValidationError> {
    let standard = rule == EventRule::Fire;
    Ok(match kind {
        "terms" => {
            let terms = data.ok_or(ValidationError::Shape("terms needs {status}"))?;
            VisitorEvent::Terms(TermsData::from_wire(&terms).ok_or(ValidationError::Shape(
                "terms status must be displayed, accepted or declined",
            ))?)
        }
        "visitorsessionstart" if standard => VisitorEvent::SessionStart(data),
        "visitorsessionend" if standard => VisitorEvent::SessionEnd(data),
        "visitorerror" if standard => VisitorEvent::VisitorError(data),
        name => {
            check_custom_event_name(name)?;
            VisitorEvent::Custom {
                name: name.to_owned(),
                data,
            }
        }
    })
}
