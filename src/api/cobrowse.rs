//! The default one-click terms flow (§2.4): `GLANCE.Cobrowse.Visitor.showTerms`,
//! `GLANCE.Cobrowse.VisitorUI.showTerms`, `startSession`, `stopSession`, installed by the
//! facade only where the page has no cobrowse script of its own.

use crate::api::visitor::active;
use crate::core::visitor::{visitor_event, EventRule};
use crate::core::Command;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::JsPayload;
use crate::web::dom::dispatch_window_event;
use crate::web::global::page_global;
use crate::web::page::{session_arg, text, warn};
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

page_global! {
    /// The key of the session started last, reported again by `stopSession`.
    static SESSION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The core of the default cobrowse functions (static methods only).
#[wasm_bindgen]
pub struct Cobrowse;

fn session_key(args: &JsValue) -> Option<String> {
    text(args, "sessionKey")
        .or_else(|| text(args, "sessionkey"))
        .or_else(|| active()?.inspect(|m| m.visitorid().map(|v| v.as_str().to_owned())))
}

fn fire(kind: &str, key: &str) {
    let data = JsPayload(session_arg(key));
    match (active(), visitor_event(kind, Some(data), EventRule::Fire)) {
        (Some(visitor), Ok(event)) => visitor.command(Command::Fire(event)),
        _ => warn("no GLANCE.Presence.Visitor to report the session to"),
    }
}

#[wasm_bindgen]
impl Cobrowse {
    /// `showTerms(args)`: fires `terms {displayed}` and shows the dialog (or `onshowterms` after
    /// `setDefaultUI(false)`).
    #[wasm_bindgen(js_name = showTerms)]
    pub fn show_terms(args: JsValue) {
        let Some(visitor) = active() else {
            return warn("showTerms: no GLANCE.Presence.Visitor");
        };
        let sessionkey = session_key(&args).unwrap_or_default();
        let termsurl = text(&args, "termsurl")
            .or_else(|| text(&args, "termsUrl"))
            .or_else(|| crate::web::discovery::cached_terms_url(visitor.endpoint()));
        visitor.command(Command::ShowTerms {
            sessionkey,
            termsurl,
        });
    }

    /// `startSession({sessionKey})`: fires `visitorsessionstart {sessionkey}` and dispatches
    /// `glance:startsession` on window.
    #[wasm_bindgen(js_name = startSession)]
    pub fn start_session(args: JsValue) {
        let key = session_key(&args).unwrap_or_default();
        SESSION.with(|s| *s.borrow_mut() = Some(key.clone()));
        fire("visitorsessionstart", &key);
        dispatch_window_event("glance:startsession", &session_arg(&key));
    }

    /// `stopSession()`: fires `visitorsessionend {sessionkey}` and dispatches
    /// `glance:stopsession` on window.
    #[wasm_bindgen(js_name = stopSession)]
    pub fn stop_session() {
        let Some(key) = SESSION.with(|s| s.borrow_mut().take()) else {
            return;
        };
        fire("visitorsessionend", &key);
        dispatch_window_event("glance:stopsession", &session_arg(&key));
    }
}
