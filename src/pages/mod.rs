//! One module per page.

pub mod accounts;
pub mod admin;
pub mod conflicts;
pub mod form_editor;
pub mod home;
pub mod intake_form;
pub mod integrations;
pub mod lead;
pub mod leads;
pub mod login;
pub mod not_found;
pub mod passkeys;
pub mod questions;
pub mod signins;
pub mod two_factor;
