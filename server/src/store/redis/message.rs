//! The messages nodes send each other on their own channels (`pn:<node>`), one per connection:
//!
//! - `<conn>\n<frame>`: a frame for visitor connection `conn` (`blur`);
//! - `<conn>\nsignal:<route>\n<frame>`: a signal or invoke for visitor connection `conn`, with
//!   the route back to the agent that sent it (`{"node","conn","channel","id"}` as JSON, `null`
//!   for one sent over REST), told if the signal is dropped unsent;
//! - `<conn>\nextend:<ms>`: unique visitor `conn` now lives until `ms`;
//! - `agent <conn> <channel>\n<id>`: the signal with ack id `id` (JSON) that agent connection
//!   `conn`, watching `channel`, sent to a visitor of another node was dropped unsent.

use crate::store::ConnId;
use glance_protocol::AckId;
use serde::{Deserialize, Serialize};

const EXTEND: &str = "extend:";
const SIGNAL: &str = "signal:";
const AGENT: &str = "agent ";

/// Where a signal's sender is: the agent connection to tell if the signal is dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentRoute {
    /// The node holding the agent's connection.
    pub node: String,
    /// The agent's connection on that node.
    pub conn: ConnId,
    /// The channel of the visitor it watches (its agents are listed by channel).
    pub channel: String,
    /// The signal's ack id.
    pub id: AckId,
}

/// One node message, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeMessage {
    /// A frame for a visitor connection.
    Frame { conn: ConnId, frame: String },
    /// A signal or invoke for a visitor connection, with its sender's route (if it has one).
    Signal {
        conn: ConnId,
        frame: String,
        sender: Option<AgentRoute>,
    },
    /// A unique visitor was extended until `ms` (ms since the epoch).
    Extend { conn: ConnId, ms: u64 },
    /// A signal an agent connection of this node sent was dropped unsent.
    Dropped {
        conn: ConnId,
        channel: String,
        id: AckId,
    },
}

impl NodeMessage {
    /// The message's text.
    pub fn encode(&self) -> String {
        match self {
            Self::Frame { conn, frame } => format!("{conn}\n{frame}"),
            Self::Signal {
                conn,
                frame,
                sender,
            } => {
                // Serializing plain strings and numbers cannot fail.
                let route = serde_json::to_string(sender).unwrap_or_default();
                format!("{conn}\n{SIGNAL}{route}\n{frame}")
            }
            Self::Extend { conn, ms } => format!("{conn}\n{EXTEND}{ms}"),
            Self::Dropped { conn, channel, id } => {
                let id = serde_json::to_string(id).unwrap_or_default();
                format!("{AGENT}{conn} {channel}\n{id}")
            }
        }
    }

    /// Reads a message; `None` for one this version does not understand (dropped, as before).
    pub fn decode(text: &str) -> Option<Self> {
        let (head, body) = text.split_once('\n')?;
        if let Some(agent) = head.strip_prefix(AGENT) {
            let (conn, channel) = agent.split_once(' ')?;
            return Some(Self::Dropped {
                conn: conn.parse().ok()?,
                channel: channel.to_owned(),
                id: serde_json::from_str(body).ok()?,
            });
        }
        let conn = head.parse().ok()?;
        if let Some(ms) = body.strip_prefix(EXTEND) {
            return Some(Self::Extend {
                conn,
                ms: ms.parse().ok()?,
            });
        }
        if let Some(signal) = body.strip_prefix(SIGNAL) {
            // The route is one line of JSON (no raw newline in it); the frame is the rest.
            let (route, frame) = signal.split_once('\n')?;
            return Some(Self::Signal {
                conn,
                frame: frame.to_owned(),
                sender: serde_json::from_str(route).ok()?,
            });
        }
        Some(Self::Frame {
            conn,
            frame: body.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(m: NodeMessage) {
        assert_eq!(NodeMessage::decode(&m.encode()), Some(m));
    }

    #[test]
    fn every_kind_round_trips() {
        round_trip(NodeMessage::Frame {
            conn: 7,
            frame: r#"{"type":"blur"}"#.into(),
        });
        round_trip(NodeMessage::Signal {
            conn: 7,
            frame: r#"{"type":"signal","data":{}}"#.into(),
            sender: None,
        });
        round_trip(NodeMessage::Signal {
            conn: 7,
            frame: r#"{"type":"signal","data":{"s":"a\nb"}}"#.into(),
            sender: Some(AgentRoute {
                node: "node 1".into(),
                conn: 42,
                channel: "pa:12345:v 1".into(),
                id: AckId::Str("x y\nz".into()),
            }),
        });
        round_trip(NodeMessage::Extend { conn: 3, ms: 1_700 });
        round_trip(NodeMessage::Dropped {
            conn: 42,
            channel: "pa:12345:v 1".into(),
            id: AckId::Num(9),
        });
    }

    #[test]
    fn malformed_messages_are_none() {
        for text in [
            "",
            "7",
            "x\n{}",
            "7\nextend:soon",
            "7\nsignal:{\"node\":1}\n{}",
            "7\nsignal:null",
            "agent 42\n1",
            "agent x pa:1\n1",
            "agent 42 pa:1\n{\"an\":\"object\"}",
        ] {
            assert_eq!(NodeMessage::decode(text), None, "{text:?}");
        }
    }
}
