//! Verifying a login key: `$1$<expires>$<sig>`, sig = first 43 characters of
//! Base64(HMAC-SHA256(api key, partnerid + partneruserid + "1" + expires)).

use base64::Engine;
use glance_protocol::{LoginKey, LOGIN_KEY_SIG_LEN};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Longest a login key may reach into the future.
pub const MAX_AHEAD_SECS: u64 = 24 * 3600;

/// Why a login key was refused. All map to 401; the variants are for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LoginKeyError {
    /// Not of the `$1$<expires>$<sig>` form.
    #[error("malformed login key")]
    Malformed,
    /// `expires` is in the past.
    #[error("login key expired")]
    Expired,
    /// `expires` is more than 24 h ahead.
    #[error("login key expires too far in the future")]
    TooFarAhead,
    /// The signature does not match.
    #[error("bad login key signature")]
    BadSignature,
}

/// Verifies `key` for `partner_id` + `partner_user_id` under `api_key` at Unix time `now`.
pub fn verify_login_key(
    api_key: &str,
    partner_id: &str,
    partner_user_id: &str,
    key: &str,
    now: u64,
) -> Result<(), LoginKeyError> {
    let parsed = LoginKey::parse(key).map_err(|_| LoginKeyError::Malformed)?;
    if parsed.expires <= now {
        return Err(LoginKeyError::Expired);
    }
    if parsed.expires > now + MAX_AHEAD_SECS {
        return Err(LoginKeyError::TooFarAhead);
    }
    let expected = signature(api_key, partner_id, partner_user_id, parsed.expires_text);
    // Accept both alphabets: normalize the URL-safe characters to the standard ones, then compare
    // all 43 bytes in constant time.
    let given: Vec<u8> = parsed
        .sig
        .bytes()
        .map(|b| match b {
            b'-' => b'+',
            b'_' => b'/',
            b => b,
        })
        .collect();
    if bool::from(given.ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(LoginKeyError::BadSignature)
    }
}

/// The standard-alphabet signature text (43 characters).
pub fn signature(api_key: &str, partner_id: &str, partner_user_id: &str, expires: &str) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(api_key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(LoginKey::signed_message(partner_id, partner_user_id, expires).as_bytes());
    let mut sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    sig.truncate(LOGIN_KEY_SIG_LEN);
    sig
}

/// Builds a login key, as a CRM back end would (used by tests, the bench tool and docs).
pub fn make_login_key(
    api_key: &str,
    partner_id: &str,
    partner_user_id: &str,
    expires: u64,
) -> String {
    let sig = signature(api_key, partner_id, partner_user_id, &expires.to_string());
    format!("$1${expires}${sig}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn accepts_both_alphabets_and_checks_time() {
        let key = make_login_key("secret-key", "12345", "agent1", NOW + 60);
        assert_eq!(
            verify_login_key("secret-key", "12345", "agent1", &key, NOW),
            Ok(())
        );
        let url_safe = key.replace('+', "-").replace('/', "_");
        assert_eq!(
            verify_login_key("secret-key", "12345", "agent1", &url_safe, NOW),
            Ok(())
        );
        assert_eq!(
            verify_login_key("other-key", "12345", "agent1", &key, NOW),
            Err(LoginKeyError::BadSignature)
        );
        assert_eq!(
            verify_login_key("secret-key", "12345", "agent2", &key, NOW),
            Err(LoginKeyError::BadSignature)
        );
        assert_eq!(
            verify_login_key("secret-key", "12345", "agent1", &key, NOW + 61),
            Err(LoginKeyError::Expired)
        );
        let far = make_login_key("secret-key", "12345", "agent1", NOW + MAX_AHEAD_SECS + 1);
        assert_eq!(
            verify_login_key("secret-key", "12345", "agent1", &far, NOW),
            Err(LoginKeyError::TooFarAhead)
        );
        assert_eq!(
            verify_login_key("secret-key", "12345", "agent1", "$2$1$x", NOW),
            Err(LoginKeyError::Malformed)
        );
    }
}
