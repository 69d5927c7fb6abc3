//! Server functions: what the browser app calls. Thin wrappers over `server::*`.
//! Public ones live under `/api/`; attorneys' under `/api/internal/`, where the
//! guard requires a session (and each function checks it again).

mod leads;
mod submit;

pub use leads::*;
pub use submit::*;
