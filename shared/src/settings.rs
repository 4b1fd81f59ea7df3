//! Connection settings edited in the admin SPA. Secrets are write-only: a request carries the
//! new value or leaves it out to keep the stored one, and a response reports only whether one is set.

use crate::permissions::Role;
use serde::{Deserialize, Serialize};

/// The transport security of a directory connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LdapTls {
    /// Plain LDAP, for a directory on the same host or a lab only.
    #[default]
    None,
    /// LDAP upgraded with the StartTLS extended operation.
    Starttls,
    /// LDAP over TLS from the first byte (`ldaps://`).
    Ldaps,
}

/// The transport security of a mail server connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    #[default]
    None,
    Starttls,
    /// SMTP over TLS from the first byte (usually port 465).
    Tls,
}

/// Directory settings as the API returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LdapSettings {
    pub host: String,
    pub port: u16,
    pub tls: LdapTls,
    pub bind_dn: String,
    pub bind_password_set: bool,
    pub base_dn: String,
    /// The attribute on a person's entry that contains their manager's DN.
    pub manager_attribute: String,
}

/// Directory settings as a client sends them. `bind_password` left out keeps the stored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LdapSettingsInput {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub tls: LdapTls,
    pub bind_dn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_password: Option<String>,
    pub base_dn: String,
    #[serde(default = "default_manager_attribute")]
    pub manager_attribute: String,
}

pub fn default_manager_attribute() -> String {
    "manager".to_string()
}

/// Mail settings as the API returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password_set: bool,
    /// The sender, as `address` or `Name <address>`.
    pub from: String,
}

/// Mail settings as a client sends them. `password` left out keeps the stored one; an empty
/// string removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SmtpSettingsInput {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    pub from: String,
}

/// Portal sign-in settings as the API returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OidcSettings {
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret_set: bool,
    /// E-mail domains whose people may sign in; empty allows every domain.
    pub allowed_email_domains: Vec<String>,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
}

/// Portal sign-in settings as a client sends them. `client_secret` left out keeps the stored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OidcSettingsInput {
    pub enabled: bool,
    pub issuer_url: String,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub allowed_email_domains: Vec<String>,
}

/// A chat channel (Microsoft Teams or Slack) as the API returns it. The incoming-webhook URL
/// is a secret, because anyone who has it can post to the channel, so it is never returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelSettings {
    /// Whether approval requests, reminders and escalation notices are posted to the channel.
    pub enabled: bool,
    pub webhook_url_set: bool,
}

/// A chat channel as a client sends it. `webhook_url` left out keeps the stored one; an empty
/// string removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelSettingsInput {
    pub enabled: bool,
    /// The channel's incoming-webhook URL, `https://...`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

/// Maximum characters of a webhook URL.
pub const WEBHOOK_URL_MAX: usize = 2048;

impl ChannelSettingsInput {
    /// Checks the form of the webhook URL, when one is given; an empty one removes the stored URL.
    pub fn validate(&self) -> Vec<crate::FieldError> {
        let Some(url) = self.webhook_url.as_deref().map(str::trim) else {
            return Vec::new();
        };
        if url.is_empty() {
            return Vec::new();
        }
        let lower = url.to_ascii_lowercase();
        let host = ["https://", "http://"]
            .iter()
            .find(|scheme| lower.starts_with(*scheme))
            .and_then(|scheme| url[scheme.len()..].split(['/', '?', '#']).next())
            .unwrap_or_default();
        let message = if host.is_empty() || url.contains(char::is_whitespace) {
            "must be the channel's incoming-webhook URL, starting with https://"
        } else if host.contains('@') {
            "must not carry a user name or password; paste the URL exactly as the service shows it"
        } else if url.chars().count() > WEBHOOK_URL_MAX {
            "must be at most 2048 characters long"
        } else {
            return Vec::new();
        };
        vec![crate::FieldError::new("webhook_url", message)]
    }
}

/// The outcome of a "test connection" button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionTest {
    pub ok: bool,
    /// A description of what succeeded, or the exact failure reported by the server or the network.
    pub message: String,
}

/// Rules every new admin password must meet, on top of the fixed limits of 12 to 1024
/// characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    /// At least 12.
    pub min_length: u32,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_digit: bool,
    pub require_symbol: bool,
    /// How many earlier passwords of the same user are refused, 0 to 24.
    pub history: u32,
    /// Days after which a password must be changed before anything else, 1 to 3650; 0 never.
    #[serde(default)]
    pub max_age_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 12,
            require_lowercase: false,
            require_uppercase: false,
            require_digit: false,
            require_symbol: false,
            history: 0,
            max_age_days: 0,
        }
    }
}

impl PasswordPolicy {
    /// Returns every rule `password` breaks, as messages to show next to the field.
    pub fn reasons(&self, password: &str) -> Vec<String> {
        let mut reasons = Vec::new();
        if let Some(message) = crate::validation::password(password) {
            reasons.push(message);
        }
        let length = password.chars().count();
        if length < self.min_length as usize && length >= crate::validation::PASSWORD_MIN {
            reasons.push(format!(
                "must be at least {} characters long",
                self.min_length
            ));
        }
        let checks = [
            (
                self.require_lowercase,
                password.chars().any(char::is_lowercase),
                "a lower-case letter",
            ),
            (
                self.require_uppercase,
                password.chars().any(char::is_uppercase),
                "an upper-case letter",
            ),
            (
                self.require_digit,
                password.chars().any(|c| c.is_ascii_digit()),
                "a digit",
            ),
            (
                self.require_symbol,
                password
                    .chars()
                    .any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
                "a symbol such as ! or #",
            ),
        ];
        for (required, present, what) in checks {
            if required && !present {
                reasons.push(format!("must contain {what}"));
            }
        }
        reasons
    }
}

/// Sign-in and session rules of the installation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// Minutes without a request after which an admin session ends, 5 to 1440.
    pub session_idle_minutes: u32,
    /// Hours after sign-in at which an admin session ends whatever the activity, 1 to 168.
    pub session_absolute_hours: u32,
    pub password_policy: PasswordPolicy,
    /// Whether `X-Admin-Key` with `ADMIN_API_KEY` still signs scripts in as a superadmin.
    pub legacy_admin_key_enabled: bool,
    /// Days after revocation or expiry at which API tokens are deleted, 1 to 3650; 0 keeps
    /// them for good.
    #[serde(default)]
    pub token_purge_days: u32,
    /// Roles whose users must sign in with a second factor; until they set it up, they can
    /// only reach My account.
    #[serde(default)]
    pub totp_required_roles: Vec<Role>,
    #[serde(default)]
    pub separation_of_duties: SeparationOfDuties,
}

/// Two roles that one person may not hold at once, through accounts sharing a mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RolePair {
    pub first: Role,
    pub second: Role,
}

impl RolePair {
    /// Returns whether a person with roles `a` and `b` breaks this pair.
    pub fn matches(&self, a: Role, b: Role) -> bool {
        (self.first == a && self.second == b) || (self.first == b && self.second == a)
    }
}

/// Separation-of-duties rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeparationOfDuties {
    /// Role pairs one person may not hold together.
    #[serde(default)]
    pub conflicting_roles: Vec<RolePair>,
    /// Whether an order's requester, or the person who placed it for them, is rejected as its
    /// approver.
    #[serde(default = "yes")]
    pub forbid_self_approval: bool,
}

fn yes() -> bool {
    true
}

impl Default for SeparationOfDuties {
    fn default() -> Self {
        SeparationOfDuties {
            conflicting_roles: Vec::new(),
            forbid_self_approval: true,
        }
    }
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            password_policy: PasswordPolicy::default(),
            legacy_admin_key_enabled: true,
            token_purge_days: 0,
            totp_required_roles: Vec::new(),
            separation_of_duties: SeparationOfDuties::default(),
        }
    }
}

impl SecuritySettings {
    /// Checks the ranges of every field.
    pub fn validate(&self) -> Vec<crate::FieldError> {
        let mut errors = Vec::new();
        let mut range = |field: &str, value: u32, low: u32, high: u32| {
            if !(low..=high).contains(&value) {
                errors.push(crate::FieldError::new(
                    field,
                    format!("must be between {low} and {high}"),
                ));
            }
        };
        range("session_idle_minutes", self.session_idle_minutes, 5, 1440);
        range(
            "session_absolute_hours",
            self.session_absolute_hours,
            1,
            168,
        );
        range(
            "password_policy.min_length",
            self.password_policy.min_length,
            12,
            128,
        );
        range(
            "password_policy.history",
            self.password_policy.history,
            0,
            24,
        );
        range("token_purge_days", self.token_purge_days, 0, 3650);
        range(
            "password_policy.max_age_days",
            self.password_policy.max_age_days,
            0,
            3650,
        );
        for (index, pair) in self
            .separation_of_duties
            .conflicting_roles
            .iter()
            .enumerate()
        {
            let earlier = &self.separation_of_duties.conflicting_roles[..index];
            if pair.first == pair.second {
                errors.push(crate::FieldError::new(
                    format!("separation_of_duties.conflicting_roles[{index}]"),
                    "must name two different roles",
                ));
            } else if earlier.iter().any(|p| p.matches(pair.first, pair.second)) {
                errors.push(crate::FieldError::new(
                    format!("separation_of_duties.conflicting_roles[{index}]"),
                    "is listed twice",
                ));
            }
        }
        errors
    }
}

/// The action taken when an approval is still open after the last reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EscalationMode {
    /// The escalation contacts are notified, and the approver stays the one to decide.
    #[default]
    NotifyOnly,
    /// The escalation contacts are asked as well, and any of them can decide in the
    /// approver's place.
    Approve,
}

/// The directory attributes rules may read as a requester's department. The list is closed so
/// that a rule can never test a secret attribute such as a password hash.
pub const DEPARTMENT_ATTRIBUTES: [&str; 12] = [
    "department",
    "departmentNumber",
    "division",
    "company",
    "title",
    "employeeType",
    "physicalDeliveryOfficeName",
    "ou",
    "l",
    "st",
    "co",
    "costCenter",
];

/// Returns whether rules may read `name` as the requester's department.
pub fn department_attribute_allowed(name: &str) -> bool {
    if DEPARTMENT_ATTRIBUTES
        .iter()
        .any(|a| a.eq_ignore_ascii_case(name))
    {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    lower
        .strip_prefix("extensionattribute")
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=15).contains(&n))
}

/// Timing and escalation of approvals, and the central compliance officer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalSettings {
    /// Hours between reminders to an approver who has not decided, 1 to 720.
    pub reminder_interval_hours: u32,
    /// How many reminders an approver gets before escalation, 0 to 3.
    pub max_reminders: u32,
    /// Directory users, by account name or mail address, told or asked after the reminders.
    pub escalation_contacts: Vec<String>,
    pub escalation_mode: EscalationMode,
    /// Approvals open longer than this many days are declined by the system; none keeps them
    /// open.
    pub auto_decline_days: Option<u32>,
    /// The central compliance officer, by account name or mail address, for every
    /// classification a definition names no owner of record for.
    pub compliance_officer: Option<String>,
    /// The directory attribute holding a person's department, for rules on
    /// `requester_department`.
    pub department_attribute: String,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        ApprovalSettings {
            reminder_interval_hours: 24,
            max_reminders: 3,
            escalation_contacts: Vec::new(),
            escalation_mode: EscalationMode::NotifyOnly,
            auto_decline_days: None,
            compliance_officer: None,
            department_attribute: "department".into(),
        }
    }
}

impl ApprovalSettings {
    /// Lists the fields out of range, with the range.
    pub fn errors(&self) -> Vec<crate::FieldError> {
        use crate::FieldError;
        let mut errors = Vec::new();
        if !(1..=720).contains(&self.reminder_interval_hours) {
            errors.push(FieldError::new(
                "reminder_interval_hours",
                "must be between 1 and 720 hours",
            ));
        }
        if self.max_reminders > 3 {
            errors.push(FieldError::new("max_reminders", "must be between 0 and 3"));
        }
        if self.escalation_contacts.len() > 10 {
            errors.push(FieldError::new(
                "escalation_contacts",
                "may name at most 10 contacts",
            ));
        }
        for (i, contact) in self.escalation_contacts.iter().enumerate() {
            if contact.trim().is_empty() || contact.chars().count() > 256 {
                errors.push(FieldError::new(
                    format!("escalation_contacts[{i}]"),
                    "must be an account name or mail address",
                ));
            } else if self.escalation_contacts[..i]
                .iter()
                .any(|other| other.trim().eq_ignore_ascii_case(contact.trim()))
            {
                errors.push(FieldError::new(
                    format!("escalation_contacts[{i}]"),
                    "is listed twice",
                ));
            }
        }
        if self.escalation_mode == EscalationMode::Approve && self.escalation_contacts.is_empty() {
            errors.push(FieldError::new(
                "escalation_contacts",
                "must name at least one contact when escalation asks them to approve",
            ));
        }
        if let Some(days) = self.auto_decline_days
            && !(1..=365).contains(&days)
        {
            errors.push(FieldError::new(
                "auto_decline_days",
                "must be between 1 and 365 days, or left empty to keep approvals open",
            ));
        }
        if !department_attribute_allowed(self.department_attribute.trim()) {
            errors.push(FieldError::new(
                "department_attribute",
                format!(
                    "must be one of the organisational attributes {} or extensionAttribute1 to \
                     extensionAttribute15; rules must not read other attributes of a person",
                    DEPARTMENT_ATTRIBUTES.join(", ")
                ),
            ));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_url_needs_http_scheme_and_host() {
        let check = |url: &str| {
            let input = ChannelSettingsInput {
                enabled: true,
                webhook_url: Some(url.to_string()),
            };
            input.validate().len()
        };
        assert_eq!(check("https://hooks.example.com/services/T0/B0/x"), 0);
        assert_eq!(check("http://127.0.0.1:8080/hook"), 0);
        assert_eq!(check(""), 0, "an empty URL removes the stored one");
        assert_eq!(check("ftp://example.com/hook"), 1);
        assert_eq!(check("https:///no-host"), 1);
        assert_eq!(check("https://example.com/a b"), 1);
        assert_eq!(
            check(&format!("https://example.com/{}", "x".repeat(2048))),
            1
        );
    }

    #[test]
    fn policy_lists_every_broken_rule() {
        let policy = PasswordPolicy {
            min_length: 16,
            require_uppercase: true,
            require_digit: true,
            require_symbol: true,
            ..PasswordPolicy::default()
        };
        let reasons = policy.reasons("lowercase-only-x");
        assert_eq!(
            reasons,
            ["must contain an upper-case letter", "must contain a digit"]
        );
        assert_eq!(policy.reasons("short").len(), 4);
        assert!(policy.reasons("Longer-Password-42!").is_empty());
    }

    #[test]
    fn out_of_range_settings_name_fields() {
        let settings = SecuritySettings {
            session_idle_minutes: 1,
            password_policy: PasswordPolicy {
                min_length: 8,
                ..PasswordPolicy::default()
            },
            ..SecuritySettings::default()
        };
        let fields: Vec<String> = settings.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["session_idle_minutes", "password_policy.min_length"]
        );

        let pair = |first, second| RolePair { first, second };
        let settings = SecuritySettings {
            separation_of_duties: SeparationOfDuties {
                conflicting_roles: vec![
                    pair(Role::Admin, Role::Approver),
                    pair(Role::Approver, Role::Admin),
                    pair(Role::Auditor, Role::Auditor),
                ],
                forbid_self_approval: true,
            },
            ..SecuritySettings::default()
        };
        let fields: Vec<String> = settings.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "separation_of_duties.conflicting_roles[1]",
                "separation_of_duties.conflicting_roles[2]"
            ]
        );
    }
}
