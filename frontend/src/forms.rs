//! Field errors of a form, from the shared validation functions or from a 422 response.

use shared::FieldError;

use crate::api::ApiError;

/// The field errors a form shows next to its inputs. Field names are the JSON paths the API
/// uses, such as `duration_days` or `group_dns[1]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new(errors: Vec<FieldError>) -> Self {
        Self(errors)
    }

    /// Takes the field errors of an API error. The error banner shows the rest.
    pub fn from_api(error: &ApiError) -> Self {
        Self(error.field_errors().to_vec())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Returns the messages for `field` and for its list entries (`field[0]`, `field[1]`, ...),
    /// with the entries numbered from 1.
    pub fn messages_for(&self, field: &str) -> Vec<String> {
        let mut messages = Vec::new();
        for error in &self.0 {
            if error.field == field {
                messages.push(error.message.clone());
            } else if let Some(index) = entry_index(&error.field, field) {
                messages.push(format!("Entry {}: {}", index + 1, error.message));
            }
        }
        messages
    }
}

/// Reads `n` from `field[n]` when `path` names an entry of `field`.
fn entry_index(path: &str, field: &str) -> Option<usize> {
    let rest = path.strip_prefix(field)?.strip_prefix('[')?;
    rest.strip_suffix(']')?.parse().ok()
}

/// Parses a whole number typed into a form, adding a field error when it is not one.
pub fn parse_number<T: std::str::FromStr>(
    text: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<T> {
    match text.trim().parse() {
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(field, "must be a whole number");
            None
        }
    }
}

/// Returns `None` for blank text, so that an empty field leaves a stored value unchanged.
pub fn non_blank(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}
