//! `presence-server webhook-verify`: checks a captured webhook request (the raw HTTP request:
//! request line, headers, blank line, body) against a secret, as a receiver would. For operators
//! and CRM developers wiring up an endpoint; receivers themselves should use a Standard Webhooks
//! library (docs/WEBHOOKS.md).

use super::sign::{verify, Secret};

/// How far a `webhook-timestamp` may be from now, seconds (the libraries' default).
pub const TOLERANCE: u64 = 5 * 60;

/// Why a request does not verify.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The secret is not `whsec_…`.
    #[error("the secret must be whsec_ followed by base64")]
    Secret,
    /// A header is missing.
    #[error("missing header {0}")]
    Missing(&'static str),
    /// `webhook-timestamp` is not a number.
    #[error("webhook-timestamp is not a number")]
    Timestamp,
    /// Too old or in the future.
    #[error("webhook-timestamp is more than {TOLERANCE} s from now (a replay, or a clock off)")]
    Stale,
    /// No signature matches.
    #[error("no signature matches this secret")]
    Signature,
}

/// A verified message.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    /// `webhook-id`.
    pub id: String,
    /// The body.
    pub body: String,
}

/// Verifies `request` (raw HTTP, `\r\n` or `\n` line ends) with `secret`. `now`: Unix seconds,
/// or `None` to skip the timestamp check (for requests saved earlier).
pub fn verify_request(
    request: &str,
    secret: &str,
    now: Option<u64>,
) -> Result<Verified, VerifyError> {
    let secret = Secret::parse(secret).map_err(|_| VerifyError::Secret)?;
    let (head, body) = request
        .split_once("\r\n\r\n")
        .or_else(|| request.split_once("\n\n"))
        .unwrap_or((request, ""));
    let header = |name: &'static str| {
        head.lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .ok_or(VerifyError::Missing(name))
    };
    let id = header("webhook-id")?;
    let timestamp: u64 = header("webhook-timestamp")?
        .parse()
        .map_err(|_| VerifyError::Timestamp)?;
    let signature = header("webhook-signature")?;
    if now.is_some_and(|now| now.abs_diff(timestamp) > TOLERANCE) {
        return Err(VerifyError::Stale);
    }
    if !verify(&secret, &id, timestamp, body.as_bytes(), &signature) {
        return Err(VerifyError::Signature);
    }
    Ok(Verified {
        id,
        body: body.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::sign::signature;

    #[test]
    fn verifies_a_captured_request() {
        let text = Secret::generate();
        let secret = Secret::parse(&text).unwrap();
        let body = r#"{"type":"visitor.present","timestamp":"x","data":{}}"#;
        let sig = signature(&[secret], "msg_1", 1000, body.as_bytes());
        let request = format!(
            "POST /hook HTTP/1.1\r\nHost: crm\r\nWebhook-Id: msg_1\r\nwebhook-timestamp: 1000\r\nwebhook-signature: {sig}\r\n\r\n{body}"
        );
        assert_eq!(
            verify_request(&request, &text, Some(1100)).unwrap().id,
            "msg_1"
        );
        assert_eq!(
            verify_request(&request, &text, Some(9000)),
            Err(VerifyError::Stale)
        );
        assert!(verify_request(&request, &text, None).is_ok());
        let tampered = request.replace("present", "absent");
        assert_eq!(
            verify_request(&tampered, &text, None),
            Err(VerifyError::Signature)
        );
        let other = Secret::generate();
        assert_eq!(
            verify_request(&request, &other, None),
            Err(VerifyError::Signature)
        );
        assert_eq!(
            verify_request("POST / HTTP/1.1\n\n{}", &text, None),
            Err(VerifyError::Missing("webhook-id"))
        );
    }
}
