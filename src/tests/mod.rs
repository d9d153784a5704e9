//! Native tests of the module: JSON, frames, and the connections driven through the exports
//! against the recording host.

mod frames;
mod json;
mod support;
mod unique;
mod link;
mod close;
mod queue;
mod visitor;
mod visibility;
mod agent;
mod signals;
