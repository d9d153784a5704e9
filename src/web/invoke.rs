//! Running an agent's `invoke` on the visitor's page (§2.4).

use crate::core::invoke::invoke_path;
use crate::core::json::Json;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::web::codec::args;
use crate::web::host;
use crate::web::page::warn;
use glance_protocol::InvokeData;

/// Calls the function at `call.func` (an allowed dotted path from `window`) with `call.args`
/// (default `{}`), after setting `args.remote = true`. `this` is the object holding the function.
/// A missing function or an exception is logged.
pub fn run(invoke: InvokeData<Json>) {
    if let Err(refused) = invoke_path(&invoke.func) {
        return warn(&refused.message());
    }
    let mut call_args = match invoke.args {
        Some(v) if !v.is_null() => v,
        _ => Json::Object(vec![]),
    };
    if let Json::Object(_) = call_args {
        call_args.set("remote", Json::Bool(true));
    }
    if !host::call_path(&invoke.func, &args(vec![call_args])) {
        warn(&["invoke: ", &invoke.func, " is not a function"].concat());
    }
}
