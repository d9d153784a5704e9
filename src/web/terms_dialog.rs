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
use crate::web::global::page_global;
use crate::web::host;
use core::cell::RefCell;

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

page_global! {
    /// What to do with the outcome of the open dialog.
    static OPEN: RefCell<Option<Box<dyn FnOnce(bool)>>> = const { RefCell::new(None) };
}

/// Whether the dialog is showing.
pub fn is_open() -> bool {
    OPEN.with(|d| d.borrow().is_some())
}

/// Shows the dialog (replacing one already open, whose outcome is then never reported).
/// `outcome(true)` on Accept, `outcome(false)` on Decline or Escape.
///
/// The host puts the markup in the shadow root of a `#glance-terms` element, opens it with
/// `showModal()` (in place where there is none), and reports the dialog's `close` with its
/// `returnValue` (`y` for Accept); an Escape that reaches the dialog without closing it closes
/// it as the platform would.
pub fn show(terms_url: Option<&str>, outcome: Box<dyn FnOnce(bool)>) {
    let old = OPEN.with(|d| d.borrow_mut().replace(outcome));
    drop(old);
    host::dialog(&markup(terms_url));
}

/// Closes the dialog and reports `accepted`.
pub fn respond(accepted: bool) {
    let outcome = OPEN.with(|d| d.borrow_mut().take());
    if let Some(outcome) = outcome {
        host::dialog("");
        outcome(accepted);
    }
}

/// The dialog's markup, with the terms link when there is a web address for it.
fn markup(terms_url: Option<&str>) -> String {
    match terms_url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        Some(url) => TEMPLATE.replacen(
            "<p hidden><a ",
            &["<p><a href=\"", &attribute(url), "\" "].concat(),
            1,
        ),
        None => TEMPLATE.to_owned(),
    }
}

/// `text` escaped for a double-quoted attribute value.
fn attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            _ => out.push(c),
        }
    }
    out
}
