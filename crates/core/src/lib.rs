//! Intake's use cases, above the store and below HTTP: taking a submission,
//! attorneys' work on leads, accounts and sign-in, mail and webhooks through
//! the outbox, export, erasure, digests, and the configuration they read.
//! Rule: may name `intake_store` and `intake_domain`, never the app or Leptos.

pub mod accounts;
pub mod auth;
pub mod client_ip;
pub mod config;
pub mod conflict;
pub mod digest;
pub mod erasure;
pub mod error;
pub mod export;
pub mod forms;
#[cfg(test)]
mod fuzzed;
pub mod intake;
pub mod integrations;
pub mod leads;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod multipart;
pub mod outbox;
pub mod public_address;
pub mod rate_limit;
pub mod services;
pub mod sniff;
pub mod storage;
pub mod webhook;
