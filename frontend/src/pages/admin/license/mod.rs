//! `/ui/settings/license`: the license status, its upload and removal, and the banner that
//! the admin layout shows while the license needs attention.

mod banner;
mod page;
mod remove_section;
mod state_table;
mod status_context;
mod status_table;
mod upload_form;

pub use banner::LicenseBanner;
pub use page::LicensePage;
pub use status_context::LicenseStatusContext;
