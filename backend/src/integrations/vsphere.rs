//! A client for the vSphere Automation REST API of vCenter 7.0 Update 2 and later (the `/api`
//! paths): a session from `POST /api/session` with Basic authentication, then the session id
//! in the `vmware-api-session-id` header. Errors come as `{"error_type": ..., "messages":
//! [{"default_message": ...}]}`.

use super::remote::{Endpoint, LOGOUT_TIMEOUT, RemoteError, RemoteSession};
use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::time::Duration;

pub const SERVICE: &str = "vSphere";
const SESSION_HEADER: &str = "vmware-api-session-id";

/// Error types that describe a passing condition, so another try may succeed.
const TRANSIENT_TYPES: &[&str] = &[
    "SERVICE_UNAVAILABLE",
    "RESOURCE_BUSY",
    "RESOURCE_INACCESSIBLE",
    "TIMED_OUT",
    "CONCURRENT_CHANGE",
    // Inside a session this means the session expired; the next try logs in again.
    "UNAUTHENTICATED",
];

/// A VM's power state, as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PowerState {
    PoweredOn,
    PoweredOff,
    Suspended,
}

impl PowerState {
    pub fn as_str(self) -> &'static str {
        match self {
            PowerState::PoweredOn => "POWERED_ON",
            PowerState::PoweredOff => "POWERED_OFF",
            PowerState::Suspended => "SUSPENDED",
        }
    }
}

/// A VM in a list: `GET /api/vcenter/vm`.
#[derive(Debug, Clone, Deserialize)]
pub struct VmSummary {
    /// The identifier, such as `vm-123`.
    pub vm: String,
    pub name: String,
    pub power_state: PowerState,
}

/// The fields of `GET /api/vcenter/vm/{vm}` the modules read.
#[derive(Debug, Clone, Deserialize)]
pub struct VmInfo {
    pub name: String,
    pub power_state: PowerState,
}

#[derive(Debug, Deserialize)]
struct PowerInfo {
    state: PowerState,
}

/// A vCenter, before login.
pub struct VsphereClient {
    endpoint: Endpoint,
    http: reqwest::Client,
    timeout: Duration,
}

impl VsphereClient {
    /// Creates a client for the vCenter at `url`, with `timeout` on each request.
    pub fn new(
        http: reqwest::Client,
        url: &str,
        timeout: Duration,
    ) -> Result<VsphereClient, RemoteError> {
        Ok(VsphereClient {
            endpoint: Endpoint::parse(SERVICE, url)?,
            http,
            timeout,
        })
    }

    pub fn target(&self) -> String {
        self.endpoint.target()
    }

    /// Creates a session with Basic authentication.
    pub async fn login(
        self,
        username: &str,
        password: &str,
    ) -> Result<VsphereSession, RemoteError> {
        let request = self
            .http
            .post(self.endpoint.url(&["api", "session"]))
            .basic_auth(username, Some(password));
        let response = self.endpoint.send(request, self.timeout).await?;
        let status = response.status();
        let text = self.endpoint.text(response, self.timeout).await?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(self.endpoint.authentication(username, "HTTP 401"));
        }
        if !status.is_success() {
            return Err(failure(&self.endpoint, status, &text, None));
        }
        let id = match serde_json::from_str::<Value>(&text) {
            Ok(Value::String(id)) if !id.is_empty() => id,
            _ => {
                return Err(self
                    .endpoint
                    .malformed("the new session is not a JSON string"));
            }
        };
        Ok(VsphereSession { client: self, id })
    }
}

/// A logged-in vCenter session.
pub struct VsphereSession {
    client: VsphereClient,
    id: String,
}

impl VsphereSession {
    pub fn target(&self) -> String {
        self.client.target()
    }

    /// Sends a request with the session header and fails on any status but 2xx.
    async fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<(StatusCode, String), RemoteError> {
        let endpoint = &self.client.endpoint;
        let url = endpoint.url_with_query(segments, query);
        let mut request = self
            .client
            .http
            .request(method, url)
            .header(SESSION_HEADER, &self.id);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response: Response = endpoint.send(request, timeout).await?;
        let status = response.status();
        let text = endpoint.text(response, timeout).await?;
        if !status.is_success() {
            return Err(failure(endpoint, status, &text, Some(&self.id)));
        }
        Ok((status, text))
    }

    async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<T, RemoteError> {
        let (_, text) = self
            .send(Method::GET, segments, query, None, self.client.timeout)
            .await?;
        serde_json::from_str(&text).map_err(|e| {
            self.client.endpoint.malformed(format!(
                "GET /{} returned an unexpected body ({e})",
                segments.join("/")
            ))
        })
    }

    /// Lists the VMs named exactly `name`. This API does not list VMs marked as templates.
    pub async fn vms_named(&self, name: &str) -> Result<Vec<VmSummary>, RemoteError> {
        let vms: Vec<VmSummary> = self
            .get(&["api", "vcenter", "vm"], &[("names", name)])
            .await?;
        Ok(vms.into_iter().filter(|vm| vm.name == name).collect())
    }

    /// Reads the VM with identifier `vm`; `None` when there is none.
    pub async fn vm(&self, vm: &str) -> Result<Option<VmInfo>, RemoteError> {
        not_found_as_none(self.get(&["api", "vcenter", "vm", vm], &[]).await)
    }

    /// Clones `source` as `name`, into `folder` or else beside the source; returns the new
    /// VM's identifier.
    pub async fn clone_vm(
        &self,
        source: &str,
        name: &str,
        folder: Option<&str>,
    ) -> Result<String, RemoteError> {
        let body = clone_spec(source, name, folder);
        let (_, text) = self
            .send(
                Method::POST,
                &["api", "vcenter", "vm"],
                &[("action", "clone")],
                Some(&body),
                self.client.timeout,
            )
            .await?;
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::String(id)) if !id.is_empty() => Ok(id),
            _ => Err(self
                .client
                .endpoint
                .malformed("the clone did not return a VM identifier")),
        }
    }

    /// Reads the power state of `vm`; `None` when there is no such VM.
    pub async fn power_state(&self, vm: &str) -> Result<Option<PowerState>, RemoteError> {
        let info: Option<PowerInfo> =
            not_found_as_none(self.get(&["api", "vcenter", "vm", vm, "power"], &[]).await)?;
        Ok(info.map(|info| info.state))
    }

    /// Powers `vm` on; returns false when it already was on.
    pub async fn start(&self, vm: &str) -> Result<bool, RemoteError> {
        self.power(vm, "start").await
    }

    /// Powers `vm` off (not a guest shutdown); returns false when it already was off.
    pub async fn stop(&self, vm: &str) -> Result<bool, RemoteError> {
        self.power(vm, "stop").await
    }

    async fn power(&self, vm: &str, action: &str) -> Result<bool, RemoteError> {
        let result = self
            .send(
                Method::POST,
                &["api", "vcenter", "vm", vm, "power"],
                &[("action", action)],
                None,
                self.client.timeout,
            )
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if error.code() == Some("ALREADY_IN_DESIRED_STATE") => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Deletes a powered-off `vm` with its disks; returns false when it was already gone.
    pub async fn delete(&self, vm: &str) -> Result<bool, RemoteError> {
        let result = self
            .send(
                Method::DELETE,
                &["api", "vcenter", "vm", vm],
                &[],
                None,
                self.client.timeout,
            )
            .await;
        match not_found_as_none(result) {
            Ok(deleted) => Ok(deleted.is_some()),
            Err(error) => Err(error),
        }
    }
}

impl RemoteSession for VsphereSession {
    async fn close(self) -> Result<(), RemoteError> {
        self.send(
            Method::DELETE,
            &["api", "session"],
            &[],
            None,
            LOGOUT_TIMEOUT,
        )
        .await
        .map(drop)
    }
}

/// Builds the body of `POST /api/vcenter/vm?action=clone`.
fn clone_spec(source: &str, name: &str, folder: Option<&str>) -> Value {
    let mut spec = json!({ "source": source, "name": name });
    if let Some(folder) = folder {
        spec["placement"] = json!({ "folder": folder });
    }
    spec
}

/// Reads an error response: its `error_type` and messages, with the session id hidden should
/// the server echo it.
fn failure(
    endpoint: &Endpoint,
    status: StatusCode,
    text: &str,
    session: Option<&str>,
) -> RemoteError {
    let text = match session {
        Some(id) => text.replace(id, "(session)"),
        None => text.to_string(),
    };
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let Some(error_type) = body["error_type"].as_str() else {
        return endpoint.status_error(status.as_u16(), &text);
    };
    let messages: Vec<&str> = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["default_message"].as_str())
        .collect();
    let detail = if messages.is_empty() {
        format!("HTTP {}", status.as_u16())
    } else {
        format!("HTTP {}: {}", status.as_u16(), messages.join(" "))
    };
    let retryable = TRANSIENT_TYPES.contains(&error_type)
        || status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS;
    endpoint.api(error_type, detail, retryable)
}

fn not_found_as_none<T>(result: Result<T, RemoteError>) -> Result<Option<T>, RemoteError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) if error.code() == Some("NOT_FOUND") => Ok(None),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_spec_places_only_when_asked() {
        assert_eq!(
            clone_spec("vm-1", "vdi-a", None),
            json!({ "source": "vm-1", "name": "vdi-a" })
        );
        assert_eq!(
            clone_spec("vm-1", "vdi-a", Some("group-v3")),
            json!({ "source": "vm-1", "name": "vdi-a", "placement": { "folder": "group-v3" } })
        );
    }

    #[test]
    fn failures_read_the_error_type() {
        let endpoint = Endpoint::parse(SERVICE, "https://vc.example.com").unwrap();
        let body = r#"{"error_type":"ALREADY_IN_DESIRED_STATE",
            "messages":[{"id":"x","default_message":"Virtual machine is already powered on.","args":[]}]}"#;
        let error = failure(&endpoint, StatusCode::BAD_REQUEST, body, None);
        assert_eq!(error.code(), Some("ALREADY_IN_DESIRED_STATE"));
        assert!(!error.is_retryable());
        assert!(error.to_string().contains("already powered on"), "{error}");

        let busy = failure(&endpoint, StatusCode::SERVICE_UNAVAILABLE, "{}", None);
        assert_eq!(busy.code(), None);
        assert!(busy.is_retryable());
    }

    #[test]
    fn failures_hide_the_session() {
        let endpoint = Endpoint::parse(SERVICE, "https://vc.example.com").unwrap();
        let body = r#"{"error_type":"UNAUTHENTICATED","messages":[{"default_message":"session abc123 expired"}]}"#;
        let error = failure(&endpoint, StatusCode::UNAUTHORIZED, body, Some("abc123"));
        assert!(!error.to_string().contains("abc123"), "{error}");
        assert!(error.is_retryable());
    }

    #[test]
    fn power_states_parse() {
        let vms: Vec<VmSummary> = serde_json::from_str(
            r#"[{"vm":"vm-7","name":"a","power_state":"POWERED_OFF","cpu_count":2}]"#,
        )
        .unwrap();
        assert_eq!(vms[0].power_state, PowerState::PoweredOff);
    }
}
