//! Unique visitor ids (§4.3): random 9-digit numbers, never handed out twice while live.
//!
//! Random rather than counted: a counter tells anyone who asks how many guests came before. Each
//! live id is stored with its *claim*, a random number its guest token carries, so a token for an
//! id that lapsed and was handed out again does not match the new holder.

use rand::Rng;

/// Smallest unique id: ids always have 9 digits.
pub const FIRST_UNIQUE: u64 = 100_000_000;
/// Largest unique id.
pub const LAST_UNIQUE: u64 = 999_999_999;

/// Draws before [`claim`](super::Store::claim_unique) gives up: with 900 million ids, even a
/// million live guests make a collision a one-in-900 event per draw.
pub const UNIQUE_DRAWS: usize = 16;

/// A random candidate id.
pub fn random_unique() -> u64 {
    rand::rng().random_range(FIRST_UNIQUE..=LAST_UNIQUE)
}

/// A random claim for a new id.
pub fn random_claim() -> u64 {
    rand::rng().random()
}

/// The number of a unique visitor id (`UNQ-<digits>`), if it is one of ours.
pub fn unique_number(visitor: &glance_protocol::VisitorId) -> Option<u64> {
    visitor.unique_digits()?.parse().ok()
}

/// A live id as the in-memory store keeps it.
#[derive(Debug, Clone, Copy)]
pub struct LiveUnique {
    /// The claim its guest token carries.
    pub claim: u64,
    /// When it lapses unless renewed (ms since the epoch).
    pub until_ms: u64,
}
