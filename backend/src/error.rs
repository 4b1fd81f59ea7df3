//! The one error type of the HTTP API, mapped to RFC 9457 problem documents in one place.
//! A client sees a safe message; the cause of a server error is logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::{FieldError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("invalid values")]
    Validation(Vec<FieldError>),
    #[error("not signed in")]
    Unauthenticated(String),
    #[error("a second factor is needed")]
    TotpRequired,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {detail}")]
    Conflict {
        detail: String,
        current_state: Option<String>,
    },
    #[error("gone: {0}")]
    Gone(String),
    #[error("request body too large")]
    PayloadTooLarge,
    /// An uploaded file over its own limit, with the field it was sent as.
    #[error("uploaded file too large")]
    FileTooLarge(Vec<FieldError>),
    #[error("rate limited")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("dependency unavailable: {0}")]
    Unavailable(String),
    /// A problem document with its own type URI, such as a license file that fails
    /// verification.
    #[error("{}", .0.detail)]
    Typed(Box<Problem>),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

pub use shared::problem::TOTP_REQUIRED_TYPE;

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// Fails with 413, naming the field of a file over its limit and how to fix it.
    pub fn file_too_large(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::FileTooLarge(vec![FieldError::new(field, message)])
    }

    pub fn conflict(detail: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            detail: detail.into(),
            current_state: None,
        }
    }

    /// Fails with 422 when `errors` is not empty.
    pub fn check(errors: Vec<FieldError>) -> ApiResult<()> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated(_) | ApiError::TotpRequired => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::PayloadTooLarge | ApiError::FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Typed(problem) => {
                StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST)
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> Problem {
        if let ApiError::Typed(problem) = self {
            return (**problem).clone();
        }
        let status = self.status();
        let (title, detail) = match self {
            ApiError::BadRequest(detail) => ("Malformed request", detail.clone()),
            ApiError::Validation(_) => (
                "Invalid values",
                "Some fields are invalid; see `errors` for each field and how to fix it.".into(),
            ),
            ApiError::Unauthenticated(detail) => ("Not signed in", detail.clone()),
            ApiError::TotpRequired => (
                "Authentication code needed",
                "Enter the 6-digit code from your authenticator app, or a recovery code, in \
                 totp_code."
                    .into(),
            ),
            ApiError::Forbidden(detail) => ("Forbidden", detail.clone()),
            ApiError::NotFound(detail) => ("Not found", detail.clone()),
            ApiError::Conflict { detail, .. } => ("Conflict", detail.clone()),
            ApiError::Gone(detail) => ("Gone", detail.clone()),
            ApiError::PayloadTooLarge => (
                "Payload too large",
                "The request body is larger than the server accepts (2 MiB).".into(),
            ),
            ApiError::FileTooLarge(_) => (
                "Payload too large",
                "The file is larger than this field accepts; see `errors` for the limit.".into(),
            ),
            ApiError::TooManyRequests {
                retry_after_seconds,
            } => (
                "Too many requests",
                format!("Too many attempts; try again in {retry_after_seconds} seconds."),
            ),
            ApiError::Unavailable(detail) => ("Service unavailable", detail.clone()),
            ApiError::Typed(problem) => (problem.title.as_str(), problem.detail.clone()),
            ApiError::Internal(_) => (
                "Internal error",
                "The server failed to handle the request; the error is logged.".into(),
            ),
        };
        Problem {
            kind: match self {
                ApiError::TotpRequired => TOTP_REQUIRED_TYPE.into(),
                _ => "about:blank".into(),
            },
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(errors) | ApiError::FileTooLarge(errors) => errors.clone(),
                _ => Vec::new(),
            },
            current_state: match self {
                ApiError::Conflict { current_state, .. } => current_state.clone(),
                _ => None,
            },
        }
    }
}

/// Builds a problem+json response from a problem document.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(problem)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            ApiError::Unavailable(detail) => tracing::warn!(%detail, "dependency unavailable"),
            other => tracing::debug!(error = %other, "request rejected"),
        }
        let mut response = problem_response(self.problem());
        if let ApiError::TooManyRequests {
            retry_after_seconds,
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Internal(error.into())
    }
}
