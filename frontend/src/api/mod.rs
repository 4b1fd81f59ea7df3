//! A typed client for the ip·Solis JSON API. Every error response becomes an [`ApiError`]
//! carrying the server's problem document.

pub mod admin;
pub mod approval_link;
pub mod branding;
mod delegations;
mod error;
pub mod http;
pub mod portal;
pub mod query;

pub use admin::AdminApi;
pub use delegations::DelegationClient;
pub use error::ApiError;
pub use portal::PortalApi;

/// Items requested per list page.
pub const PAGE_SIZE: u32 = 50;
