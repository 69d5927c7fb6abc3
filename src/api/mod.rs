//! Server functions: what the browser app calls. Thin wrappers over `server::*`.
//! Public ones live under `/api/`; attorneys' under `/api/internal/`, where the
//! guard requires a session (and each function checks it again).

mod accounts;
mod admin;
mod leads;
mod submit;

pub use accounts::*;
pub use admin::*;
pub use leads::*;
pub use submit::*;
