//! General settings: the application title and the logo shown in the headers and on the
//! sign-in pages, and the public branding the sign-in pages read before anyone signs in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The title shown before an administrator sets one.
pub const DEFAULT_TITLE: &str = "ip·Solis";

/// Maximum characters of the application title.
pub const TITLE_MAX_CHARS: usize = 80;

/// Maximum size of a logo file in bytes (512 KiB).
pub const LOGO_MAX_BYTES: usize = 512 * 1024;

/// The media types a logo may have. SVG is not among them, because an SVG file can carry
/// script.
pub const LOGO_MEDIA_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/webp"];

/// The logo's place next to the application title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LogoPosition {
    /// Left of the title, in the admin and portal headers and on the sign-in pages.
    #[default]
    Left,
    /// Centred above the title, in the admin and portal headers and on the sign-in pages.
    Center,
    /// Left of the title in the admin and portal headers; the sign-in pages show the title
    /// without the logo.
    HiddenOnSignIn,
}

impl LogoPosition {
    pub const ALL: [LogoPosition; 3] = [
        LogoPosition::Left,
        LogoPosition::Center,
        LogoPosition::HiddenOnSignIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LogoPosition::Left => "left",
            LogoPosition::Center => "center",
            LogoPosition::HiddenOnSignIn => "hidden_on_sign_in",
        }
    }

    /// Returns whether the sign-in pages show the logo.
    pub fn on_sign_in(self) -> bool {
        self != LogoPosition::HiddenOnSignIn
    }
}

/// The stored logo, as the settings page describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogoInfo {
    /// `image/png`, `image/jpeg` or `image/webp`, as found in the file's first bytes.
    pub content_type: String,
    pub size_bytes: u32,
    /// Changes whenever the logo changes; the logo URL carries it as `?v=`, so browsers fetch
    /// a new logo at once.
    pub version: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// General settings as the API returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeneralSettings {
    /// The application title in the headers, on the sign-in pages and in the browser tab.
    pub title: String,
    pub logo_position: LogoPosition,
    /// Absent until a logo is uploaded.
    pub logo: Option<LogoInfo>,
}

/// General settings as a client sends them. The logo has routes of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GeneralSettingsInput {
    /// 1 to 80 characters after trimming, with no control characters.
    pub title: String,
    #[serde(default)]
    pub logo_position: LogoPosition,
}

impl GeneralSettingsInput {
    /// Lists the invalid fields with how to fix each.
    pub fn validate(&self) -> Vec<crate::FieldError> {
        match title_problem(&self.title) {
            Some(message) => vec![crate::FieldError::new("title", message)],
            None => Vec::new(),
        }
    }
}

/// Returns why `title` cannot be the application title, or `None` when it can.
pub fn title_problem(title: &str) -> Option<String> {
    let title = title.trim();
    if title.is_empty() {
        return Some("is required: enter the name people should see, such as Contoso IT".into());
    }
    if title.chars().count() > TITLE_MAX_CHARS {
        return Some(format!("must be at most {TITLE_MAX_CHARS} characters long"));
    }
    if title.chars().any(char::is_control) {
        return Some("must not contain control characters such as tabs or line breaks".into());
    }
    crate::validation::hidden_character(title, false)
}

/// The title and logo that every page shows, readable without signing in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branding {
    pub title: String,
    pub logo_position: LogoPosition,
    pub logo_set: bool,
    /// Changes whenever the logo changes; absent without a logo.
    pub logo_version: Option<String>,
    /// The logo's address with its version, `/api/v1/branding/logo?v=...`; absent without a
    /// logo.
    pub logo_url: Option<String>,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            title: DEFAULT_TITLE.into(),
            logo_position: LogoPosition::default(),
            logo_set: false,
            logo_version: None,
            logo_url: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_rules() {
        assert_eq!(title_problem("Contoso IT"), None);
        assert_eq!(title_problem("  Contoso IT  "), None);
        assert!(title_problem("   ").is_some());
        assert!(title_problem(&"x".repeat(TITLE_MAX_CHARS)).is_none());
        assert!(title_problem(&"x".repeat(TITLE_MAX_CHARS + 1)).is_some());
        assert!(title_problem("Contoso\tIT").is_some());
        assert!(title_problem("Contoso\u{7f}IT").is_some());
    }

    #[test]
    fn position_wire_names() {
        for position in LogoPosition::ALL {
            let json = serde_json::to_value(position).unwrap();
            assert_eq!(json, position.as_str());
        }
    }
}
