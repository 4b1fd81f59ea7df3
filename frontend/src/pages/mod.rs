//! Pages, one folder per app and one file per component.

pub mod admin;
pub mod portal;
