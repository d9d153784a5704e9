//! Redis key and channel names, and the socket reference format.

use crate::store::{ConnId, VisitorKey};

/// The hash tag of a visitor: `{group:visitor}`.
fn tag(k: &VisitorKey) -> String {
    format!("{{{}:{}}}", k.group, k.visitor)
}

/// The keys and channel of one visitor.
pub struct VisitorKeys {
    /// State hash.
    pub state: String,
    /// Sockets by activity.
    pub socks: String,
    /// Held signals.
    pub held: String,
    /// Agent channel: every frame for the visitor's agents.
    pub channel: String,
    /// Present visitors of the group: a sorted set, all scores 0, so that `/query` pages through
    /// it in id order (`ZRANGEBYLEX`).
    pub group: String,
    /// Agents watching the visitor, per node (the agents-per-visitor limit spans the cluster).
    pub agents: String,
}

impl VisitorKeys {
    /// The names for `k`.
    pub fn of(k: &VisitorKey) -> Self {
        let t = tag(k);
        Self {
            state: format!("pv:{t}:s"),
            socks: format!("pv:{t}:k"),
            held: format!("pv:{t}:h"),
            channel: format!("pa:{t}"),
            group: group_index(k.group),
            agents: format!("pv:{t}:a"),
        }
    }
}

/// The present visitors of `group` (see [`VisitorKeys::group`]).
pub fn group_index(group: glance_protocol::GroupId) -> String {
    format!("pgz:{group}")
}

/// The channel of node `node`: frames for one of its connections.
pub fn node_channel(node: &str) -> String {
    format!("pn:{node}")
}

/// The set of node `node`'s visitor sockets.
pub fn node_socks(node: &str) -> String {
    format!("pnode:{node}:socks")
}

/// The set of the agent-count hashes where node `node` has an entry (to reap a dead node).
pub fn node_agents(node: &str) -> String {
    format!("pnode:{node}:agents")
}

/// The liveness key of node `node` (expires when it stops refreshing it).
pub fn node_alive(node: &str) -> String {
    format!("pnode:{node}:alive")
}

/// The lock a node takes to reap dead node `node`.
pub fn node_reap(node: &str) -> String {
    format!("pnode:{node}:reap")
}

/// All nodes that ever registered and were not reaped.
pub const NODES: &str = "pnodes";

/// Absence checks due: `group|visitor|absent_ms` scored by the time (Redis clock, ms) the last
/// check is due. The node that closed the socket runs the checks on time; any node runs the
/// overdue ones (that node died or drained before their time).
pub const ABSENT: &str = "pabsent";

/// Member of [`ABSENT`].
pub fn absent_member(k: &VisitorKey, absent_ms: i64) -> String {
    format!("{}|{}|{absent_ms}", k.group, k.visitor)
}

/// A socket reference: `node#conn`.
pub fn sock_ref(node: &str, conn: ConnId) -> String {
    format!("{node}#{conn}")
}

/// Splits a socket reference.
pub fn parse_ref(r: &str) -> Option<(&str, ConnId)> {
    let (node, conn) = r.rsplit_once('#')?;
    Some((node, conn.parse().ok()?))
}

/// Member of a node's socket set: `group|visitor|ref`.
pub fn sock_member(k: &VisitorKey, r: &str) -> String {
    format!("{}|{}|{r}", k.group, k.visitor)
}

/// Splits a node socket member.
pub fn parse_member(m: &str) -> Option<(VisitorKey, &str)> {
    let mut parts = m.splitn(3, '|');
    let group = glance_protocol::GroupId::parse(parts.next()?).ok()?;
    let visitor = glance_protocol::VisitorId::parse(parts.next()?).ok()?;
    Some((VisitorKey::new(group, visitor), parts.next()?))
}
