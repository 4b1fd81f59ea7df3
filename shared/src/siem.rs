//! Forwarding of the audit log to a SIEM, as Splunk HTTP Event Collector events or as RFC 5424
//! syslog messages over TCP. The HEC token is write-only like every other secret.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Maximum characters of an endpoint.
pub const ENDPOINT_MAX: usize = 2048;
/// Maximum characters of a HEC token.
pub const TOKEN_MAX: usize = 256;
/// Maximum characters of a Splunk index name.
pub const INDEX_MAX: usize = 80;

/// The wire format of the events sent to the SIEM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SiemFormat {
    /// JSON events posted to Splunk's HTTP Event Collector (or a service that speaks its
    /// protocol), authenticated with a HEC token.
    SplunkHec,
    /// RFC 5424 messages with a JSON body, framed by octet counting (RFC 6587) on a TCP
    /// connection, for rsyslog, syslog-ng, QRadar, Sentinel's collector and the like.
    Syslog,
}

impl SiemFormat {
    pub fn label(self) -> &'static str {
        match self {
            SiemFormat::SplunkHec => "Splunk HTTP Event Collector",
            SiemFormat::Syslog => "Syslog over TCP (RFC 5424)",
        }
    }
}

/// The state of forwarding, as the settings page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiemDelivery {
    /// Audit events written while forwarding was on and not yet accepted by the SIEM.
    pub pending: i64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// Events the SIEM has accepted since forwarding was first turned on.
    pub delivered_total: i64,
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// The failure of the latest attempt, when the latest attempt failed.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

/// The SIEM settings as the API returns them; the HEC token is never returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiemSettings {
    /// Whether every new audit row is forwarded. Rows written while it is off are not.
    pub enabled: bool,
    pub format: SiemFormat,
    /// For HEC, the collector's base URL such as `https://splunk.example.com:8088`; for
    /// syslog, `tcp://host:port`.
    pub endpoint: String,
    pub token_set: bool,
    /// The Splunk index events go to; without one, the token's default index.
    pub index: Option<String>,
    pub delivery: SiemDelivery,
}

/// The SIEM settings as a client sends them. `token` left out keeps the stored one while the
/// endpoint stays the same; an empty string removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SiemSettingsInput {
    pub enabled: bool,
    pub format: SiemFormat,
    pub endpoint: String,
    /// The HEC token; syslog takes none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

impl SiemSettingsInput {
    /// Checks the form of every field. Whether a HEC token is present at all is checked by the
    /// server, which reads the stored one.
    pub fn validate(&self) -> Vec<crate::FieldError> {
        let mut errors = Vec::new();
        if let Some(message) = endpoint_problem(self.format, self.endpoint.trim()) {
            errors.push(crate::FieldError::new("endpoint", message));
        }
        if let Some(token) = self.token.as_deref().filter(|t| !t.is_empty()) {
            if self.format == SiemFormat::Syslog {
                errors.push(crate::FieldError::new(
                    "token",
                    "is only for Splunk HEC; leave it empty for syslog",
                ));
            } else if !token.chars().all(|c| c.is_ascii_graphic()) {
                errors.push(crate::FieldError::new(
                    "token",
                    "must contain only visible ASCII characters, as the HEC token Splunk shows",
                ));
            } else if token.len() > TOKEN_MAX {
                errors.push(crate::FieldError::new(
                    "token",
                    "must be at most 256 characters long",
                ));
            }
        }
        if let Some(index) = self.index.as_deref().filter(|i| !i.is_empty()) {
            let valid_chars = index
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
            let message = if self.format == SiemFormat::Syslog {
                Some("is only for Splunk HEC; leave it empty for syslog")
            } else if !valid_chars || index.starts_with(['_', '-']) {
                Some(
                    "must be a Splunk index name: lower-case letters, digits, '_' and '-', not \
                     starting with '_' or '-'",
                )
            } else if index.len() > INDEX_MAX {
                Some("must be at most 80 characters long")
            } else {
                None
            };
            if let Some(message) = message {
                errors.push(crate::FieldError::new("index", message));
            }
        }
        errors
    }
}

/// Returns what is wrong with `endpoint` for `format`, if anything.
fn endpoint_problem(format: SiemFormat, endpoint: &str) -> Option<&'static str> {
    if endpoint.is_empty() {
        return Some(match format {
            SiemFormat::SplunkHec => {
                "is required: the collector's base URL, such as https://splunk.example.com:8088"
            }
            SiemFormat::Syslog => "is required: tcp://host:port of the syslog receiver",
        });
    }
    if endpoint.chars().count() > ENDPOINT_MAX {
        return Some("must be at most 2048 characters long");
    }
    if endpoint.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Some("must not contain spaces or control characters");
    }
    if !endpoint.is_ascii() {
        return Some(
            "must contain only ASCII characters; write an international host name in its xn-- form",
        );
    }
    let lower = endpoint.to_ascii_lowercase();
    match format {
        SiemFormat::SplunkHec => {
            let Some(rest) = ["https://", "http://"]
                .iter()
                .find_map(|scheme| lower.strip_prefix(scheme))
            else {
                return Some(
                    "must start with https:// (or http://), such as \
                     https://splunk.example.com:8088",
                );
            };
            let authority = rest.split('/').next().unwrap_or_default();
            if authority.is_empty() || authority.starts_with(':') {
                Some("must name the collector's host, such as https://splunk.example.com:8088")
            } else if authority.contains('@') {
                Some("must not carry a user name or password; the HEC token authenticates")
            } else if rest.contains(['?', '#']) {
                Some(
                    "must be the base URL without a query or fragment; /services/collector/event \
                     is added",
                )
            } else {
                None
            }
        }
        SiemFormat::Syslog => {
            let Some(rest) = lower.strip_prefix("tcp://") else {
                return Some("must be tcp://host:port, such as tcp://siem.example.com:514");
            };
            let rest = rest.strip_suffix('/').unwrap_or(rest);
            let port = rest
                .rsplit_once(':')
                .map(|(host, port)| (host, port.parse::<u16>()));
            match port {
                Some((host, Ok(port))) if !host.is_empty() && port > 0 && !host.contains('/') => {
                    None
                }
                _ => Some("must be tcp://host:port with a port from 1 to 65535"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(format: SiemFormat, endpoint: &str) -> SiemSettingsInput {
        SiemSettingsInput {
            enabled: true,
            format,
            endpoint: endpoint.into(),
            token: None,
            index: None,
        }
    }

    fn fields(input: &SiemSettingsInput) -> Vec<String> {
        input.validate().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn usual_endpoints_are_valid() {
        for (format, endpoint) in [
            (SiemFormat::SplunkHec, "https://splunk.example.com:8088"),
            (SiemFormat::SplunkHec, "http://127.0.0.1:8088/"),
            (SiemFormat::SplunkHec, "https://hec.example.com/prefix"),
            (SiemFormat::Syslog, "tcp://siem.example.com:514"),
            (SiemFormat::Syslog, "tcp://[::1]:6514"),
        ] {
            assert!(fields(&input(format, endpoint)).is_empty(), "{endpoint}");
        }
    }

    #[test]
    fn wrong_endpoints_name_the_field() {
        for (format, endpoint) in [
            (SiemFormat::SplunkHec, ""),
            (SiemFormat::SplunkHec, "splunk.example.com:8088"),
            (SiemFormat::SplunkHec, "https://user:pw@splunk.example.com"),
            (SiemFormat::SplunkHec, "https://splunk.example.com/?token=x"),
            (SiemFormat::SplunkHec, "https://"),
            (SiemFormat::Syslog, "udp://siem.example.com:514"),
            (SiemFormat::Syslog, "tcp://siem.example.com"),
            (SiemFormat::Syslog, "tcp://siem.example.com:0"),
            (SiemFormat::Syslog, "tcp://:514"),
            (SiemFormat::Syslog, "tcp://siem.example.com:514 "),
        ] {
            let mut case = input(format, endpoint);
            // Trailing spaces are trimmed; an inner space is not.
            if endpoint.ends_with(' ') {
                case.endpoint = "tcp://siem example.com:514".into();
            }
            assert_eq!(fields(&case), ["endpoint"], "{endpoint}");
        }
    }

    #[test]
    fn token_and_index_are_checked() {
        let mut hec = input(SiemFormat::SplunkHec, "https://splunk.example.com:8088");
        hec.token = Some("4a8c2e51-0d3b-4f7e-9a61-2b5d7c9e0f13".into());
        hec.index = Some("ipsolis_audit".into());
        assert!(fields(&hec).is_empty());
        hec.token = Some("has space".into());
        hec.index = Some("_internal".into());
        assert_eq!(fields(&hec), ["token", "index"]);

        let mut syslog = input(SiemFormat::Syslog, "tcp://siem.example.com:514");
        syslog.token = Some("secret".into());
        syslog.index = Some("main".into());
        assert_eq!(fields(&syslog), ["token", "index"]);
        syslog.token = Some(String::new());
        syslog.index = Some(String::new());
        assert!(fields(&syslog).is_empty());
    }
}
