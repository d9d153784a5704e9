//! The events a group's back end hears, and the message each becomes: the Standard Webhooks body
//! `{"type", "timestamp", "data"}` with a stable id (the `webhook-id` header).

use glance_protocol::{GroupId, VisitorId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What happened. The names are the contract (docs/WEBHOOKS.md): `visitor.present`, …, and the
/// custom `c_*` events under their own name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventType {
    /// The visitor became present: its first presence data after an absence.
    VisitorPresent,
    /// The visitor left: no socket for the whole navigation grace.
    VisitorAbsent,
    /// Its tab was hidden.
    VisitorHidden,
    /// Its tab became visible.
    VisitorVisible,
    /// The terms dialog was shown.
    TermsDisplayed,
    /// The visitor accepted the terms.
    TermsAccepted,
    /// The visitor declined the terms.
    TermsDeclined,
    /// `visitorsessionstart`.
    SessionStart,
    /// `visitorsessionend`.
    SessionEnd,
    /// `visitorerror`.
    VisitorError,
    /// An agent invoked a function on the visitor's page.
    AgentInvoke,
    /// An agent signalled the visitor.
    AgentSignal,
    /// A guest code (unique visitor id) was handed out.
    UniqueCreated,
    /// A guest code lapsed without being extended.
    UniqueExpired,
    /// A custom `c_*` event the visitor fired.
    Custom(String),
    /// A test message sent on request (the console's "send test event").
    Test,
}

/// Every fixed event name, for configuration checks and the docs.
pub const EVENT_NAMES: [&str; 14] = [
    "visitor.present",
    "visitor.absent",
    "visitor.hidden",
    "visitor.visible",
    "terms.displayed",
    "terms.accepted",
    "terms.declined",
    "session.start",
    "session.end",
    "visitor.error",
    "agent.invoke",
    "agent.signal",
    "unique.created",
    "unique.expired",
];

impl EventType {
    /// The wire name.
    pub fn name(&self) -> &str {
        match self {
            Self::VisitorPresent => EVENT_NAMES[0],
            Self::VisitorAbsent => EVENT_NAMES[1],
            Self::VisitorHidden => EVENT_NAMES[2],
            Self::VisitorVisible => EVENT_NAMES[3],
            Self::TermsDisplayed => EVENT_NAMES[4],
            Self::TermsAccepted => EVENT_NAMES[5],
            Self::TermsDeclined => EVENT_NAMES[6],
            Self::SessionStart => EVENT_NAMES[7],
            Self::SessionEnd => EVENT_NAMES[8],
            Self::VisitorError => EVENT_NAMES[9],
            Self::AgentInvoke => EVENT_NAMES[10],
            Self::AgentSignal => EVENT_NAMES[11],
            Self::UniqueCreated => EVENT_NAMES[12],
            Self::UniqueExpired => EVENT_NAMES[13],
            Self::Custom(name) => name,
            Self::Test => "webhook.test",
        }
    }
}

/// One event, before it is addressed to endpoints.
#[derive(Debug, Clone)]
pub struct Event {
    /// What happened.
    pub kind: EventType,
    /// The group.
    pub group: GroupId,
    /// The visitor it is about, if any.
    pub visitor: Option<VisitorId>,
    /// Fields of `data` beyond `groupid` and `visitorid`.
    pub data: Map<String, Value>,
}

impl Event {
    /// An event about `visitor` of `group`.
    pub fn visitor(kind: EventType, group: GroupId, visitor: &VisitorId) -> Self {
        Self {
            kind,
            group,
            visitor: Some(visitor.clone()),
            data: Map::new(),
        }
    }

    /// Adds a field to `data`.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.data.insert(name.to_owned(), value.into());
        self
    }

    /// The message: a fresh id, the time now, the body as sent.
    pub fn into_message(self) -> Message {
        let now = SystemTime::now();
        let created_ms = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let mut data = Map::with_capacity(self.data.len() + 2);
        data.insert("groupid".into(), self.group.get().into());
        if let Some(v) = &self.visitor {
            data.insert("visitorid".into(), v.to_string().into());
        }
        data.extend(self.data);
        let body = Body {
            kind: self.kind.name(),
            timestamp: humantime::format_rfc3339_millis(now).to_string(),
            data: &data,
        };
        Message {
            id: message_id(created_ms),
            kind: self.kind.name().to_owned(),
            // Messages of one visitor keep their order; those of no visitor form one lane.
            lane: self.visitor.map(|v| v.to_string()).unwrap_or_default(),
            created_ms,
            // Serializing a JSON map cannot fail.
            body: serde_json::to_string(&body).unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: &'a Map<String, Value>,
}

/// `msg_` + the creation time and 64 random bits, in hex: unique, and sorting by time.
fn message_id(created_ms: u64) -> String {
    let random: u64 = rand::random();
    format!("msg_{created_ms:012x}{random:016x}")
}

/// An event addressed to one endpoint, as the outbox keeps it until delivered. The body is
/// fixed at creation: every retry sends the same bytes under the same `webhook-id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `webhook-id`.
    pub id: String,
    /// The event name (for metrics and the console).
    pub kind: String,
    /// The ordering key: the visitor id (empty for events of no visitor).
    pub lane: String,
    /// When the event happened, ms since the epoch (retries stop `max_retry_time` after it).
    pub created_ms: u64,
    /// The JSON body.
    pub body: String,
}

impl Message {
    /// Bytes it takes in the outbox (the body dominates).
    pub fn size(&self) -> usize {
        self.body.len() + self.id.len() + self.kind.len() + self.lane.len() + 16
    }

    /// Time since the event.
    pub fn age(&self) -> Duration {
        Duration::from_millis(crate::store::now_ms().saturating_sub(self.created_ms))
    }
}

/// Which events an endpoint receives: exact names, `prefix.*` (e.g. `terms.*`) and `c_*`.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// `None`: every event.
    patterns: Option<Vec<String>>,
}

impl EventFilter {
    /// A filter from the configured list; `None` means all. Unknown names are an error, so a
    /// typo does not silently mute an event.
    pub fn parse(list: Option<&[String]>) -> Result<Self, String> {
        let Some(list) = list else {
            return Ok(Self::default());
        };
        for p in list {
            let known = p == "*"
                || p == "c_*"
                || EVENT_NAMES.contains(&p.as_str())
                || (p.starts_with("c_") && p.len() > 2 && !p.contains('*'))
                || p.strip_suffix(".*").is_some_and(|prefix| {
                    EVENT_NAMES
                        .iter()
                        .any(|n| n.starts_with(&format!("{prefix}.")))
                });
            if !known {
                return Err(format!(
                    "unknown webhook event '{p}' (known: {}, c_*, prefix.*)",
                    EVENT_NAMES.join(", ")
                ));
            }
        }
        Ok(Self {
            patterns: Some(list.to_vec()),
        })
    }

    /// Whether `name` passes. The test message always does.
    pub fn accepts(&self, name: &str) -> bool {
        let Some(patterns) = &self.patterns else {
            return true;
        };
        name == "webhook.test"
            || patterns.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => p == name,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_by_name_prefix_and_custom() {
        let f = EventFilter::parse(Some(&[
            "terms.*".into(),
            "c_*".into(),
            "visitor.absent".into(),
        ]))
        .unwrap();
        assert!(f.accepts("terms.accepted"));
        assert!(f.accepts("c_cart"));
        assert!(f.accepts("visitor.absent"));
        assert!(!f.accepts("visitor.present"));
        assert!(EventFilter::parse(Some(&["visitor.gone".into()])).is_err());
        assert!(EventFilter::parse(None).unwrap().accepts("anything"));
    }

    #[test]
    fn body_is_type_timestamp_data() {
        let g = GroupId::new(7).unwrap();
        let v = VisitorId::parse("v1").unwrap();
        let m = Event::visitor(EventType::TermsAccepted, g, &v)
            .with("status", "accepted")
            .into_message();
        let body: Value = serde_json::from_str(&m.body).unwrap();
        assert_eq!(body["type"], "terms.accepted");
        assert_eq!(body["data"]["groupid"], 7);
        assert_eq!(body["data"]["visitorid"], "v1");
        assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(m.id.starts_with("msg_"));
        assert_eq!(m.lane, "v1");
    }
}
