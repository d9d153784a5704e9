//! Loading the served script into the test page, once, as a page does with a `<script>` tag.

use super::{module_origin, set, window, Agent, Callbacks};
use js_sys::Promise;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

thread_local! {
    /// The loading started by the first [`load_module`] of this test page; later calls await it.
    static LOADING: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// Loads `<module_origin()>/glance-presence.js` into the test page with a `<script>` element
/// (once per page: later calls wait for the first load) and waits until the module behind
/// `window.GLANCE` runs. Panics if the script or its wasm cannot load.
pub async fn load_module() {
    let loading = LOADING.with(|l| l.borrow_mut().get_or_insert_with(start_loading).clone());
    if let Err(e) = JsFuture::from(loading).await {
        panic!("the served module did not load: {e:?}");
    }
}

/// Appends the script element; the promise settles once the module is ready.
fn start_loading() -> Promise {
    let document = window().document().expect("a document");
    let script = document.create_element("script").expect("a script element");
    let loaded = Promise::new(&mut |resolve, reject| {
        script
            .add_event_listener_with_callback("load", &resolve)
            .expect("onload");
        script
            .add_event_listener_with_callback("error", &reject)
            .expect("onerror");
    });
    let src = format!("{}/glance-presence.js", module_origin());
    script.set_attribute("src", &src).expect("src");
    document
        .body()
        .expect("a body")
        .append_child(&script)
        .expect("append the script");
    future_to_promise(async move {
        JsFuture::from(loaded)
            .await
            .map_err(|_| JsValue::from_str(&format!("{src} failed to load")))?;
        ready().await
    })
}

/// Waits until the wasm behind the facade runs. The script's `onload` only means the globals
/// exist: until the wasm is instantiated, calls are queued and the synchronous answers
/// (`isconnected()`, `authorized()`, `gettoken()`) come from the facade, not the module. The
/// probe is a call the module refuses without any I/O, an invoke of a path outside `GLANCE.`
/// (§2.4): `onfail("invalidparameter")` comes from the running module; `onfail("connection")`
/// means it could not load.
async fn ready() -> Result<JsValue, JsValue> {
    let params = js_sys::Object::new();
    set(&params, "visitorid", "module-ready-probe");
    let probe = Agent::new(&params.into());
    let invoke = Callbacks::new(&[("func", "window.alert".into())]);
    probe.invoke_visitor(&invoke.opts);
    match invoke.done(10_000).await {
        Err(code) if code == "invalidparameter" => Ok(JsValue::UNDEFINED),
        other => Err(JsValue::from_str(&format!(
            "the module did not start (probe: {other:?}); see the browser console"
        ))),
    }
}
