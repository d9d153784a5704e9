//! The server figures of a run: `/proc` samples and deltas over its phases, per node.

use crate::procstat::{ProcDelta, ProcSample};
use serde::Serialize;

/// One node's figures over a multi-node run.
#[derive(Debug, Clone, Serialize)]
pub struct NodeFigures {
    /// `visitors` (a `--url` / `--also-url` node) or `agents` (the `--agent-url` node).
    pub role: &'static str,
    /// Where it listens.
    pub addr: String,
    /// Its pid.
    pub pid: Option<u32>,
    /// Its `/proc` figures (when its pid is known).
    pub figures: Option<ServerFigures>,
}

/// The server's figures over a run.
#[derive(Debug, Clone, Serialize)]
pub struct ServerFigures {
    /// Before any socket.
    pub before: ProcSample,
    /// All sockets open, settled.
    pub connected_at: ProcSample,
    /// End of the timed part.
    pub after: ProcSample,
    /// before → connected.
    pub connected: ProcDelta,
    /// The connect phase alone (CPU).
    pub connecting: ProcDelta,
    /// The timed part (start → start + duration).
    pub active: ProcDelta,
}

/// The figures, when every sample was taken.
pub fn figures(
    before: Option<ProcSample>,
    connect_end: Option<ProcSample>,
    connected_at: Option<ProcSample>,
    start: Option<ProcSample>,
    end: Option<ProcSample>,
) -> Option<ServerFigures> {
    match (before, connect_end, connected_at, start, end) {
        (Some(b), Some(ce), Some(c), Some(s), Some(e)) => Some(ServerFigures {
            before: b,
            connected_at: c,
            after: e,
            connected: ProcDelta::between(&b, &c),
            connecting: ProcDelta::between(&b, &ce),
            active: ProcDelta::between(&s, &e),
        }),
        _ => None,
    }
}
