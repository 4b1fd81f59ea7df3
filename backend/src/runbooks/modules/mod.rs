//! Built-in step modules. Each one makes its change idempotently, so a second run after a crash
//! finds the change in place and succeeds. Then it reads the target back and fails unless the
//! change is really there. What it read goes to the step's `readback` in the journal.

pub mod http;
pub mod ldap;
pub mod mail;
pub mod remote;
pub mod sccm;
pub mod script;
pub mod vsphere;
pub mod wait;
pub mod xen;

use crate::state::AppState;
use chrono::Utc;
use serde_json::{Map, Value};
use shared::runbooks::{LogLevel, LogLine};
use std::sync::Mutex;
use std::time::Duration;
use uuid::Uuid;

/// The failure of a step.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// Worth another try after the step's backoff (a server is down or busy).
    #[error("{0}")]
    Retry(String),
    /// Another try cannot succeed (a parameter is wrong, the target refuses).
    #[error("{0}")]
    Fail(String),
}

impl StepError {
    pub fn retry(message: impl std::fmt::Display) -> StepError {
        StepError::Retry(message.to_string())
    }

    pub fn fail(message: impl std::fmt::Display) -> StepError {
        StepError::Fail(message.to_string())
    }
}

/// The result of a step: its output, which later steps read as `steps.<key>`, and the
/// read-back from the target that proves its change.
#[derive(Debug, Default)]
pub struct StepOutput {
    pub output: Value,
    pub readback: Value,
}

impl StepOutput {
    pub fn new(output: Value, readback: Value) -> StepOutput {
        StepOutput { output, readback }
    }
}

/// The order a run serves, for modules that check which other orders cover a grant.
#[derive(Debug, Clone)]
pub struct OrderScope {
    pub order_id: Uuid,
    pub requester_dn: String,
    /// Remove, at the end, memberships the person held before the order.
    pub remove_pre_existing: bool,
}

/// Collects a step's log lines while it runs.
#[derive(Default)]
pub struct Journal {
    lines: Mutex<Vec<LogLine>>,
}

impl Journal {
    pub fn info(&self, message: impl Into<String>) {
        self.push(LogLevel::Info, message.into());
    }

    pub fn warn(&self, message: impl Into<String>) {
        self.push(LogLevel::Warn, message.into());
    }

    fn push(&self, level: LogLevel, message: String) {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        // A runaway step cannot fill the journal.
        if lines.len() < 500 {
            lines.push(LogLine {
                at: Utc::now(),
                level,
                message,
            });
        }
    }

    pub fn take(&self) -> Vec<LogLine> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Everything a module gets to run one step.
pub struct StepInput<'a> {
    pub state: &'a AppState,
    /// The step's parameters after templating.
    pub params: &'a Map<String, Value>,
    /// The step's timeout; the engine also stops the step when it runs out.
    pub timeout: Duration,
    pub order: Option<&'a OrderScope>,
    pub journal: &'a Journal,
    /// Values that must never appear in the journal; the engine masks them too.
    pub secrets: &'a [String],
}

impl StepInput<'_> {
    /// Returns a required text parameter.
    pub fn text(&self, name: &str) -> Result<String, StepError> {
        self.optional_text(name)?
            .ok_or_else(|| StepError::fail(format!("the parameter {name} is empty")))
    }

    /// Returns a text parameter that may be left empty.
    pub fn optional_text(&self, name: &str) -> Result<Option<String>, StepError> {
        match self.params.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.trim().to_string())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(StepError::fail(format!(
                "the parameter {name} must be text"
            ))),
        }
    }

    /// Returns a whole number parameter, or `default` when it is left empty.
    pub fn number(&self, name: &str, default: u64) -> Result<u64, StepError> {
        match self.optional_text(name)? {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| {
                StepError::fail(format!(
                    "the parameter {name} must be a whole number, not {text:?}"
                ))
            }),
        }
    }

    /// Returns a JSON object parameter, written as an object or as JSON text. Empty is `{}`.
    pub fn object(&self, name: &str) -> Result<Map<String, Value>, StepError> {
        match self.params.get(name) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(Map::new()),
            Some(Value::String(text)) => match serde_json::from_str(text) {
                Ok(Value::Object(map)) => Ok(map),
                _ => Err(StepError::fail(format!(
                    "the parameter {name} must be a JSON object"
                ))),
            },
            Some(_) => Err(StepError::fail(format!(
                "the parameter {name} must be a JSON object"
            ))),
        }
    }
}

/// Runs one step with the module `id`.
pub async fn run(id: &str, input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    match id {
        "ldap.add_member" => ldap::add_member(input).await,
        "ldap.remove_member" => ldap::remove_member(input).await,
        "ldap.create_computer" => ldap::create_computer(input).await,
        "ldap.delete_computer" => ldap::delete_computer(input).await,
        "ldap.set_attribute" => ldap::set_attribute(input).await,
        "ldap.clear_group" => ldap::clear_group(input).await,
        "http.request" => http::request(input).await,
        "mail.send" => mail::send(input).await,
        "wait.until" => wait::until(input).await,
        "script" => script::run(input).await,
        "xen.clone" => xen::clone(input).await,
        "xen.start" => xen::start(input).await,
        "xen.shutdown" => xen::shutdown(input).await,
        "xen.revert" => xen::revert(input).await,
        "xen.destroy" => xen::destroy(input).await,
        "vsphere.clone" => vsphere::clone(input).await,
        "vsphere.power_on" => vsphere::power_on(input).await,
        "vsphere.power_off" => vsphere::power_off(input).await,
        "vsphere.delete" => vsphere::delete(input).await,
        "sccm.register" => sccm::register(input).await,
        "sccm.add_to_collection" => sccm::add_to_collection(input).await,
        "sccm.remove" => sccm::remove(input).await,
        other => Err(StepError::fail(format!("there is no module {other}"))),
    }
}

/// Returns the HTTP client modules share: no redirects to other hosts, a connect timeout, and the
/// step's own timeout on each request.
pub fn http_client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ipsolis/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client builds")
    })
}

/// Reads at most `max` bytes of a response body, so an endless body cannot fill memory.
/// Returns the text read and whether the body was cut.
pub async fn read_body(
    mut response: reqwest::Response,
    max: usize,
) -> Result<(String, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = max.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= max {
            return Ok((String::from_utf8_lossy(&body).into_owned(), true));
        }
    }
    Ok((String::from_utf8_lossy(&body).into_owned(), false))
}

/// Returns whether `status` matches an expectation such as `200`, `2xx` or `200,204`.
pub fn status_matches(expect: &str, status: u16) -> Result<bool, StepError> {
    for part in expect.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let lower = part.to_ascii_lowercase();
        if let Some(class) = lower.strip_suffix("xx") {
            let class: u16 = class
                .parse()
                .map_err(|_| StepError::fail(format!("{part:?} is not a status or class")))?;
            if status / 100 == class {
                return Ok(true);
            }
        } else {
            let wanted: u16 = lower
                .parse()
                .map_err(|_| StepError::fail(format!("{part:?} is not a status or class")))?;
            if status == wanted {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::status_matches;

    #[test]
    fn status_expectations() {
        assert!(status_matches("2xx", 204).unwrap());
        assert!(!status_matches("2xx", 404).unwrap());
        assert!(status_matches("200, 404", 404).unwrap());
        assert!(status_matches("x", 200).is_err());
    }
}
