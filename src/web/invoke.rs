//! Running an agent's `invoke` on the visitor's page (§2.4).

use crate::core::invoke::invoke_path;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::JsPayload;
use crate::web::page::{call, get, object, set, warn};
use glance_protocol::InvokeData;
use wasm_bindgen::{JsCast, JsValue};

/// Calls the function at `call.func` (an allowed dotted path from `window`) with `call.args`
/// (default `{}`), after setting `args.remote = true`. `this` is the object holding the function.
/// A missing function or an exception is logged.
pub fn run(invoke: InvokeData<JsPayload>) {
    let path = match invoke_path(&invoke.func) {
        Ok(path) => path,
        Err(refused) => return warn(&refused.message()),
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let mut holder: JsValue = window.clone().into();
    let mut target: JsValue = window.into();
    for segment in path {
        holder = target;
        target = get(&holder, segment);
    }
    let Ok(function) = target.dyn_into::<js_sys::Function>() else {
        return warn(&["invoke: ", &invoke.func, " is not a function"].concat());
    };
    let args = match invoke.args {
        Some(JsPayload(v)) if !v.is_null() && !v.is_undefined() => v,
        _ => object(),
    };
    if args.is_object() {
        set(&args, "remote", &JsValue::TRUE);
    }
    call(&function, &holder, &[args]);
}
