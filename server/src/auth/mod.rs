//! Authorization: login keys (§4.2) and the tokens the server issues.

mod loginkey;
mod token;

pub use loginkey::{make_login_key, verify_login_key, LoginKeyError};
pub use token::{AgentClaims, GuestClaims, TokenError, Tokens, GUEST_TOKEN_SECS};
