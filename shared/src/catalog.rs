//! Asset definitions: what employees can order and how it is approved and provisioned.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How an approved order is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Add the requester to directory groups, and remove them at the end.
    GroupAccess,
}

/// Who decides an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalPolicy {
    /// The requester's manager, read from the directory.
    Manager,
    /// Approved as soon as it is submitted.
    None,
}

/// Whether a requester must explain an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JustificationRule {
    Off,
    Optional,
    Required,
}

/// An asset definition as the admin API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetDefinition {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub category: String,
    pub strategy: Strategy,
    /// DNs of the directory groups a Group Access order grants.
    pub group_dns: Vec<String>,
    pub approval: ApprovalPolicy,
    pub default_duration_days: i32,
    pub max_duration_days: i32,
    pub justification: JustificationRule,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The body of a create or update of an asset definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssetDefinitionInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_category")]
    pub category: String,
    pub strategy: Strategy,
    pub group_dns: Vec<String>,
    pub approval: ApprovalPolicy,
    pub default_duration_days: i32,
    pub max_duration_days: i32,
    pub justification: JustificationRule,
    #[serde(default = "default_active")]
    pub active: bool,
}

fn default_category() -> String {
    "Access".to_string()
}

fn default_active() -> bool {
    true
}

/// A catalog entry as the portal shows it to employees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogItem {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub category: String,
    pub approval: ApprovalPolicy,
    pub default_duration_days: i32,
    pub max_duration_days: i32,
    pub justification: JustificationRule,
}
