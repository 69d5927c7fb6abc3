//! One module per page.

pub mod home;
pub mod lead;
pub mod leads;
pub mod login;
pub mod not_found;
