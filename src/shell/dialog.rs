//! The default terms dialog (§2.4 of the spec).
//!
//! It is what a visitor sees when an agent asks to start a session and the page has not set up its
//! own way to ask. What the answer does is the state machine's business; this file only shows the
//! question and reports the answer.
//!
//! The dialog is a native modal `<dialog>` in the open shadow root of a `<div id="glance-terms">`
//! appended to `document.body`. The shadow root is there so that the page's styles neither reach
//! into the dialog nor are touched by it (`:host{all:initial}` also stops inherited ones).
//!
//! Accessibility: the title and the description label the dialog (`aria-labelledby`,
//! `aria-describedby`); `showModal` makes the rest of the page inert and moves the focus to
//! Decline (`autofocus`), so the safe answer is the one a stray Enter gives. Both buttons submit a
//! `method="dialog"` form, so the answer is the dialog's `returnValue` (`"y"` or `"n"`) and closing
//! it gives the focus back to where it was. Escape closes it as Decline.
//!
//! Ownership: a [`TermsDialog`] owns its host element and every listener; dropping it takes all of
//! them off the page. Closing the dialog does not remove it: the closed (invisible) dialog stays
//! in the DOM until its owner drops the [`TermsDialog`].

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{
    Element, Event, EventTarget, HtmlDialogElement, KeyboardEvent, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};

/// The `id` of the host element, which pages and tests look the dialog up by.
const HOST_ID: &str = "glance-terms";

/// The shadow root's content: the styles, then the dialog. The terms paragraph starts hidden and
/// is shown only when there is a terms URL to link to.
const DIALOG_HTML: &str = concat!(
    "<style>",
    ":host{all:initial}",
    "dialog{box-sizing:border-box;width:calc(100% - 2rem);max-width:26rem;padding:1.4rem 1.5rem;",
    "border:0;border-radius:10px;background:#fff;color:#1b1f24;box-shadow:0 12px 40px rgba(0,0,0,.35);",
    "font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}",
    "dialog::backdrop{background:rgba(15,20,25,.5)}",
    "h2{margin:0 0 .5rem;font-size:1.15rem;font-weight:600}",
    "p{margin:0 0 1rem}",
    "a{color:#0b57d0}",
    "form{display:flex;gap:.6rem;justify-content:flex-end;margin:0}",
    "button{font:inherit;margin:0;padding:.5rem 1.1rem;border:1px solid #6b7280;border-radius:6px;",
    "background:#fff;color:#1b1f24;cursor:pointer}",
    ".accept{border-color:#0b57d0;background:#0b57d0;color:#fff}",
    ":focus-visible{outline:3px solid #f59e0b;outline-offset:2px}",
    "</style><dialog aria-labelledby=\"t\" aria-describedby=\"d\">",
    "<h2 id=\"t\">Share this page with an agent?</h2>",
    "<p id=\"d\">An agent has asked to start a screen-sharing session so they can see this page with you.</p>",
    "<p hidden><a target=\"_blank\" rel=\"noopener noreferrer\">Terms of service</a></p>",
    "<form method=\"dialog\"><button class=\"decline\" value=\"n\" autofocus>Decline</button>",
    "<button class=\"accept\" value=\"y\">Accept</button></form>",
    "</dialog>",
);

/// The visitor's answer callback, shared between the dialog and its `close` listener. A `Cell`
/// rather than a `RefCell`: it is only ever taken whole, so no borrow can be held while it runs.
type OnClose = Rc<Cell<Option<Box<dyn FnOnce(bool)>>>>;

/// The built-in terms dialog on the page (§2.4 of the spec), in the shadow root of a
/// `<div id="glance-terms">` appended to `document.body`. Owns its element and its listeners:
/// dropping it removes the element and the listeners, and `on_close` is never called afterwards.
///
/// At most one should exist at a time (the host `id` is fixed): drop the previous one before
/// showing another.
pub struct TermsDialog {
    host: Element,
    on_close: OnClose,
    // Held only for their `Drop`, which takes them off the dialog.
    _close_listener: DialogListener,
    _escape_listener: DialogListener,
}

impl TermsDialog {
    /// Shows the dialog, modal (falls back to the `open` attribute where `showModal` throws),
    /// with a link to `terms_url` when it is not empty. `on_close(accepted)` runs once, when the
    /// visitor closes it (Accept → true; Decline, Escape → false). `None` when there is no
    /// document body (nothing shown).
    ///
    /// `on_close` runs from the dialog's `close` event, so never during this call, and it may drop
    /// this `TermsDialog`. Also `None`, with nothing left on the page, if the DOM refuses a step
    /// (e.g. `attachShadow`).
    #[must_use = "dropping the TermsDialog removes it from the page"]
    pub fn show(terms_url: &str, on_close: impl FnOnce(bool) + 'static) -> Option<TermsDialog> {
        let document = web_sys::window()?.document()?;
        let body = document.body()?;
        let host = document.create_element("div").ok()?;
        host.set_attribute("id", HOST_ID).ok()?;
        let dialog = render(&host, terms_url)?;
        let on_close: OnClose = Rc::new(Cell::new(Some(Box::new(on_close))));
        // Built before the element goes on the page, so that any failure from here on is undone
        // by the value's own `Drop`.
        let terms = Self {
            _close_listener: listen_close(&dialog, &on_close)?,
            _escape_listener: listen_escape(&dialog)?,
            host,
            on_close,
        };
        // Connected first: `showModal` throws on a dialog outside the document.
        body.append_child(&terms.host).ok()?;
        if dialog.show_modal().is_err() {
            // No modal dialogs (old browsers): shown in place, without the backdrop or autofocus.
            dialog.set_attribute("open", "").ok()?;
        }
        Some(terms)
    }
}

impl Drop for TermsDialog {
    fn drop(&mut self) {
        // Emptied first, so that whatever the removal below fires, `on_close` cannot run again.
        drop(self.on_close.take());
        // A no-op when the host never made it onto the page. The listeners go with the fields.
        self.host.remove();
    }
}

/// Fills `host`'s new shadow root with the dialog and the terms link (when `terms_url` is not
/// empty); the dialog element, or `None` if the DOM refuses.
fn render(host: &Element, terms_url: &str) -> Option<HtmlDialogElement> {
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .ok()?;
    root.set_inner_html(DIALOG_HTML);
    if !terms_url.is_empty() {
        show_terms_link(&root, terms_url);
    }
    root.query_selector("dialog")
        .ok()??
        .dyn_into::<HtmlDialogElement>()
        .ok()
}

/// Points the terms link at `terms_url` and unhides its paragraph. Optional: if a step fails the
/// dialog is shown without the link rather than not at all.
fn show_terms_link(root: &ShadowRoot, terms_url: &str) {
    let element = |selector| root.query_selector(selector).ok().flatten();
    let (Some(link), Some(paragraph)) = (element("a"), element("p[hidden]")) else {
        return;
    };
    // Setting and removing attributes by valid names does not fail; if it did, the link stays
    // hidden.
    if link.set_attribute("href", terms_url).is_ok() {
        let _ = paragraph.remove_attribute("hidden");
    }
}

/// Reports the close: `on_close(returnValue == "y")`, once. A form submit sets `returnValue` to
/// the button's value; a close by Escape leaves it `""`, so it reads as Decline.
fn listen_close(dialog: &HtmlDialogElement, on_close: &OnClose) -> Option<DialogListener> {
    let closed = dialog.clone();
    let on_close = Rc::clone(on_close);
    DialogListener::new(dialog, "close", move |_event| {
        let accepted = closed.return_value() == "y";
        // Taken out before the call: the callback may drop the `TermsDialog` (and this closure,
        // whose free wasm-bindgen defers until it returns), and nothing is borrowed meanwhile.
        if let Some(on_close) = on_close.take() {
            on_close(accepted);
        }
    })
}

/// An Escape that reaches the dialog without closing it (a synthetic or repeated key press):
/// closed as the platform would, so the focus goes back where it was.
fn listen_escape(dialog: &HtmlDialogElement) -> Option<DialogListener> {
    let escaped = dialog.clone();
    DialogListener::new(dialog, "keydown", move |event| {
        let is_escape = event
            .dyn_ref::<KeyboardEvent>()
            .is_some_and(|key| key.key() == "Escape");
        if is_escape {
            event.prevent_default();
            escaped.close();
        }
    })
}

/// One event listener and the closure it calls, removed from its target when dropped (the
/// pattern of gloo-events' `EventListener`, which this crate does not depend on).
struct DialogListener {
    target: EventTarget,
    event_type: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl DialogListener {
    /// Adds `handler` as a listener for `event_type` on `target`; `None` if the DOM refuses.
    fn new(
        target: &EventTarget,
        event_type: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) -> Option<Self> {
        let callback = Closure::<dyn FnMut(Event)>::new(handler);
        target
            .add_event_listener_with_callback(event_type, callback.as_ref().unchecked_ref())
            .ok()?;
        Some(Self {
            target: target.clone(),
            event_type,
            callback,
        })
    }
}

impl Drop for DialogListener {
    fn drop(&mut self) {
        // Fails only on a target that is no `EventTarget`, which ours always is; nothing to undo.
        let _ = self.target.remove_event_listener_with_callback(
            self.event_type,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}
