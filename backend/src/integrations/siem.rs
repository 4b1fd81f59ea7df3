//! Sending audit events to a SIEM: a batch of Splunk HTTP Event Collector events in one POST,
//! or RFC 5424 syslog messages framed by octet counting (RFC 6587) on one TCP connection.
//! The HEC token is a secret: it travels only in the `Authorization` header and never appears
//! in an error.

use super::chat::{client, truncate, with_causes};
use crate::settings::SiemConfig;
use chrono::SecondsFormat;
use serde_json::{Value, json};
use shared::audit::AuditEntry;
use shared::siem::SiemFormat;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How long connecting to or writing to a syslog receiver may take. HEC requests have the
/// same limit through the shared HTTP client.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Maximum characters of a response body quoted in an error.
const BODY_QUOTE_CHARS: usize = 200;
/// Syslog facility 13 (log audit) and severity 5 (notice): 13 * 8 + 5.
const SYSLOG_PRIORITY: u8 = 109;
/// RFC 5424 limits MSGID to 32 printable ASCII characters.
const MSGID_MAX: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SiemError {
    #[error("The SIEM at {endpoint} could not be reached: {message}")]
    Unreachable { endpoint: String, message: String },
    #[error("The SIEM returned HTTP {status}: {body}")]
    Rejected { status: u16, body: String },
    #[error("No HEC token is saved; enter the token Splunk shows for the collector.")]
    NoToken,
}

/// The sender of events: where they go, and the host name they carry.
pub struct Siem<'a> {
    config: &'a SiemConfig,
    /// The installation's host name, from its public URL.
    host: &'a str,
}

impl<'a> Siem<'a> {
    pub fn new(config: &'a SiemConfig, host: &'a str) -> Siem<'a> {
        Siem { config, host }
    }

    /// Delivers `events` in one request or on one connection. Success means the SIEM accepted
    /// all of them (HEC) or all were written and the connection closed cleanly (syslog).
    pub async fn send(&self, events: &[AuditEntry]) -> Result<(), SiemError> {
        match self.config.format {
            SiemFormat::SplunkHec => self.send_hec(events).await,
            SiemFormat::Syslog => self.send_syslog(events).await,
        }
    }

    /// Checks that the SIEM is reachable without sending an event: HEC's health endpoint, or
    /// opening a TCP connection to the syslog receiver.
    pub async fn probe(&self) -> Result<String, SiemError> {
        match self.config.format {
            SiemFormat::SplunkHec => {
                let url = format!("{}/services/collector/health", self.config.endpoint);
                let response = client()
                    .get(&url)
                    .send()
                    .await
                    .map_err(|e| self.unreachable(&e))?;
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                if status.is_success() {
                    Ok(format!(
                        "The collector at {} is healthy.",
                        self.config.endpoint
                    ))
                } else {
                    Err(rejected(status.as_u16(), &body))
                }
            }
            SiemFormat::Syslog => {
                let stream = self.connect().await?;
                drop(stream);
                Ok(format!(
                    "The syslog receiver at {} accepts connections.",
                    self.config.endpoint
                ))
            }
        }
    }

    fn unreachable(&self, error: &dyn std::error::Error) -> SiemError {
        SiemError::Unreachable {
            endpoint: self.config.endpoint.clone(),
            message: with_causes(error),
        }
    }

    async fn send_hec(&self, events: &[AuditEntry]) -> Result<(), SiemError> {
        let token = self.config.token.as_deref().ok_or(SiemError::NoToken)?;
        let body: String = events
            .iter()
            .map(|event| self.hec_event(event).to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let url = format!("{}/services/collector/event", self.config.endpoint);
        let response = client()
            .post(&url)
            .header(reqwest::header::AUTHORIZATION, format!("Splunk {token}"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| self.unreachable(&e.without_url()))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        // HEC returns 200 with the body {"text":"Success","code":0} when it accepted every
        // event of the batch. Any other response, a 200 from a proxy's error page included,
        // leaves the events queued.
        let code = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["code"].as_i64());
        if status.is_success() && code == Some(0) {
            Ok(())
        } else {
            Err(rejected(status.as_u16(), &withhold_token(&text, token)))
        }
    }

    /// Builds one HEC event: the audit entry as the event, its time in seconds with
    /// milliseconds.
    fn hec_event(&self, event: &AuditEntry) -> Value {
        let mut wrapped = json!({
            "time": event.at.timestamp_millis() as f64 / 1000.0,
            "host": self.host,
            "source": "ipsolis",
            "sourcetype": "ipsolis:audit",
            "event": event,
        });
        if let Some(index) = &self.config.index {
            wrapped["index"] = json!(index);
        }
        wrapped
    }

    async fn connect(&self) -> Result<tokio::net::TcpStream, SiemError> {
        let address = self
            .config
            .endpoint
            .strip_prefix("tcp://")
            .unwrap_or(&self.config.endpoint)
            .trim_end_matches('/')
            .to_string();
        match tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(&address)).await {
            Ok(Ok(stream)) => Ok(stream),
            Ok(Err(error)) => Err(self.unreachable(&error)),
            Err(_) => Err(SiemError::Unreachable {
                endpoint: self.config.endpoint.clone(),
                message: format!("no connection within {} seconds", TIMEOUT.as_secs()),
            }),
        }
    }

    async fn send_syslog(&self, events: &[AuditEntry]) -> Result<(), SiemError> {
        let mut frames = Vec::new();
        for event in events {
            let message = self.syslog_message(event);
            frames.extend_from_slice(format!("{} ", message.len()).as_bytes());
            frames.extend_from_slice(message.as_bytes());
        }
        let mut stream = self.connect().await?;
        let written = async {
            stream.write_all(&frames).await?;
            stream.flush().await?;
            stream.shutdown().await
        };
        match tokio::time::timeout(TIMEOUT, written).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(self.unreachable(&error)),
            Err(_) => Err(SiemError::Unreachable {
                endpoint: self.config.endpoint.clone(),
                message: format!("writing took longer than {} seconds", TIMEOUT.as_secs()),
            }),
        }
    }

    /// Formats one RFC 5424 message: no structured data, the audit entry as JSON in the body.
    pub fn syslog_message(&self, event: &AuditEntry) -> String {
        let timestamp = event.at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let msgid: String = event
            .action
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(MSGID_MAX)
            .collect();
        let msgid = if msgid.is_empty() { "-".into() } else { msgid };
        let body = serde_json::to_string(event).unwrap_or_default();
        format!(
            "<{SYSLOG_PRIORITY}>1 {timestamp} {host} ipsolis - {msgid} - {body}",
            host = syslog_host(self.host),
        )
    }
}

/// Returns the RFC 5424 HOSTNAME: printable ASCII, at most 255 characters, `-` when unknown.
fn syslog_host(host: &str) -> String {
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect();
    if host.is_empty() { "-".into() } else { host }
}

/// Returns `body`, or a placeholder when it repeats the token in any spelling: as sent,
/// JSON-escaped or percent-encoded.
fn withhold_token(body: &str, token: &str) -> String {
    let escaped = serde_json::to_string(token).unwrap_or_default();
    let spellings = [
        token.to_string(),
        escaped.trim_matches('"').to_string(),
        url::form_urlencoded::byte_serialize(token.as_bytes()).collect(),
        token.replace(' ', "%20"),
    ];
    let lower = body.to_lowercase();
    if spellings
        .iter()
        .any(|spelling| !spelling.is_empty() && lower.contains(&spelling.to_lowercase()))
    {
        return "(response withheld: it repeats the HEC token)".into();
    }
    body.to_string()
}

fn rejected(status: u16, body: &str) -> SiemError {
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    SiemError::Rejected {
        status,
        body: if body.is_empty() {
            "(empty response)".into()
        } else {
            truncate(&body, BODY_QUOTE_CHARS)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn config(format: SiemFormat) -> SiemConfig {
        SiemConfig {
            enabled: true,
            format,
            endpoint: "tcp://127.0.0.1:514".into(),
            token: None,
            index: Some("audit".into()),
        }
    }

    fn entry(action: &str) -> AuditEntry {
        AuditEntry {
            id: uuid::Uuid::nil(),
            at: chrono::Utc.with_ymd_and_hms(2026, 12, 5, 9, 30, 0).unwrap(),
            actor: "admin:session:alice:superadmin".into(),
            action: action.into(),
            entity_type: "settings".into(),
            entity_id: "siem".into(),
            before: None,
            after: Some(json!({ "enabled": true })),
        }
    }

    #[test]
    fn syslog_message_follows_rfc_5424() {
        let config = config(SiemFormat::Syslog);
        let siem = Siem::new(&config, "ipsolis.example.com");
        let message = siem.syslog_message(&entry("settings.update"));
        let (header, body) = message.split_once(" - {").unwrap();
        assert_eq!(
            header,
            "<109>1 2026-12-05T09:30:00.000Z ipsolis.example.com ipsolis - settings.update"
        );
        let body: Value = serde_json::from_str(&format!("{{{body}")).unwrap();
        assert_eq!(body["actor"], "admin:session:alice:superadmin");
    }

    #[test]
    fn msgid_is_printable_and_short() {
        let config = config(SiemFormat::Syslog);
        let siem = Siem::new(&config, "");
        let message = siem.syslog_message(&entry(&format!("odd action {}", "x".repeat(40))));
        let fields: Vec<&str> = message.splitn(7, ' ').collect();
        assert_eq!(fields[2], "-", "an empty host becomes the nil value");
        assert_eq!(fields[5].len(), MSGID_MAX);
        assert!(fields[5].starts_with("oddaction"));
    }

    #[test]
    fn token_echo_is_withheld() {
        let token = "ab\"cd/ef";
        assert_eq!(withhold_token("invalid token", token), "invalid token");
        for echo in ["ab\"cd/ef", "ab\\\"cd/ef", "ab%22cd%2Fef", "AB%22CD%2FEF"] {
            let body = format!("{{\"text\":\"bad token {echo}\"}}");
            assert!(withhold_token(&body, token).contains("withheld"), "{body}");
        }
    }

    #[test]
    fn hec_event_carries_time_index_and_entry() {
        let config = config(SiemFormat::SplunkHec);
        let siem = Siem::new(&config, "ipsolis.example.com");
        let event = siem.hec_event(&entry("order.create"));
        assert_eq!(event["time"], json!(1_796_463_000.0));
        assert_eq!(event["index"], "audit");
        assert_eq!(event["sourcetype"], "ipsolis:audit");
        assert_eq!(event["event"]["action"], "order.create");
    }
}
