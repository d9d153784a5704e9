//! The page's object behind a core (`new GLANCE.Presence.Agent()` / `Visitor()`), whose handler
//! properties are read at dispatch time.
//!
//! The core is owned by that object (through wasm-bindgen's wrapper), so holding the object
//! strongly from the module would make a cycle through the module's reference table, which the
//! garbage collector cannot see through: a page object dropped by the page would never be
//! collected. It is held strongly only while its connection is active (a connected object stays
//! alive the way a `WebSocket` keeps its handlers alive), and weakly otherwise: a disconnected
//! object the page drops is collected, and wasm-bindgen's `FinalizationRegistry` then frees the
//! core.

#[allow(unused_imports)]
use crate::prelude::*;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `WeakRef`.
    type WeakRef;
    #[wasm_bindgen(constructor)]
    fn new(target: &JsValue) -> WeakRef;
    #[wasm_bindgen(method)]
    fn deref(this: &WeakRef) -> JsValue;
}

/// A page object, held weakly unless [`Facade::hold`] says otherwise.
pub struct Facade {
    /// `None` when the value is not an object (it is then simply kept: it cannot form a cycle).
    weak: Option<WeakRef>,
    held: RefCell<Option<JsValue>>,
}

impl Facade {
    /// Refers to `object`, weakly.
    pub fn new(object: JsValue) -> Self {
        // Browsers without `WeakRef` (before 2021) keep it strongly, as a `WebSocket` would.
        let weak_refs = crate::web::page::get(&js_sys::global(), "WeakRef").is_function();
        if weak_refs && (object.is_object() || object.is_function()) {
            Self {
                weak: Some(WeakRef::new(&object)),
                held: RefCell::new(None),
            }
        } else {
            Self {
                weak: None,
                held: RefCell::new(Some(object)),
            }
        }
    }

    /// The object; `undefined` once it has been collected.
    pub fn get(&self) -> JsValue {
        if let Some(object) = &*self.held.borrow() {
            return object.clone();
        }
        self.weak
            .as_ref()
            .map_or(JsValue::UNDEFINED, |weak| weak.deref())
    }

    /// Holds the object strongly (`true`, while its connection is active) or weakly again.
    pub fn hold(&self, strong: bool) {
        if let Some(weak) = &self.weak {
            // `deref` keeps the object alive to the end of the current job, so handlers called
            // right after (an `onclose`) still find it.
            let object = weak.deref();
            *self.held.borrow_mut() = strong.then_some(object);
        }
    }
}
