//! HTTP adapters, one module per resource. Handlers stay thin: parse, authorize, call the
//! lifecycle or store, respond.

pub mod admin_users;
pub mod approval_links;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod branding;
pub mod channels;
pub mod checklist;
pub mod client_address;
pub mod health;
pub mod health_details;
pub mod jobs;
pub mod license;
pub mod mail_templates;
pub mod metrics;
pub mod orders;
pub mod pool;
pub mod portal;
pub mod portal_approvals;
pub mod problems;
pub mod runbook_variables;
pub mod runbooks;
pub mod scripts;
pub mod settings;
pub mod setup;
pub mod siem;
pub mod spa;
pub mod tokens;
pub mod totp;

use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

/// A JSON body whose errors are problem documents naming the field at fault.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::BadRequest(
                "Send the body as JSON with Content-Type: application/json.".into(),
            ));
        }
        let body = bytes::Bytes::from_request(request, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest(format!("The body cannot be read: {e}."))
                }
            })?;
        parse_json(&body).map(ApiJson)
    }
}

/// Returns the path of the first string in `value` that contains a NUL character, which
/// PostgreSQL cannot store in text.
fn nul_path(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(text) if text.contains('\0') => Some(path.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, &format!("{path}[{i}]"))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let child = if path.is_empty() {
                key.replace('\0', "\\0")
            } else {
                format!("{path}.{}", key.replace('\0', "\\0"))
            };
            if key.contains('\0') {
                return Some(child);
            }
            nul_path(item, &child)
        }),
        _ => None,
    }
}

/// Parses a JSON body: syntax errors are 400, wrong or missing values 422 with the field path.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("The body is not valid JSON: {e}.")))?;
    if let Some(path) = nul_path(&value, "") {
        let field = if path.is_empty() {
            "body".to_string()
        } else {
            path
        };
        return Err(ApiError::field(&field, "must not contain NUL characters"));
    }
    match serde_path_to_error::deserialize(value) {
        Ok(value) => Ok(value),
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let message = inner.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            let field = match (path.as_str(), missing_field(&message)) {
                (".", Some(missing)) => missing.to_string(),
                (".", None) => "body".to_string(),
                (path, Some(missing)) => format!("{path}.{missing}"),
                (path, None) => path.to_string(),
            };
            Err(ApiError::field(&field, message))
        }
    }
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Keyset pagination parameters shared by every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200; 50 when left out.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(50),
            Some(limit) if (1..=200).contains(&limit) => Ok(limit),
            Some(_) => Err(ApiError::field("limit", "must be between 1 and 200")),
        }
    }

    pub fn after(&self) -> Result<Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>, ApiError> {
        match &self.cursor {
            None => Ok(None),
            Some(cursor) => crate::store::cursor::decode(cursor)
                .map(Some)
                .ok_or_else(|| ApiError::field("cursor", "is not a cursor this API returned")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::orders::NewOrder;

    #[test]
    fn syntax_error_is_bad_request() {
        let result = parse_json::<NewOrder>(b"{\"definition_id\": ");
        assert!(matches!(result, Err(ApiError::BadRequest(_))));
    }

    #[test]
    fn nul_in_a_string_names_the_field() {
        let body = br#"{"definition_id": "00000000-0000-0000-0000-000000000000", "justification": "a\u0000b"}"#;
        let Err(ApiError::Validation(errors)) = parse_json::<NewOrder>(body) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "justification");
    }

    #[test]
    fn missing_field_is_named() {
        let Err(ApiError::Validation(errors)) = parse_json::<NewOrder>(b"{}") else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "definition_id");
    }

    #[test]
    fn wrong_type_names_the_path() {
        let body =
            br#"{"definition_id": "00000000-0000-0000-0000-000000000000", "duration_days": "x"}"#;
        let Err(ApiError::Validation(errors)) = parse_json::<NewOrder>(body) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "duration_days");
    }
}
