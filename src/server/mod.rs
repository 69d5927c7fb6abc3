//! The HTTP host (server only): routes and handlers, start-up, the command
//! line. Use cases live in `intake_core`, data in `intake_store`.

pub mod cli;
pub mod http;
pub mod respond;
pub mod serve;
pub mod startup;
pub mod state;
