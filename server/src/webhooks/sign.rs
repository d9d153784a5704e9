//! Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
//! with a secret written `whsec_<base64>`. During a rotation an endpoint has two secrets and every
//! message carries both signatures, space-separated, so the receiver may switch at any time.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Shortest secret accepted, bytes (Standard Webhooks asks for 24 to 64).
const MIN_SECRET: usize = 24;
/// Longest secret accepted, bytes.
const MAX_SECRET: usize = 64;

/// A secret that is not `whsec_<base64>` of 24..64 bytes.
#[derive(Debug, thiserror::Error)]
#[error("a webhook secret must be whsec_ followed by the base64 of 24 to 64 random bytes")]
pub struct SecretError;

/// One signing secret (the decoded bytes).
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// Parses `whsec_<base64>`.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let b64 = text.trim().strip_prefix("whsec_").ok_or(SecretError)?;
        let bytes = STANDARD.decode(b64).map_err(|_| SecretError)?;
        if !(MIN_SECRET..=MAX_SECRET).contains(&bytes.len()) {
            return Err(SecretError);
        }
        Ok(Self(bytes))
    }

    /// A fresh random secret in `whsec_` form (for operators: `webhook-secret`).
    pub fn generate() -> String {
        let bytes: [u8; 32] = rand::random();
        format!("whsec_{}", STANDARD.encode(bytes))
    }

    fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        // HMAC takes a key of any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` value: one `v1,…` per secret, space-separated.
pub fn signature(secrets: &[Secret], id: &str, timestamp: u64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|s| s.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `header` (a `webhook-signature` value) holds a valid `v1` signature by `secret`,
/// compared in constant time.
pub fn verify(secret: &Secret, id: &str, timestamp: u64, body: &[u8], header: &str) -> bool {
    use subtle::ConstantTimeEq;
    let expected = secret.sign(id, timestamp, body);
    header
        .split(' ')
        .any(|sig| sig.as_bytes().ct_eq(expected.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_with_either_secret() {
        let a = Secret::parse(&Secret::generate()).unwrap();
        let b = Secret::parse(&Secret::generate()).unwrap();
        let header = signature(&[a.clone(), b.clone()], "msg_1", 1_700_000_000, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        assert!(verify(&a, "msg_1", 1_700_000_000, b"{}", &header));
        assert!(verify(&b, "msg_1", 1_700_000_000, b"{}", &header));
        assert!(!verify(&a, "msg_1", 1_700_000_001, b"{}", &header));
    }

    #[test]
    fn refuses_bad_secrets() {
        assert!(Secret::parse("whsec_c2hvcnQ=").is_err());
        assert!(Secret::parse("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0").is_err());
        assert!(Secret::parse("whsec_***").is_err());
    }
}
