//! Server functions: what the browser app calls. Thin wrappers over `intake_core`'s use cases.
//! Public ones live under `/api/`; attorneys' under `/api/internal/`, where the
//! guard requires a session (and each function checks it again).

mod accounts;
pub mod error;
mod forms;
mod integrations;
mod leads;
mod submit;

pub use accounts::*;
pub use forms::*;
pub use integrations::*;
pub use leads::*;
pub use submit::*;
