//! Intake's domain: types and rules shared by the browser and the server, so
//! the prospect sees exactly the errors the server enforces. Rule: compiles
//! to WASM; names no other Intake crate, no database, no HTTP, no Leptos.

pub mod accounts;
pub mod conflict;
pub mod countries;
pub mod device;
pub mod email;
pub mod erasure;
pub mod filter;
pub mod i18n;
pub mod integrations;
pub mod lead;
pub mod listing;
pub mod live;
pub mod name;
pub mod notes;
pub mod questions;
pub mod submission;
pub mod time;
pub mod webhook;

pub use email::Email;
pub use lead::{LeadOrigin, LeadState};
pub use name::PersonName;
pub use submission::{Field, FieldErrors, LeadForm, SubmitFailure, SubmitFailureKind, SubmitReceipt};

/// Formats a byte count the way people read it ("10 MiB", "512 KiB", "900 bytes").
pub fn human_bytes(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        // Tenths by integer arithmetic: float formatting would add ~20 KB to the WASM.
        let tenths = (bytes.saturating_mul(10) + MIB / 2) / MIB;
        format!("{}.{} MiB", tenths / 10, tenths % 10)
    } else if bytes >= KIB {
        format!("{} KiB", bytes.div_ceil(KIB))
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn human_bytes_reads_naturally() {
        assert_eq!(human_bytes(10 * 1024 * 1024), "10 MiB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
        assert_eq!(human_bytes(1024 * 1024 + 1), "1.0 MiB");
        assert_eq!(human_bytes(10 * 1024 * 1024 - 1), "10.0 MiB");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(12), "12 bytes");
    }
}
