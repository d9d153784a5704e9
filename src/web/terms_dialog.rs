//! The built-in terms dialog (§2.4): a native modal `<dialog>` in a shadow root, so the host
//! page's styles neither reach into it nor are touched by it.
//!
//! Accessible through the platform: `showModal()` puts the dialog in the top layer and makes the
//! rest of the page inert (focus cannot leave it, assistive technology sees only it), moves focus
//! to Decline (`autofocus`) and gives it back on close. The title and description label it; the
//! buttons submit a `method="dialog"` form, whose value closes the dialog; Escape cancels, which
//! declines.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::dom::document;
use crate::web::global::page_global;
use crate::web::listener::Listener;
use crate::web::page::{call_method, get};
use core::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent, ShadowRootInit, ShadowRootMode};

/// The id of the dialog's host element.
pub const HOST_ID: &str = "glance-terms";

const TEMPLATE: &str = r#"<style>
:host{all:initial}
dialog{box-sizing:border-box;width:calc(100% - 2rem);max-width:26rem;padding:1.4rem 1.5rem;border:0;border-radius:10px;background:#fff;color:#1b1f24;box-shadow:0 12px 40px rgba(0,0,0,.35);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;text-align:left}
dialog::backdrop{background:rgba(15,20,25,.5)}
h2{margin:0 0 .5rem;font-size:1.15rem;font-weight:600}
p{margin:0 0 1rem}
a{color:#0b57d0}
form{display:flex;gap:.6rem;justify-content:flex-end;margin:0}
button{font:inherit;margin:0;padding:.5rem 1.1rem;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#1b1f24;cursor:pointer}
.accept{border-color:#0b57d0;background:#0b57d0;color:#fff}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
</style><dialog aria-labelledby="t" aria-describedby="d">
<h2 id="t">Share this page with an agent?</h2>
<p id="d">An agent has asked to start a screen-sharing session so they can see this page with you.</p>
<p hidden><a target="_blank" rel="noopener noreferrer">Terms of service</a></p>
<form method="dialog"><button class="decline" value="n" autofocus>Decline</button><button class="accept" value="y">Accept</button></form>
</dialog>"#;

/// An open dialog. Dropping it removes it from the page, with its listeners.
struct TermsDialog {
    host: Element,
    outcome: Option<Box<dyn FnOnce(bool)>>,
    _listeners: Vec<Listener>,
}

impl Drop for TermsDialog {
    fn drop(&mut self) {
        self.host.remove();
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
    let old = OPEN.with(|d| d.borrow_mut().take());
    drop(old);
    let Some((host, dialog)) = build(terms_url) else {
        return;
    };
    let listeners = [
        // Closed by a button (its value) or by Escape (no value).
        Listener::new(&dialog, "close", {
            let dialog = dialog.clone();
            move |_| respond(get(&dialog, "returnValue") == "y")
        }),
        // Escape that reaches the dialog without closing it (a synthetic or repeated key press):
        // closed as the platform would, so focus goes back where it was.
        Listener::new(&dialog, "keydown", {
            let dialog = dialog.clone();
            move |e| {
                if e.dyn_ref::<KeyboardEvent>()
                    .is_some_and(|k| k.key() == "Escape")
                {
                    e.prevent_default();
                    call_method(&dialog, "close", &[]);
                }
            }
        }),
    ];
    let dialog_open = TermsDialog {
        host,
        outcome: Some(Box::new(outcome)),
        _listeners: listeners.into_iter().flatten().collect(),
    };
    OPEN.with(|d| *d.borrow_mut() = Some(dialog_open));
    if call_method(&dialog, "showModal", &[]).is_none() {
        // No modal dialogs (old browsers): shown in place, still answerable.
        let _ = dialog.set_attribute("open", "");
    }
}

/// Closes the dialog and reports `accepted`.
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

/// Creates the host and its shadow content, in the page. Returns the host and the `<dialog>`.
fn build(terms_url: Option<&str>) -> Option<(Element, Element)> {
    let document = document()?;
    let host = document.create_element("div").ok()?;
    host.set_id(HOST_ID);
    let shadow = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .ok()?;
    shadow.set_inner_html(TEMPLATE);
    let find = |selector: &str| shadow.query_selector(selector).ok().flatten();
    let dialog = find("dialog")?;
    if let Some(url) = terms_url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        if let (Some(paragraph), Some(link)) = (find("p[hidden]"), find("a")) {
            let _ = link.set_attribute("href", url);
            let _ = paragraph.remove_attribute("hidden");
        }
    }
    document.body()?.append_child(&host).ok()?;
    Some((host, dialog))
}
