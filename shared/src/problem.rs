use serde::{Deserialize, Serialize};

/// The problem type of a sign-in that needs the second factor: the password was right and
/// the request lacked `totp_code`.
pub const TOTP_REQUIRED_TYPE: &str = "urn:ipsolis:problem:totp-required";

/// An RFC 9457 problem document, the body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status alone explains it.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Per-field validation errors, present on 400 and 422 responses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The current state of the entity when a transition lost a race (409).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
}

/// A validation error on one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The JSON path of the field, for example `duration_days` or `group_dns[1]`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
