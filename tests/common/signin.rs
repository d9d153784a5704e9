//! Signing the test page in as an agent with `GLANCE.Authorization.authorize`.

use super::{configure_page, loginkey, set, user, Authorization, Callbacks};
use wasm_bindgen::prelude::*;

/// `{partnerid: 12345, partneruserid: <user>, loginkey}`.
fn credentials(loginkey: &str) -> JsValue {
    let c = js_sys::Object::new();
    set(&c, "partnerid", 12345);
    set(&c, "partneruserid", user());
    set(&c, "loginkey", loginkey);
    c.into()
}

/// `GLANCE.Authorization.authorize(...)` for group 12345, 30 minutes, with `loginkey`: the
/// outcome, `Ok` from `onsuccess` or `Err(code)` from `onfail`.
pub async fn authorize(loginkey: &str) -> Result<JsValue, String> {
    let cb = Callbacks::new(&[
        ("credentials", credentials(loginkey)),
        ("groupid", 12345.into()),
        ("duration", 30.into()),
    ]);
    Authorization::authorize(&cb.opts);
    cb.done(5000).await
}

/// A signed-in agent page: configured, the module loaded, and a token held.
pub async fn signed_in() {
    configure_page().await;
    if !Authorization::authorized() {
        authorize(loginkey())
            .await
            .expect("authorize with a valid login key");
    }
}
