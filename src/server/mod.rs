//! Server-only code: configuration, state, data, storage, mail and HTTP.

pub mod auth;
pub mod backup;
pub mod bounded;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod db;
pub mod error;
mod fuzzed;
pub mod http;
pub mod intake;
pub mod leads;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod rate_limit;
pub mod serve;
pub mod sniff;
pub mod startup;
pub mod state;
pub mod storage;
