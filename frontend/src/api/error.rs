//! The error type every API call returns.

use shared::{FieldError, Problem};

/// A failed API call. `problem` is the server's RFC 9457 document, or one built here when no
/// response arrived or the response was not `application/problem+json`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status, or 0 when the request failed before any response arrived.
    pub status: u16,
    pub problem: Problem,
    /// Seconds from the `Retry-After` header of a 429 response.
    pub retry_after_seconds: Option<u64>,
}

impl ApiError {
    /// Builds the error for a request that never got an HTTP response.
    pub fn network(cause: impl std::fmt::Display) -> Self {
        let detail = format!(
            "The request failed before the server responded ({cause}). \
             Check the connection and try again."
        );
        Self::local(0, "Network error", detail)
    }

    /// Builds the error for a non-2xx response whose body is not a problem document.
    pub fn unexpected_response(status: u16, body: &str) -> Self {
        let body = body.trim();
        let detail = if body.is_empty() || body.len() > 300 || body.starts_with('<') {
            format!("The server responded with HTTP status {status}.")
        } else {
            body.to_string()
        };
        Self::local(status, "Request failed", detail)
    }

    /// Builds the error for a resource that the address names but that cannot exist, such as an
    /// order ID that is not a UUID, so no request is sent.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::local(404, "Not found", detail.into())
    }

    /// Builds the error for a 2xx response whose body does not match the expected type.
    pub fn unreadable_body(status: u16, cause: impl std::fmt::Display) -> Self {
        let detail = format!("The server's response could not be read: {cause}.");
        Self::local(status, "Unreadable response", detail)
    }

    fn local(status: u16, title: &str, detail: String) -> Self {
        Self {
            status,
            problem: Problem {
                kind: "about:blank".to_string(),
                title: title.to_string(),
                status,
                detail,
                errors: Vec::new(),
                current_state: None,
            },
            retry_after_seconds: None,
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    pub fn field_errors(&self) -> &[FieldError] {
        &self.problem.errors
    }

    /// Returns the text to show a person: the problem's detail (or title), plus when to retry.
    pub fn message(&self) -> String {
        // The server's detail for invalid fields speaks to API clients. A person gets each
        // message, also shown at its field when the form has one.
        if !self.problem.errors.is_empty() {
            let each: Vec<String> = self
                .problem
                .errors
                .iter()
                .map(|e| format!("{} {}", e.field.replace(['_', '.'], " "), e.message))
                .collect();
            return format!("Correct these values: {}.", each.join("; "));
        }
        let mut message = if self.problem.detail.trim().is_empty() {
            self.problem.title.clone()
        } else {
            self.problem.detail.clone()
        };
        if let Some(seconds) = self.retry_after_seconds {
            message.push_str(&format!(" Try again in {seconds} seconds."));
        }
        message
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_named_for_a_person() {
        let mut error = ApiError::local(422, "Invalid values", "see `errors`".into());
        error.problem.errors = vec![
            FieldError::new("duration_days", "must be at most 30 days"),
            FieldError::new("monthly_cost.currency", "must be three letters"),
        ];
        assert_eq!(
            error.message(),
            "Correct these values: duration days must be at most 30 days; monthly cost \
             currency must be three letters."
        );
        let plain = ApiError::local(409, "Conflict", "No capacity left.".into());
        assert_eq!(plain.message(), "No capacity left.");
    }
}
