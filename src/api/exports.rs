//! What the module exports to the loader: start-up, object construction, method calls and the
//! host's reports. Only numbers and strings cross; page values are JSON text.

use crate::api::agent::AgentCore;
use crate::api::context::{config, set_script_url};
use crate::api::visitor::VisitorCore;
use crate::api::{authorization, cobrowse};
use crate::core::config::PresenceMode;
use crate::core::json::Json;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::global::page_global;
use crate::web::host::DIALOG_ID;
use crate::web::listener::{listeners, WINDOW};
use crate::web::page::Target;
use crate::web::registry::{report, Report};
use crate::web::terms_dialog;
use alloc::rc::Rc;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

/// A page object's core.
#[derive(Clone)]
enum Core {
    Agent(Rc<AgentCore>),
    Visitor(Rc<VisitorCore>),
}

page_global! {
    /// The cores of the page's objects, by the host's id of the object.
    static OBJECTS: RefCell<Vec<(Target, Core)>> = const { RefCell::new(Vec::new()) };
}

/// Report kind: the page object `id` was garbage-collected; its core goes.
const COLLECTED: u32 = 8;

/// Records where the script came from (the default `ws`); called before queued calls replay.
/// Returns whether the page asks for `data-presence="on"`: the loader then creates a visitor
/// and calls `presence()` once the DOM is loaded.
#[wasm_bindgen]
pub fn start(script_url: &str) -> bool {
    set_script_url((!script_url.is_empty()).then(|| script_url.to_owned()));
    config(None).presence == PresenceMode::On
}

/// `new GLANCE.Presence.Agent(params)` (`kind` 0) or `Visitor(params)` (1) for page object
/// `page`; `params`: JSON text.
#[wasm_bindgen]
pub fn create(kind: u32, page: Target, params: &str) {
    let params = Json::parse(params);
    let core = if kind == 0 {
        Core::Agent(Rc::new(AgentCore::new(page, params.as_ref())))
    } else {
        Core::Visitor(Rc::new(VisitorCore::new(page, params.as_ref())))
    };
    OBJECTS.with(|o| o.borrow_mut().push((page, core)));
}

/// Method `name` of page object `page` (0: the static `GLANCE.Authorization` and
/// `GLANCE.Cobrowse` functions) with the JSON array `args` (empty: JSON could not carry them) and
/// the options `opts` the host holds for the call's callbacks (0: none). Returns the method's
/// result as JSON text.
#[wasm_bindgen]
pub fn call(page: Target, name: &str, args: &str, opts: Target) -> Option<String> {
    let args = match Json::parse(args) {
        Some(Json::Array(args)) => Some(args),
        _ => None,
    };
    let args = args.as_deref();
    if page == 0 {
        if name.ends_with("Terms") || name.ends_with("Session") {
            cobrowse::call(name, args.and_then(|a| a.first()));
            return None;
        }
        return authorization::call(name, args, opts);
    }
    // Cloned out: the method may run page code that calls back in.
    let core = OBJECTS.with(|o| {
        let objects = o.borrow();
        objects.iter().find(|(id, _)| *id == page).map(|(_, c)| c.clone())
    })?;
    match core {
        Core::Agent(agent) => agent.call(name, args, opts),
        Core::Visitor(visitor) => visitor.call(name, args),
    }
}

/// A report of the host: `kind` of happening on resource `id`, with a number (close code, HTTP
/// status, which window event, dialog outcome) and text (a frame, a body).
#[wasm_bindgen]
pub fn ev(kind: u32, id: u32, number: f64, text: &str) {
    match kind {
        COLLECTED => {
            let gone = OBJECTS.with(|o| {
                let mut objects = o.borrow_mut();
                let index = objects.iter().position(|(page, _)| *page == id)?;
                Some(objects.swap_remove(index))
            });
            drop(gone);
        }
        WINDOW => {
            for listener in listeners() {
                let text = String::new();
                report(listener, Report { kind, number, text });
            }
        }
        _ if id == DIALOG_ID => terms_dialog::respond(number != 0.0),
        _ => {
            let text = text.to_owned();
            report(id, Report { kind, number, text });
        }
    }
}
