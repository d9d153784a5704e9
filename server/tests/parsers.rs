//! Property tests of the server's credential parsers (issue 13 §7): the token verifier and the
//! login-key verifier never panic on arbitrary or near-valid input, refuse it only with their
//! typed errors, and accept what the server itself issues.
//!
//! 256 cases per property, so `cargo test --workspace` stays fast.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use glance_protocol::{GroupId, VisitorId};
use presence_server::auth::{make_login_key, verify_login_key, LoginKeyError, TokenError, Tokens};
use proptest::prelude::*;
use proptest::sample::Index;

const SECRET: &[u8] = b"property-test-secret";
const NOW: u64 = 1_800_000_000;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

fn group() -> GroupId {
    GroupId::new(12345).expect("positive")
}

fn visitor() -> VisitorId {
    VisitorId::parse("UNQ-42").expect("valid")
}

/// Both verifiers on `token`: either refusal is a [`TokenError`]; nothing random passes.
fn check_refused(tokens: &Tokens, token: &str) {
    assert!(matches!(
        tokens.verify_agent(token, group()),
        Err(TokenError::Invalid | TokenError::WrongScope(_))
    ));
    assert!(matches!(
        tokens.verify_guest(token, group(), &visitor()),
        Err(TokenError::Invalid | TokenError::WrongScope(_))
    ));
}

/// One base64url segment of a JWT: arbitrary bytes, or JSON of the right shape with random values.
fn segment() -> impl Strategy<Value = String> {
    let json = prop_oneof![
        (
            prop::sample::select(vec!["HS256", "none", "RS256", "HS512", ""]),
            prop::option::of("[A-Z]{3}")
        )
            .prop_map(|(alg, typ)| { serde_json::json!({ "alg": alg, "typ": typ }).to_string() }),
        (
            prop::sample::select(vec!["agent", "guest", "x"]),
            any::<u32>(),
            ".{0,8}",
            prop::sample::select(vec!["presence", "other"]),
            any::<u64>(),
        )
            .prop_map(|(knd, grp, sub, svc, exp)| {
                serde_json::json!({
                    "knd": knd, "grp": grp, "sub": sub, "vid": sub, "nce": 1,
                    "svc": svc, "iat": 0, "exp": exp,
                })
                .to_string()
            }),
        ".{0,40}",
    ];
    prop_oneof![
        json.prop_map(|j| URL_SAFE_NO_PAD.encode(j)),
        prop::collection::vec(any::<u8>(), 0..48).prop_map(|b| URL_SAFE_NO_PAD.encode(b)),
        "[A-Za-z0-9_=+/-]{0,60}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tokens_arbitrary_text_is_refused(token in ".{0,200}") {
        check_refused(&Tokens::new(SECRET), &token);
    }

    #[test]
    fn tokens_jwt_shaped_is_refused(
        parts in prop::collection::vec(segment(), 1..5),
        dots in prop::sample::select(vec![".", "..", ""]),
    ) {
        // Random segments carry no valid signature under SECRET.
        check_refused(&Tokens::new(SECRET), &parts.join(dots));
    }

    #[test]
    fn agent_tokens_round_trip(user in ".{0,40}", minutes in 0u64..500) {
        let tokens = Tokens::new(SECRET);
        let now = presence_server::http::unix_now();
        let token = tokens.issue_agent(group(), &user, "presence", minutes, now);
        let claims = tokens.verify_agent(&token, group()).expect("our own token");
        prop_assert_eq!(claims.sub, user);
        prop_assert_eq!(claims.grp, group().get());
        prop_assert_eq!(claims.exp, now + minutes.clamp(1, 120) * 60);
        // The same token for another group or under another secret is refused.
        let other = GroupId::new(7).expect("positive");
        prop_assert_eq!(tokens.verify_agent(&token, other), Err(TokenError::WrongScope("group")));
        prop_assert_eq!(
            Tokens::new(b"other").verify_agent(&token, group()),
            Err(TokenError::Invalid)
        );
        // An agent token is no guest token.
        prop_assert!(tokens.verify_guest(&token, group(), &visitor()).is_err());
    }

    #[test]
    fn edited_tokens_are_refused(
        at in any::<Index>(),
        with in prop::sample::select(b"AQgw_-.=xZ09".to_vec()),
    ) {
        let tokens = Tokens::new(SECRET);
        let now = presence_server::http::unix_now();
        let token = tokens.issue_guest(group(), &visitor(), 9, now + 600);
        prop_assert!(tokens.verify_guest(&token, group(), &visitor()).is_ok());
        let mut bytes = token.clone().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = with;
        let edited = String::from_utf8(bytes).expect("ASCII");
        // Base64 has spare bits in a segment's last character: an edit there may decode to the
        // same bytes, the same token. Any other edit is refused.
        let last_of_segment = token.as_bytes().get(i + 1).is_none_or(|&b| b == b'.');
        if edited != token && !last_of_segment {
            prop_assert_eq!(
                tokens.verify_guest(&edited, group(), &visitor()),
                Err(TokenError::Invalid)
            );
        }
    }

    #[test]
    fn login_key_verifier_never_panics(
        key in prop_oneof![
            ".{0,80}",
            "\\$1\\$[0-9]{1,14}\\$[A-Za-z0-9+/_-]{43}",
        ],
        now in prop_oneof![any::<u64>(), Just(u64::MAX)],
    ) {
        // `now` up to u64::MAX: the window check must not overflow.
        let outcome = verify_login_key("api-key", "12345", "agent1", &key, now);
        prop_assert!(matches!(outcome, Err(LoginKeyError::Malformed | LoginKeyError::Expired
            | LoginKeyError::TooFarAhead | LoginKeyError::BadSignature)));
    }

    #[test]
    fn login_keys_round_trip(user in ".{0,24}", ahead in 1u64..=24 * 3600, flip in any::<Index>()) {
        let key = make_login_key("api-key", "12345", &user, NOW + ahead);
        prop_assert_eq!(verify_login_key("api-key", "12345", &user, &key, NOW), Ok(()));
        // Changing one signature character to another of the alphabet breaks the signature
        // (unless it only swaps between the two alphabets' spellings of the same digit).
        let sig_start = key.rfind('$').expect("three dollars") + 1;
        let mut bytes = key.into_bytes();
        let i = sig_start + flip.index(bytes.len() - sig_start);
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(bytes).expect("ASCII");
        prop_assert_eq!(
            verify_login_key("api-key", "12345", &user, &edited, NOW),
            Err(LoginKeyError::BadSignature)
        );
    }
}
