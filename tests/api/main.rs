//! Integration tests: the real server on a random port, a temporary data
//! directory, a real SQLite database and a real SMTP conversation with a sink.

mod accounts;
mod admin;
mod assignment;
mod auth;
mod boundaries;
mod confidentiality;
mod conflicts;
mod dashboard;
mod erasure;
mod export;
mod helpers;
mod hostile;
mod instances;
mod mail;
mod notes;
mod operations;
mod origin;
mod passkeys;
mod questions;
mod recovery;
mod signins;
mod sso;
mod storage;
mod submit;
mod tokens;
mod two_factor;
mod webhooks;
