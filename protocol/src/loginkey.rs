//! The login key format of the Authorization API (§4.2): `$1$<expires>$<sig>`.
//!
//! Only the format lives here; verifying the HMAC is the server's job (it holds the API keys).

use crate::ValidationError;

/// Characters of the signature: the first 43 characters of the Base64 of a 32-byte HMAC.
pub const LOGIN_KEY_SIG_LEN: usize = 43;

/// A login key split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginKey<'a> {
    /// Unix seconds after which the key is invalid.
    pub expires: u64,
    /// The decimal text of `expires`, exactly as signed.
    pub expires_text: &'a str,
    /// The signature, in either Base64 alphabet.
    pub sig: &'a str,
}

impl<'a> LoginKey<'a> {
    /// Splits `$1$<expires>$<sig>`; checks the version, the digits and the signature alphabet.
    pub fn parse(key: &'a str) -> Result<Self, ValidationError> {
        let rest = key.strip_prefix("$1$").ok_or(ValidationError::LoginKey)?;
        let (expires_text, sig) = rest.split_once('$').ok_or(ValidationError::LoginKey)?;
        if expires_text.is_empty()
            || expires_text.len() > 12
            || !expires_text.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ValidationError::LoginKey);
        }
        let expires = expires_text
            .parse()
            .map_err(|_| ValidationError::LoginKey)?;
        let sig_ok = sig.len() == LOGIN_KEY_SIG_LEN
            && sig
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'));
        if !sig_ok {
            return Err(ValidationError::LoginKey);
        }
        Ok(Self {
            expires,
            expires_text,
            sig,
        })
    }

    /// The message the signature covers: partnerid + partneruserid + "1" + expires.
    pub fn signed_message(partner_id: &str, partner_user_id: &str, expires: &str) -> String {
        format!("{partner_id}{partner_user_id}1{expires}")
    }
}
