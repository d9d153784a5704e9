//! The two states of a [`crate::core::link::Link`]: what the page wants ([`Mode`]) and where the
//! connection is ([`Phase`]).

/// What the page wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No connection (never asked, or `disconnect()`, or refused).
    Off,
    /// Stay connected.
    On,
    /// Closed on purpose while the page is hidden; reconnect when it becomes visible.
    Dormant,
}

/// Where the connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing in flight.
    Idle,
    /// Waiting for the resolve step of this attempt.
    Resolving(u32),
    /// Waiting for the socket of this attempt to open.
    Opening(u32),
    /// `connect` sent, waiting for `connected`.
    Handshaking,
    /// Connected.
    Open,
    /// Waiting for the Retry timer.
    Waiting,
}
