//! Integration tests: the real server on a random port, a temporary data
//! directory, a real SQLite database and a real SMTP conversation with a sink.

mod auth;
mod dashboard;
mod helpers;
mod hostile;
mod instances;
mod mail;
mod operations;
mod recovery;
mod storage;
mod submit;
mod tokens;
