//! Native tests of the module: JSON, frames, and the connections driven through the exports
//! against the recording host.

mod json;
mod support;
mod unique;
