//! The host for native tests: the functions the browser shell provides (`src/shell/host.rs`),
//! recording every call as a line of text in a log the tests read, and answering reads from facts
//! the tests set. Values are logged as their JSON text.

use std::cell::RefCell;

use crate::codec;
pub use crate::facts::{page, page_value, Read};
use crate::value::Value;

std::thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static FACTS: RefCell<Vec<(u32, String, String)>> = const { RefCell::new(Vec::new()) };
    static NOW: RefCell<f64> = const { RefCell::new(1_000_000.0) };
    static REFUSE_STORAGE: RefCell<bool> = const { RefCell::new(false) };
    static CLOSING: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    static REENTER: RefCell<bool> = const { RefCell::new(false) };
}

fn log(line: String) {
    LOG.with(|l| l.borrow_mut().push(line));
}

/// Takes the calls recorded so far.
pub fn take_log() -> Vec<String> {
    LOG.with(|l| core::mem::take(&mut *l.borrow_mut()))
}

/// Sets what [`read`] answers for `(what, key)`; `None` removes it.
pub fn set_fact(what: Read, key: &str, value: Option<&str>) {
    FACTS.with(|f| {
        let mut f = f.borrow_mut();
        f.retain(|(w, k, _)| !(*w == what as u32 && k == key));
        if let Some(v) = value {
            f.push((what as u32, key.into(), v.into()));
        }
    });
}

/// Sets the clock.
pub fn set_now(ms: f64) {
    NOW.with(|n| *n.borrow_mut() = ms);
}

/// Makes storage refuse writes (privacy mode, full).
pub fn refuse_storage(refuse: bool) {
    REFUSE_STORAGE.with(|r| *r.borrow_mut() = refuse);
}

/// Forgets every fact and the log.
pub fn reset() {
    take_log();
    FACTS.with(|f| f.borrow_mut().clear());
    CLOSING.with(|c| c.borrow_mut().clear());
    refuse_storage(false);
}

/// Records `open`; refuses URLs with a space.
pub fn ws_open(id: u32, url: &str) -> bool {
    log(format!("open {id} {url}"));
    !url.contains(' ')
}
/// Records `send`; refused (`unsent`) on a socket marked with [`closing`].
pub fn ws_send(id: u32, text: &str) -> bool {
    if CLOSING.with(|c| c.borrow().contains(&id)) {
        log(format!("unsent {id} {text}"));
        return false;
    }
    log(format!("send {id} {text}"));
    true
}
/// Marks socket `id` as closing: it takes no more frames, and its close is not reported yet.
pub fn closing(id: u32) {
    CLOSING.with(|c| c.borrow_mut().push(id));
}
/// Records `release`.
pub fn release(id: u32) {
    log(format!("release {id}"));
}
/// Records `timer`.
pub fn timer(id: u32, ms: u32) {
    log(format!("timer {id} {ms}"));
}
/// Records `microtask`.
pub fn microtask(id: u32) {
    log(format!("microtask {id}"));
}
/// Records `fetch`.
pub fn fetch(id: u32, method: &str, url: &str, bearer: &str, body: &str) {
    log(format!("fetch {id} {method} {url} bearer={bearer} {body}"));
}
/// Records `emit` (` last` when the options are done).
pub fn emit(target: u32, handler: &str, args: &[Value], last: bool) {
    log(format!(
        "emit {target} {handler} {}{}",
        text(args),
        if last { " last" } else { "" }
    ));
}

/// The JSON text of a value, as the log shows it.
fn text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    codec::to_text(value).unwrap_or_default()
}
/// Records `hold`.
pub fn hold(target: u32, strong: bool) {
    log(format!("hold {target} {strong}"));
}
/// Records `listen`.
pub fn listen(on: bool) {
    log(format!("listen {on}"));
}
/// The next read of `GLANCE_COBROWSE` runs page code that calls `GLANCE.Authorization.gettoken()`
/// (a getter or `toJSON` on the page's configuration).
pub fn reenter_on_config_read() {
    REENTER.with(|r| *r.borrow_mut() = true);
}

/// Answers from the facts set with [`set_fact`].
pub fn read(what: Read, key: &str) -> Option<String> {
    if what == Read::GlobalConfig && REENTER.with(|r| r.replace(false)) {
        crate::dispatch::call(0, crate::method::Method::GetToken, Some(vec![]), 0);
    }
    FACTS.with(|f| {
        f.borrow()
            .iter()
            .find(|(w, k, _)| *w == what as u32 && k == key)
            .map(|(_, _, v)| v.clone())
    })
}

/// Answers from the facts set with [`set_fact`], read as JSON text.
pub fn read_value(what: Read, key: &str) -> Option<Value> {
    codec::parse(&read(what, key)?)
}
/// Writes the storage fact (refused after [`refuse_storage`]).
pub fn store(key: &str, value: &str) -> bool {
    if REFUSE_STORAGE.with(|r| *r.borrow()) && !value.is_empty() {
        return false;
    }
    set_fact(Read::Storage, key, Some(value).filter(|v| !v.is_empty()));
    true
}
/// Records `call` (with its argument list); paths ending in `missing` have no function.
pub fn call_path(path: &str, arg: &Value) -> bool {
    log(format!("call {path} [{}]", text(arg)));
    !path.ends_with("missing")
}
/// Records `event`.
pub fn window_event(name: &str, detail: &Value) {
    log(format!("event {name} {}", text(detail)));
}
/// Records `dialog shown <terms url>` / `dialog closed`.
pub fn dialog(show: bool, terms_url: &str) {
    log(match (show, terms_url) {
        (true, "") => "dialog shown".into(),
        (true, url) => format!("dialog shown {url}"),
        (false, _) => "dialog closed".into(),
    });
}
/// Records `warn`.
pub fn warn(message: &str) {
    log(format!("warn {message}"));
}
/// The clock set with [`set_now`].
pub fn now() -> f64 {
    NOW.with(|n| *n.borrow())
}
/// Always 0.5.
pub fn random() -> f64 {
    0.5
}
