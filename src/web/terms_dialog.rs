//! The built-in terms dialog (§2.4): a modal in a shadow root, so the host page's styles neither
//! reach into it nor are touched by it.
//!
//! Accessible: `role="dialog"` with `aria-modal`, a labelled title and description, real buttons,
//! focus moved in on open and back out on close, Tab and focus kept inside, Escape declines.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::dom::document;
use crate::web::global::page_global;
use crate::web::listener::Listener;
use core::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// The id of the dialog's host element.
pub const HOST_ID: &str = "glance-terms";

const TEMPLATE: &str = r#"<style>
:host{all:initial}
.backdrop{position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(15,20,25,.5);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;text-align:left}
.dialog{box-sizing:border-box;width:calc(100% - 2rem);max-width:26rem;padding:1.4rem 1.5rem;border-radius:10px;background:#fff;box-shadow:0 12px 40px rgba(0,0,0,.35)}
h2{margin:0 0 .5rem;font-size:1.15rem;font-weight:600}
p{margin:0 0 1rem}
a{color:#0b57d0}
.actions{display:flex;gap:.6rem;justify-content:flex-end}
button{font:inherit;margin:0;padding:.5rem 1.1rem;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#1b1f24;cursor:pointer}
button.accept{border-color:#0b57d0;background:#0b57d0;color:#fff}
button:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
</style><div class="backdrop"><div class="dialog" role="dialog" aria-modal="true" aria-labelledby="t" aria-describedby="d">
<h2 id="t">Share this page with an agent?</h2>
<p id="d">An agent has asked to start a screen-sharing session so they can see this page with you.</p>
<p class="terms" hidden><a target="_blank" rel="noopener noreferrer">Terms of service</a></p>
<div class="actions"><button type="button" class="decline">Decline</button><button type="button" class="accept">Accept</button></div>
</div></div>"#;

/// An open dialog. Dropping it removes it from the page (and its listeners) and gives focus back.
struct TermsDialog {
    host: Element,
    outcome: Option<Box<dyn FnOnce(bool)>>,
    previous_focus: Option<HtmlElement>,
    _listeners: Vec<Listener>,
}

impl Drop for TermsDialog {
    fn drop(&mut self) {
        self.host.remove();
        if let Some(element) = &self.previous_focus {
            let _ = element.focus();
        }
    }
}

page_global! {
    static OPEN: RefCell<Option<TermsDialog>> = const { RefCell::new(None) };
}

/// Whether the dialog is showing.
pub fn is_open() -> bool {
    OPEN.with(|d| d.borrow().is_some())
}

/// Shows the dialog (replacing one already open, whose outcome is then never reported).
/// `outcome(true)` on Accept, `outcome(false)` on Decline or Escape.
pub fn show(terms_url: Option<&str>, outcome: impl FnOnce(bool) + 'static) {
    let built = build(terms_url);
    let old = OPEN.with(|d| d.borrow_mut().take());
    drop(old);
    let Some((host, listeners, first)) = built else {
        return;
    };
    let previous_focus = document()
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    let dialog = TermsDialog {
        host,
        outcome: Some(Box::new(outcome)),
        previous_focus,
        _listeners: listeners,
    };
    OPEN.with(|d| *d.borrow_mut() = Some(dialog));
    let _ = first.focus();
}

/// Closes the dialog and reports `accepted` (also what the buttons do).
pub fn respond(accepted: bool) {
    let dialog = OPEN.with(|d| d.borrow_mut().take());
    if let Some(mut dialog) = dialog {
        let outcome = dialog.outcome.take();
        drop(dialog);
        if let Some(outcome) = outcome {
            outcome(accepted);
        }
    }
}

/// Creates the host, its shadow content and the listeners. Returns them and the element to focus.
fn build(terms_url: Option<&str>) -> Option<(Element, Vec<Listener>, HtmlElement)> {
    let document = document()?;
    let body = document.body()?;
    let host = document.create_element("div").ok()?;
    host.set_id(HOST_ID);
    let init = ShadowRootInit::new(ShadowRootMode::Open);
    let shadow = host.attach_shadow(&init).ok()?;
    shadow.set_inner_html(TEMPLATE);
    let find = |selector: &str| -> Option<HtmlElement> {
        shadow
            .query_selector(selector)
            .ok()
            .flatten()?
            .dyn_into()
            .ok()
    };
    let (decline, accept) = (find("button.decline")?, find("button.accept")?);
    let mut focusable = vec![decline.clone(), accept.clone()];
    if let Some(url) = terms_url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        if let (Some(paragraph), Some(link)) = (find("p.terms"), find("a")) {
            let _ = link.set_attribute("href", url);
            paragraph.set_hidden(false);
            focusable.insert(0, link);
        }
    }
    body.append_child(&host).ok()?;

    let listeners = vec![
        Listener::new(&accept, "click", |_| respond(true)),
        Listener::new(&decline, "click", |_| respond(false)),
        Listener::new(&shadow, "keydown", move |e| on_key(&e, &focusable)),
        Listener::new(&document, "focusin", {
            let (host, decline) = (host.clone(), decline.clone());
            move |e| {
                // Focus that leaves the dialog (a click outside, a page script) is brought back.
                let inside = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                    .is_some_and(|n| host.contains(Some(&n)));
                if !inside {
                    let _ = decline.focus();
                }
            }
        }),
    ];
    Some((host, listeners.into_iter().flatten().collect(), decline))
}

fn on_key(event: &web_sys::Event, focusable: &[HtmlElement]) {
    let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    match key.key().as_str() {
        "Escape" => {
            event.prevent_default();
            respond(false);
        }
        "Tab" => {
            let shadow = focusable
                .first()
                .and_then(|e| e.get_root_node().dyn_into::<ShadowRoot>().ok());
            let active = shadow.and_then(|s| s.active_element());
            let position = focusable
                .iter()
                .position(|e| Some(e.unchecked_ref::<Element>()) == active.as_ref());
            let last = focusable.len().saturating_sub(1);
            let next = match (position, key.shift_key()) {
                (Some(0), true) | (None, true) => last,
                (Some(i), true) => i - 1,
                (Some(i), false) if i < last => i + 1,
                _ => 0,
            };
            event.prevent_default();
            if let Some(element) = focusable.get(next) {
                let _ = element.focus();
            }
        }
        _ => {}
    }
}
