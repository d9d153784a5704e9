//! The default `GLANCE.Cobrowse.Visitor` functions of the terms flow (§2.4), installed by the
//! loader where the page has no cobrowse script of its own.

use super::call;
use crate::method::Method;
use wasm_bindgen::prelude::*;

/// `GLANCE.Cobrowse.Visitor` (and `VisitorUI.showTerms`), acting on
/// `GLANCE.Presence.Visitor.instance`. Static functions only.
#[wasm_bindgen]
pub struct Cobrowse;

#[wasm_bindgen]
impl Cobrowse {
    /// `showTerms(args)`: fires `terms {displayed}` and shows the terms dialog (or
    /// `onshowterms` after `setDefaultUI(false)`).
    #[wasm_bindgen(js_name = showTerms)]
    pub fn show_terms(
        #[wasm_bindgen(unchecked_param_type = "TermsArgs | undefined")] args: JsValue,
    ) {
        call(0, Method::ShowTerms, &[&args]);
    }

    /// `startSession({sessionKey})`: fires `visitorsessionstart` and dispatches
    /// `glance:startsession` on window.
    #[wasm_bindgen(js_name = startSession)]
    pub fn start_session(
        #[wasm_bindgen(unchecked_param_type = "TermsArgs | undefined")] args: JsValue,
    ) {
        call(0, Method::StartSession, &[&args]);
    }

    /// `stopSession()`: fires `visitorsessionend` and dispatches `glance:stopsession`.
    #[wasm_bindgen(js_name = stopSession)]
    pub fn stop_session() {
        call(0, Method::StopSession, &[]);
    }
}
