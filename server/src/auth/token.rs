//! HS256 tokens: agent tokens from `Authorize` and guest tokens for unique visitors.

use glance_protocol::{GroupId, VisitorId};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Bad signature, wrong shape, expired, or of the other kind.
    #[error("invalid or expired token")]
    Invalid,
    /// Valid, but for another group, visitor or service.
    #[error("token is not for this {0}")]
    WrongScope(&'static str),
}

/// Claims of an agent token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentClaims {
    /// Kind marker: `agent`.
    pub knd: String,
    /// The group.
    pub grp: u32,
    /// The agent's user id (`partneruserid`).
    pub sub: String,
    /// The service (`presence`).
    pub svc: String,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Expiry, Unix seconds.
    pub exp: u64,
}

/// Claims of a guest token (binds a unique visitor id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestClaims {
    /// Kind marker: `guest`.
    pub knd: String,
    /// The group.
    pub grp: u32,
    /// The unique visitor id, `UNQ-…`.
    pub vid: String,
    /// The claim of the id this token belongs to (a random number the store keeps beside the
    /// live id): once the id lapses and is handed out again, older tokens for it no longer match.
    pub nce: u64,
    /// Expiry, Unix seconds. Not the id's timeout: the store keeps that, and every connect or
    /// extend renews it, so a token outlives many timeouts (see [`GUEST_TOKEN_SECS`]).
    pub exp: u64,
}

/// Lifetime of a guest token. The original scripts' `extendUnique()` reconnects with the token
/// they got first, so it must stay valid across many renewals; whether the id is still live is
/// the store's answer, not the token's.
pub const GUEST_TOKEN_SECS: u64 = 24 * 3600;

/// Issues and verifies tokens with one secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Tokens {
    /// Tokens signed with `secret`.
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["exp"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// A token for `user` of `group` and `service`, valid `minutes` (clamped to 1..120) from `now`.
    pub fn issue_agent(
        &self,
        group: GroupId,
        user: &str,
        service: &str,
        minutes: u64,
        now: u64,
    ) -> String {
        let minutes = minutes.clamp(1, 120);
        let claims = AgentClaims {
            knd: "agent".into(),
            grp: group.get(),
            sub: user.into(),
            svc: service.into(),
            iat: now,
            exp: now + minutes * 60,
        };
        // HS256 over plain claims cannot fail to encode.
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).unwrap_or_default()
    }

    /// Verifies an agent token for `group` and the `presence` service.
    pub fn verify_agent(&self, token: &str, group: GroupId) -> Result<AgentClaims, TokenError> {
        let claims = decode::<AgentClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        if claims.knd != "agent" {
            return Err(TokenError::Invalid);
        }
        if claims.grp != group.get() {
            return Err(TokenError::WrongScope("group"));
        }
        if claims.svc != "presence" {
            return Err(TokenError::WrongScope("service"));
        }
        Ok(claims)
    }

    /// A guest token binding `visitor` of `group`, claimed as `claim`, until `exp` (Unix
    /// seconds).
    pub fn issue_guest(&self, group: GroupId, visitor: &VisitorId, claim: u64, exp: u64) -> String {
        let claims = GuestClaims {
            knd: "guest".into(),
            grp: group.get(),
            vid: visitor.as_str().into(),
            nce: claim,
            exp,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).unwrap_or_default()
    }

    /// Verifies a guest token for `visitor` of `group`.
    pub fn verify_guest(
        &self,
        token: &str,
        group: GroupId,
        visitor: &VisitorId,
    ) -> Result<GuestClaims, TokenError> {
        let claims = decode::<GuestClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        if claims.knd != "guest" {
            return Err(TokenError::Invalid);
        }
        if claims.grp != group.get() {
            return Err(TokenError::WrongScope("group"));
        }
        if claims.vid != visitor.as_str() {
            return Err(TokenError::WrongScope("visitor"));
        }
        Ok(claims)
    }
}
