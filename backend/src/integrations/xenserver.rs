//! A client for the XenServer / XCP-ng management API (XAPI) over JSON-RPC 2.0: each call is a
//! `POST {url}/jsonrpc` with positional parameters, the session reference first. A failed call
//! returns the XAPI error code in `error.message` and its parameters in `error.data`, as the
//! XAPI wire protocol document (xen-api, ocaml/doc/wire-protocol.md) describes.

use super::remote::{Endpoint, LOGOUT_TIMEOUT, RemoteError, RemoteSession};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub const SERVICE: &str = "XenServer";
/// The reference XAPI uses for "no object".
pub const NULL_REF: &str = "OpaqueRef:NULL";
/// The API version sent at login. XAPI accepts any value and replies in its own version.
const API_VERSION: &str = "1.0";
/// Names this product in the host's session list.
const ORIGINATOR: &str = "ipsolis";

/// XAPI error codes that describe a passing condition, so another try may succeed.
const TRANSIENT_CODES: &[&str] = &[
    "OTHER_OPERATION_IN_PROGRESS",
    "SESSION_INVALID",
    "HOST_STILL_BOOTING",
    "HOST_OFFLINE",
    "HOST_NOT_LIVE",
    "HOST_NOT_ENOUGH_FREE_MEMORY",
    "NO_HOSTS_AVAILABLE",
    "TOO_MANY_PENDING_TASKS",
];

/// A VM's power state, as XAPI spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PowerState {
    Halted,
    Paused,
    Running,
    Suspended,
}

impl PowerState {
    pub fn as_str(self) -> &'static str {
        match self {
            PowerState::Halted => "Halted",
            PowerState::Paused => "Paused",
            PowerState::Running => "Running",
            PowerState::Suspended => "Suspended",
        }
    }
}

/// The fields of a VM record the modules read.
#[derive(Debug, Clone, Deserialize)]
pub struct VmRecord {
    pub uuid: String,
    pub name_label: String,
    pub power_state: PowerState,
    pub is_a_template: bool,
    pub is_a_snapshot: bool,
    #[serde(default)]
    pub snapshots: Vec<String>,
    /// When a snapshot was taken, such as `20240131T08:00:00Z`; empty on other VMs.
    #[serde(default)]
    pub snapshot_time: String,
    /// The snapshot the VM was last reverted to or snapshotted into.
    #[serde(default)]
    pub parent: String,
}

impl VmRecord {
    /// Returns whether the record is an ordinary VM rather than a template or a snapshot.
    pub fn is_plain_vm(&self) -> bool {
        !self.is_a_template && !self.is_a_snapshot
    }
}

#[derive(Debug, Deserialize)]
struct VbdRecord {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "VDI")]
    vdi: String,
}

/// A XAPI host or pool master, before login.
pub struct XenClient {
    endpoint: Endpoint,
    http: reqwest::Client,
    timeout: Duration,
    next_id: AtomicU64,
}

impl XenClient {
    /// Creates a client for the pool master at `url`, with `timeout` on each call.
    pub fn new(
        http: reqwest::Client,
        url: &str,
        timeout: Duration,
    ) -> Result<XenClient, RemoteError> {
        Ok(XenClient {
            endpoint: Endpoint::parse(SERVICE, url)?,
            http,
            timeout,
            next_id: AtomicU64::new(1),
        })
    }

    pub fn target(&self) -> String {
        self.endpoint.target()
    }

    /// Logs in with `session.login_with_password`.
    pub async fn login(self, username: &str, password: &str) -> Result<XenSession, RemoteError> {
        let params = vec![
            json!(username),
            json!(password),
            json!(API_VERSION),
            json!(ORIGINATOR),
        ];
        let result = self
            .rpc("session.login_with_password", params, None, self.timeout)
            .await;
        let reference = match result {
            Ok(Value::String(reference)) if !reference.is_empty() => reference,
            Ok(other) => {
                return Err(self.endpoint.malformed(format!(
                    "the login returned {} instead of a session reference",
                    kind_of(&other)
                )));
            }
            Err(error) if error.code() == Some("SESSION_AUTHENTICATION_FAILED") => {
                return Err(self
                    .endpoint
                    .authentication(username, "SESSION_AUTHENTICATION_FAILED"));
            }
            Err(RemoteError::Api { code, detail, .. }) if code == "HOST_IS_SLAVE" => {
                return Err(self.endpoint.api(
                    &code,
                    format!("this host is a pool member; set the URL to the pool master {detail}"),
                    false,
                ));
            }
            Err(error) => return Err(error),
        };
        Ok(XenSession {
            client: self,
            reference,
        })
    }

    /// Sends one JSON-RPC call. `session` is the reference to hide should XAPI echo it in an
    /// error, as it does for `SESSION_INVALID`.
    async fn rpc(
        &self,
        method: &str,
        params: Vec<Value>,
        session: Option<&str>,
        timeout: Duration,
    ) -> Result<Value, RemoteError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = request_body(method, params, id);
        let request = self.http.post(self.endpoint.url(&["jsonrpc"])).json(&body);
        let response = self.endpoint.send(request, timeout).await?;
        let status = response.status();
        let text = self.endpoint.text(response, timeout).await?;
        let text = match session {
            Some(reference) => text.replace(reference, "(session)"),
            None => text,
        };
        if !status.is_success() {
            return Err(self.endpoint.status_error(status.as_u16(), &text));
        }
        let mut answer: Value = serde_json::from_str(&text)
            .map_err(|e| self.endpoint.malformed(format!("{method}: not JSON ({e})")))?;
        if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
            return Err(self.failure(method, error));
        }
        match answer.get_mut("result") {
            Some(result) => Ok(result.take()),
            None => Err(self.endpoint.malformed(format!("{method}: no result"))),
        }
    }

    /// Reads a JSON-RPC error: the code in `message` and its parameters in `data`. A code at
    /// the head of `data`, as XML-RPC's ErrorDescription puts it, is read too.
    fn failure(&self, method: &str, error: &Value) -> RemoteError {
        let mut data: Vec<String> = error["data"]
            .as_array()
            .map(|items| items.iter().map(display_value).collect())
            .unwrap_or_default();
        let message = error["message"].as_str().unwrap_or_default();
        let code = if is_error_code(message) {
            message.to_string()
        } else if data.first().is_some_and(|first| is_error_code(first)) {
            data.remove(0)
        } else {
            "UNKNOWN_ERROR".to_string()
        };
        let retryable = TRANSIENT_CODES.contains(&code.as_str());
        let detail = format!("{method} failed with [{}]", data.join(", "));
        self.endpoint.api(&code, detail, retryable)
    }
}

/// A logged-in XAPI session. Object references it returns are valid only within it.
pub struct XenSession {
    client: XenClient,
    reference: String,
}

impl XenSession {
    async fn call(&self, method: &str, args: Vec<Value>) -> Result<Value, RemoteError> {
        let mut params = Vec::with_capacity(args.len() + 1);
        params.push(json!(self.reference));
        params.extend(args);
        self.client
            .rpc(method, params, Some(&self.reference), self.client.timeout)
            .await
    }

    async fn call_as<T: DeserializeOwned>(
        &self,
        method: &str,
        args: Vec<Value>,
    ) -> Result<T, RemoteError> {
        let value = self.call(method, args).await?;
        serde_json::from_value(value).map_err(|e| {
            self.client
                .endpoint
                .malformed(format!("{method} returned an unexpected value ({e})"))
        })
    }

    pub fn target(&self) -> String {
        self.client.target()
    }

    /// Lists every VM, template and snapshot with the name label `name`, with its record.
    pub async fn vms_named(&self, name: &str) -> Result<Vec<(String, VmRecord)>, RemoteError> {
        let references: Vec<String> = self
            .call_as("VM.get_by_name_label", vec![json!(name)])
            .await?;
        let mut found = Vec::with_capacity(references.len());
        for reference in references {
            // A VM destroyed between the two calls is simply not there.
            if let Some(record) = self.vm_record(&reference).await? {
                found.push((reference, record));
            }
        }
        Ok(found)
    }

    /// Looks up the VM with `uuid` and its record; `None` when no VM has it.
    pub async fn vm_by_uuid(&self, uuid: &str) -> Result<Option<(String, VmRecord)>, RemoteError> {
        let reference: String = match self.call_as("VM.get_by_uuid", vec![json!(uuid)]).await {
            Ok(reference) => reference,
            Err(error) if error.code() == Some("UUID_INVALID") => return Ok(None),
            Err(error) => return Err(error),
        };
        Ok(self
            .vm_record(&reference)
            .await?
            .map(|record| (reference, record)))
    }

    /// Reads the record of `vm`; `None` when the reference no longer names a VM.
    pub async fn vm_record(&self, vm: &str) -> Result<Option<VmRecord>, RemoteError> {
        match self.call_as("VM.get_record", vec![json!(vm)]).await {
            Ok(record) => Ok(Some(record)),
            Err(error) if error.code() == Some("HANDLE_INVALID") => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Clones `vm` (a halted VM or a template) as `name`; returns the new VM's reference. A
    /// clone of a template is still a template until [`XenSession::provision`].
    pub async fn clone_vm(&self, vm: &str, name: &str) -> Result<String, RemoteError> {
        self.call_as("VM.clone", vec![json!(vm), json!(name)]).await
    }

    /// Creates the disks a template describes and turns the clone into a VM.
    pub async fn provision(&self, vm: &str) -> Result<(), RemoteError> {
        self.call("VM.provision", vec![json!(vm)]).await.map(drop)
    }

    /// Starts a halted VM, not paused and without forcing past the pre-boot checks.
    pub async fn start(&self, vm: &str) -> Result<(), RemoteError> {
        let args = vec![json!(vm), json!(false), json!(false)];
        self.call("VM.start", args).await.map(drop)
    }

    /// Resumes a suspended VM, running and without forcing.
    pub async fn resume(&self, vm: &str) -> Result<(), RemoteError> {
        let args = vec![json!(vm), json!(false), json!(false)];
        self.call("VM.resume", args).await.map(drop)
    }

    pub async fn unpause(&self, vm: &str) -> Result<(), RemoteError> {
        self.call("VM.unpause", vec![json!(vm)]).await.map(drop)
    }

    /// Asks the guest to shut down; needs the guest agent.
    pub async fn clean_shutdown(&self, vm: &str) -> Result<(), RemoteError> {
        self.call("VM.clean_shutdown", vec![json!(vm)])
            .await
            .map(drop)
    }

    /// Stops the VM at once, like pulling the plug.
    pub async fn hard_shutdown(&self, vm: &str) -> Result<(), RemoteError> {
        self.call("VM.hard_shutdown", vec![json!(vm)])
            .await
            .map(drop)
    }

    pub async fn power_state(&self, vm: &str) -> Result<PowerState, RemoteError> {
        self.call_as("VM.get_power_state", vec![json!(vm)]).await
    }

    /// Lists the snapshots of `vm` with their records.
    pub async fn snapshots(&self, vm: &str) -> Result<Vec<(String, VmRecord)>, RemoteError> {
        let references: Vec<String> = self.call_as("VM.get_snapshots", vec![json!(vm)]).await?;
        let mut found = Vec::with_capacity(references.len());
        for reference in references {
            if let Some(record) = self.vm_record(&reference).await? {
                found.push((reference, record));
            }
        }
        Ok(found)
    }

    /// Reverts the VM that `snapshot` was taken of to that snapshot.
    pub async fn revert(&self, snapshot: &str) -> Result<(), RemoteError> {
        self.call("VM.revert", vec![json!(snapshot)])
            .await
            .map(drop)
    }

    /// Destroys a halted VM's record and its VBDs; its VDIs stay (see [`XenSession::disks`]).
    pub async fn destroy(&self, vm: &str) -> Result<(), RemoteError> {
        self.call("VM.destroy", vec![json!(vm)]).await.map(drop)
    }

    /// Lists the VDIs attached to `vm` as disks (not CD drives).
    pub async fn disks(&self, vm: &str) -> Result<Vec<String>, RemoteError> {
        let vbds: Vec<String> = self.call_as("VM.get_VBDs", vec![json!(vm)]).await?;
        let mut vdis = Vec::new();
        for vbd in vbds {
            let record: VbdRecord = self.call_as("VBD.get_record", vec![json!(vbd)]).await?;
            if record.kind == "Disk" && record.vdi != NULL_REF {
                vdis.push(record.vdi);
            }
        }
        Ok(vdis)
    }

    /// Returns whether any VM still has `vdi` attached.
    pub async fn vdi_in_use(&self, vdi: &str) -> Result<bool, RemoteError> {
        let vbds: Vec<String> = self.call_as("VDI.get_VBDs", vec![json!(vdi)]).await?;
        Ok(!vbds.is_empty())
    }

    pub async fn destroy_vdi(&self, vdi: &str) -> Result<(), RemoteError> {
        self.call("VDI.destroy", vec![json!(vdi)]).await.map(drop)
    }
}

impl RemoteSession for XenSession {
    async fn close(self) -> Result<(), RemoteError> {
        let params = vec![json!(self.reference)];
        self.client
            .rpc(
                "session.logout",
                params,
                Some(&self.reference),
                LOGOUT_TIMEOUT,
            )
            .await
            .map(drop)
    }
}

/// Builds a JSON-RPC 2.0 call. XAPI takes no notifications, so `id` is always set.
fn request_body(method: &str, params: Vec<Value>, id: u64) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params, "id": id })
}

/// Returns whether `text` looks like a XAPI error code, such as `VM_BAD_POWER_STATE`.
fn is_error_code(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "an empty string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> XenClient {
        XenClient::new(
            reqwest::Client::new(),
            "https://xen.example.com",
            Duration::from_secs(5),
        )
        .unwrap()
    }

    #[test]
    fn failure_reads_the_code_from_message() {
        let error = json!({
            "code": 1,
            "message": "VM_BAD_POWER_STATE",
            "data": ["OpaqueRef:1", "halted", "running"]
        });
        let error = client().failure("VM.start", &error);
        assert_eq!(error.code(), Some("VM_BAD_POWER_STATE"));
        assert!(!error.is_retryable());
        let text = error.to_string();
        assert!(text.contains("[OpaqueRef:1, halted, running]"), "{text}");
        assert!(
            text.contains("XenServer at https://xen.example.com"),
            "{text}"
        );
    }

    #[test]
    fn failure_reads_the_code_from_data() {
        let error = json!({
            "code": 1,
            "message": "Server error",
            "data": ["OTHER_OPERATION_IN_PROGRESS", "VM", "OpaqueRef:1"]
        });
        let error = client().failure("VM.clone", &error);
        assert_eq!(error.code(), Some("OTHER_OPERATION_IN_PROGRESS"));
        assert!(error.is_retryable());
    }

    #[test]
    fn records_parse() {
        let record: VmRecord = serde_json::from_value(json!({
            "uuid": "u1", "name_label": "vdi-1", "power_state": "Running",
            "is_a_template": false, "is_a_snapshot": false, "snapshots": ["OpaqueRef:2"],
            "snapshot_time": "19700101T00:00:00Z", "parent": "OpaqueRef:NULL",
            "memory_static_max": "4294967296"
        }))
        .unwrap();
        assert_eq!(record.power_state, PowerState::Running);
        assert!(record.is_plain_vm());
        assert_eq!(record.snapshots, ["OpaqueRef:2"]);
    }

    #[test]
    fn requests_are_json_rpc_2() {
        let body = request_body("VM.start", vec![json!("OpaqueRef:s"), json!(false)], 7);
        assert_eq!(
            body,
            json!({
                "jsonrpc": "2.0",
                "method": "VM.start",
                "params": ["OpaqueRef:s", false],
                "id": 7
            })
        );
    }

    #[test]
    fn error_codes() {
        assert!(is_error_code("UUID_INVALID"));
        assert!(!is_error_code("Server error"));
        assert!(!is_error_code(""));
    }
}
