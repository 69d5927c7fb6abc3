//! Pieces shared by pages.

pub mod internal;
pub mod live;
pub mod table;
