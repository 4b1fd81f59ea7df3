//! Sign-in state of the two apps, provided as context at their roots.

pub mod admin_auth;
pub mod branding;
pub mod portal_auth;

pub use admin_auth::{AdminAuth, AdminAuthState};
pub use branding::BrandingState;
pub use portal_auth::{PortalAuth, PortalAuthState};
