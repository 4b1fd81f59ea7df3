//! Settings of the Prometheus endpoint `/metrics`. The bearer token is write-only like every
//! other secret: a request carries a new one or leaves it out to keep the stored one.

use serde::{Deserialize, Serialize};

/// Minimum length of a bearer token. 32 characters carry at least 128 bits even as hex digits.
pub const TOKEN_MIN_LEN: usize = 32;
/// Maximum length of a bearer token.
pub const TOKEN_MAX_LEN: usize = 256;

/// The `/metrics` settings as the API returns them; the token itself is never returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricsSettings {
    /// Whether `/metrics` serves metrics. When off, it returns 404.
    pub enabled: bool,
    /// Whether scrapes must send `Authorization: Bearer <token>`.
    pub token_set: bool,
}

/// The `/metrics` settings as a client sends them. `token` left out keeps the stored one; an
/// empty string removes it, so scrapes need no token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MetricsSettingsInput {
    pub enabled: bool,
    /// The bearer token scrapes must send, 32 to 256 visible ASCII characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl MetricsSettingsInput {
    /// Checks the token, when one is given. Prometheus sends it in an HTTP header, so only
    /// visible ASCII characters are allowed.
    pub fn validate(&self) -> Vec<crate::FieldError> {
        let Some(token) = self.token.as_deref() else {
            return Vec::new();
        };
        if token.is_empty() {
            return Vec::new();
        }
        let message = if !token.chars().all(|c| c.is_ascii_graphic()) {
            "must contain only visible ASCII characters, without spaces"
        } else if token.len() < TOKEN_MIN_LEN {
            "must be at least 32 characters long; generate one with `openssl rand -hex 32`"
        } else if token.len() > TOKEN_MAX_LEN {
            "must be at most 256 characters long"
        } else {
            return Vec::new();
        };
        vec![crate::FieldError::new("token", message)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(token: Option<&str>) -> MetricsSettingsInput {
        MetricsSettingsInput {
            enabled: true,
            token: token.map(str::to_string),
        }
    }

    #[test]
    fn missing_or_empty_token_is_valid() {
        assert!(input(None).validate().is_empty());
        assert!(input(Some("")).validate().is_empty());
    }

    #[test]
    fn hex_token_is_valid() {
        assert!(input(Some(&"ab12".repeat(16))).validate().is_empty());
    }

    #[test]
    fn short_token_is_rejected() {
        let errors = input(Some("too-short")).validate();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "token");
    }

    #[test]
    fn token_with_space_is_rejected() {
        let token = format!("{} {}", "a".repeat(20), "b".repeat(20));
        assert_eq!(input(Some(&token)).validate()[0].field, "token");
    }

    #[test]
    fn long_token_is_rejected() {
        assert_eq!(input(Some(&"x".repeat(257))).validate()[0].field, "token");
    }
}
