//! What the std prelude would bring: the module is built `no_std` (with `alloc`) for the browser,
//! so every file imports these from here.

pub use alloc::borrow::ToOwned;
#[allow(unused_imports)]
pub use alloc::boxed::Box;
pub use alloc::string::{String, ToString};
pub use alloc::vec;
pub use alloc::vec::Vec;
