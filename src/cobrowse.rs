//! The default one-click terms flow (§2.4): `GLANCE.Cobrowse.Visitor.showTerms`,
//! `GLANCE.Cobrowse.VisitorUI.showTerms`, `startSession`, `stopSession`, installed by the loader
//! only where the page has no cobrowse script of its own, and the built-in terms dialog.
//!
//! The dialog is a native modal `<dialog>` in a shadow root (the shell builds it, see
//! `src/shell/dialog.rs`), so the host page's styles neither reach into it nor are touched by
//! it. Accessible through the platform: `showModal()` puts it in the top layer
//! and makes the rest of the page inert (focus cannot leave it, assistive technology sees only
//! it), moves focus to Decline (`autofocus`) and gives it back on close. The title and
//! description label it; the buttons submit a `method="dialog"` form, whose value closes the
//! dialog; Escape cancels, which declines.

use crate::link::Conn;
use crate::method::Method;
use crate::page::{Effect, Shared};
use crate::resolve::cached;
use crate::value::Value;
use crate::visitor::{fire, value_text};

/// `GLANCE.Cobrowse.Visitor.<name>(args)` for the active visitor (`None`: there is none).
pub fn call(conn: Option<&mut Conn>, sh: &mut Shared, name: Method, args: Option<&Value>) {
    match name {
        Method::ShowTerms => match conn {
            Some(conn) => show_terms(conn, sh, args),
            None => sh.warn("showTerms: no GLANCE.Presence.Visitor"),
        },
        Method::StartSession => {
            let key = session_key(conn.as_deref(), args);
            sh.session = Some(key.clone());
            session_event(conn, sh, "visitorsessionstart", "glance:startsession", &key);
        }
        Method::StopSession => {
            if let Some(key) = sh.session.take() {
                session_event(conn, sh, "visitorsessionend", "glance:stopsession", &key);
            }
        }
        _ => {}
    }
}

fn text(args: Option<&Value>, key: &str) -> Option<String> {
    args?.get(key).and_then(value_text)
}

/// `sessionKey` (or `sessionkey`) of the arguments, else the visitor id.
fn session_key(conn: Option<&Conn>, args: Option<&Value>) -> String {
    text(args, "sessionKey")
        .or_else(|| text(args, "sessionkey"))
        .or_else(|| Some(conn?.visitor.clone()))
        .unwrap_or_default()
}

/// `{sessionkey}`.
fn session_arg(key: &str) -> Value {
    crate::frames::object(&[("sessionkey", key)])
}

/// Fires the session event to the agents and dispatches its DOM event on window.
fn session_event(
    conn: Option<&mut Conn>,
    sh: &mut Shared,
    kind: &str,
    dom: &'static str,
    key: &str,
) {
    match conn {
        Some(conn) => fire(conn, sh, kind, session_arg(key)),
        None => sh.warn("no GLANCE.Presence.Visitor to report the session to"),
    }
    sh.outbox.push_back(Effect::Event(dom, session_arg(key)));
}

/// `showTerms(args)`: fires `terms {displayed}` and shows the dialog (or `onshowterms` after
/// `setDefaultUI(false)`).
fn show_terms(conn: &mut Conn, sh: &mut Shared, args: Option<&Value>) {
    let key = session_key(Some(conn), args);
    let cached_url = conn
        .endpoint
        .as_ref()
        .ok()
        .and_then(|e| cached(sh, e)?.terms_url.clone());
    let url = text(args, "termsurl")
        .or_else(|| text(args, "termsUrl"))
        .or(cached_url);
    fire(
        conn,
        sh,
        "terms",
        crate::frames::object(&[("status", "displayed")]),
    );
    if conn.default_ui {
        sh.dialog = Some((conn.id, key));
        // The terms link only for a web address.
        let url = url.filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        sh.outbox
            .push_back(Effect::Dialog(true, url.unwrap_or_default()));
    } else {
        let mut arg = session_arg(&key);
        if let Some(url) = url {
            arg.set("termsurl", Value::str(&url));
        }
        sh.emit(conn.id, "onshowterms", &[arg]);
    }
}

/// The dialog closed: Accept (`true`) or Decline / Escape. Reports it, and starts the session on
/// accept through `GLANCE.Cobrowse.Visitor.startSession` (the page's own, if it has one).
pub fn respond(objects: &mut [Conn], sh: &mut Shared, accepted: bool) {
    let Some((visitor, key)) = sh.dialog.take() else {
        return;
    };
    sh.outbox.push_back(Effect::Dialog(false, String::new()));
    let Some(conn) = objects.iter_mut().find(|c| c.id == visitor) else {
        return;
    };
    let status = if accepted { "accepted" } else { "declined" };
    fire(
        conn,
        sh,
        "terms",
        crate::frames::object(&[("status", status)]),
    );
    if accepted {
        sh.outbox.push_back(Effect::Call(
            "GLANCE.Cobrowse.Visitor.startSession".into(),
            crate::frames::object(&[("sessionKey", &key)]),
        ));
    }
}
