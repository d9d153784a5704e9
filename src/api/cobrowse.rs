//! The default one-click terms flow (§2.4): `GLANCE.Cobrowse.Visitor.showTerms`,
//! `GLANCE.Cobrowse.VisitorUI.showTerms`, `startSession`, `stopSession`, installed by the
//! loader only where the page has no cobrowse script of its own.

use crate::api::visitor::active;
use crate::core::json::Json;
use crate::core::visitor::{visitor_event, EventRule};
use crate::core::Command;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::dom::value_text;
use crate::web::global::page_global;
use crate::web::host;
use crate::web::page::{session_arg, warn};
use core::cell::RefCell;

page_global! {
    /// The key of the session started last, reported again by `stopSession`.
    static SESSION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// `GLANCE.Cobrowse.Visitor.<name>(args)`.
pub fn call(name: &str, args: Option<&Json>) {
    match name {
        "showTerms" => show_terms(args),
        "startSession" => start_session(args),
        "stopSession" => stop_session(),
        _ => {}
    }
}

fn text(args: Option<&Json>, key: &str) -> Option<String> {
    args?.get(key).and_then(value_text)
}

fn session_key(args: Option<&Json>) -> Option<String> {
    text(args, "sessionKey")
        .or_else(|| text(args, "sessionkey"))
        .or_else(|| active()?.inspect(|m| m.visitorid().map(|v| v.as_str().to_owned())))
}

fn fire(kind: &str, key: &str) {
    match (active(), visitor_event(kind, Some(session_arg(key)), EventRule::Fire)) {
        (Some(visitor), Ok(event)) => visitor.command(Command::Fire(event)),
        _ => warn("no GLANCE.Presence.Visitor to report the session to"),
    }
}

/// `showTerms(args)`: fires `terms {displayed}` and shows the dialog (or `onshowterms` after
/// `setDefaultUI(false)`).
fn show_terms(args: Option<&Json>) {
    let Some(visitor) = active() else {
        return warn("showTerms: no GLANCE.Presence.Visitor");
    };
    let sessionkey = session_key(args).unwrap_or_default();
    let termsurl = text(args, "termsurl")
        .or_else(|| text(args, "termsUrl"))
        .or_else(|| crate::web::discovery::cached_terms_url(visitor.endpoint()));
    visitor.command(Command::ShowTerms {
        sessionkey,
        termsurl,
    });
}

/// `startSession({sessionKey})`: fires `visitorsessionstart {sessionkey}` and dispatches
/// `glance:startsession` on window.
fn start_session(args: Option<&Json>) {
    let key = session_key(args).unwrap_or_default();
    SESSION.with(|s| *s.borrow_mut() = Some(key.clone()));
    fire("visitorsessionstart", &key);
    host::window_event("glance:startsession", &session_arg(&key).to_text());
}

/// `stopSession()`: fires `visitorsessionend {sessionkey}` and dispatches `glance:stopsession`
/// on window.
fn stop_session() {
    let Some(key) = SESSION.with(|s| s.borrow_mut().take()) else {
        return;
    };
    fire("visitorsessionend", &key);
    host::window_event("glance:stopsession", &session_arg(&key).to_text());
}
