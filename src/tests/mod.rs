//! Native tests of the module: frames, and the page's objects driven through the exports
//! against the recording host (`host_fake.rs`), one file per concept; `support` holds the
//! helpers.

mod agent;
mod auth;
mod close;
mod frames;
mod link;
mod page;
mod queue;
mod signals;
mod support;
mod terms;
mod unique;
mod value;
mod visibility;
mod visitor;
