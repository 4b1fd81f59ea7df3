//! Types shared by the ip·Solis API and its single-page app: request and response bodies,
//! enums with their wire names, the permission table and the validation rules both sides apply.

pub mod admin_users;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod branding;
pub mod catalog;
pub mod checklist;
pub mod health;
pub mod jobs;
pub mod license;
pub mod mail_templates;
pub mod metrics;
pub mod orders;
pub mod permissions;
pub mod pool;
pub mod problem;
pub mod runbooks;
pub mod settings;
pub mod siem;
pub mod tokens;
pub mod validation;

pub use problem::{FieldError, Problem};

/// One page of a keyset-paginated list. `next_cursor` is absent on the last page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
