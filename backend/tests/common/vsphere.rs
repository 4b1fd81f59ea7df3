//! A fake vCenter on 127.0.0.1 that speaks the vSphere Automation REST API (`/api`). Sessions
//! are created with Basic authentication and checked on every request through the
//! `vmware-api-session-id` header. It keeps VMs with power states and templates that the API
//! neither lists nor clones, and reports errors as `{"error_type", "messages"}`. It counts
//! calls per operation and can fail the next requests on demand.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use super::CallLog;

pub const USERNAME: &str = "automation@vsphere.local";
pub const PASSWORD: &str = "vc-Secret-Pass-2";
const SESSION_HEADER: &str = "vmware-api-session-id";

#[derive(Debug, Clone)]
pub struct Vm {
    pub name: String,
    pub power_state: String,
    pub folder: String,
    pub template: bool,
}

#[derive(Default)]
struct Center {
    vms: BTreeMap<String, Vm>,
    sessions: HashSet<String>,
    issued_sessions: Vec<String>,
    calls: CallLog,
    next_id: u32,
}

pub struct FakeVsphere {
    /// The vCenter URL, to pass as the `url` parameter.
    pub url: String,
    center: Arc<Mutex<Center>>,
}

impl FakeVsphere {
    pub async fn start() -> FakeVsphere {
        let center = Arc::new(Mutex::new(Center {
            next_id: 1000,
            ..Center::default()
        }));
        let app = Router::new().fallback(receive).with_state(center.clone());
        let address = super::serve_fake(app).await;
        FakeVsphere {
            url: format!("http://{address}"),
            center,
        }
    }

    fn insert(&self, vm: Vm) -> String {
        let mut center = self.center.lock().unwrap();
        center.next_id += 1;
        let id = format!("vm-{}", center.next_id);
        center.vms.insert(id.clone(), vm);
        id
    }

    /// Adds a VM in the folder `group-v3`; returns its identifier.
    pub fn add_vm(&self, name: &str, power_state: &str) -> String {
        self.insert(Vm {
            name: name.to_string(),
            power_state: power_state.to_string(),
            folder: "group-v3".to_string(),
            template: false,
        })
    }

    /// Adds a VM marked as a template; returns its identifier.
    pub fn add_template(&self, name: &str) -> String {
        self.insert(Vm {
            name: name.to_string(),
            power_state: "POWERED_OFF".to_string(),
            folder: "group-v3".to_string(),
            template: true,
        })
    }

    pub fn vm(&self, id: &str) -> Option<Vm> {
        self.center.lock().unwrap().vms.get(id).cloned()
    }

    /// Lists the identifiers of the VMs named `name`.
    pub fn named(&self, name: &str) -> Vec<String> {
        let center = self.center.lock().unwrap();
        center
            .vms
            .iter()
            .filter(|(_, vm)| vm.name == name)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Counts the calls of an operation, such as `POST /api/vcenter/vm?action=clone` or
    /// `DELETE /api/vcenter/vm/{vm}`.
    pub fn calls(&self, operation: &str) -> usize {
        self.center.lock().unwrap().calls.count(operation)
    }

    /// Calls that change something: every POST and DELETE but the session's own.
    pub fn changes(&self) -> usize {
        let center = self.center.lock().unwrap();
        center
            .calls
            .sum(|op| !op.starts_with("GET") && !op.ends_with("/api/session"))
    }

    pub fn open_sessions(&self) -> usize {
        self.center.lock().unwrap().sessions.len()
    }

    pub fn issued_sessions(&self) -> Vec<String> {
        self.center.lock().unwrap().issued_sessions.clone()
    }

    /// Fails the next `count` requests with `status` and an empty body.
    pub fn fail_next(&self, count: usize, status: u16) {
        self.center.lock().unwrap().calls.fail_next(count, status);
    }
}

fn error(status: StatusCode, error_type: &str, message: &str) -> Response {
    let body = json!({
        "error_type": error_type,
        "messages": [{ "args": [], "default_message": message, "id": "vapi.fake" }],
    });
    (status, axum::Json(body)).into_response()
}

fn not_found(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("Virtual machine with identifier '{id}' does not exist."),
    )
}

fn unauthenticated() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
        "Authentication required.",
    )
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// Names the operation a request is counted under, by its route template.
fn operation(method: &Method, segments: &[&str], action: Option<&str>) -> String {
    let template = match segments {
        ["api", "vcenter", "vm", _] => "/api/vcenter/vm/{vm}".to_string(),
        ["api", "vcenter", "vm", _, "power"] => "/api/vcenter/vm/{vm}/power".to_string(),
        other => format!("/{}", other.join("/")),
    };
    match action {
        Some(action) => format!("{method} {template}?action={action}"),
        None => format!("{method} {template}"),
    }
}

async fn receive(State(center): State<Arc<Mutex<Center>>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query: Vec<(String, String)> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let headers = request.headers().clone();
    let bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let action = query
        .iter()
        .find(|(key, _)| key == "action")
        .map(|(_, value)| value.as_str());

    let mut center = center.lock().unwrap();
    if let Some(status) = center.calls.record(&operation(&method, &segments, action)) {
        return status.into_response();
    }

    if segments == ["api", "session"] && method == Method::POST {
        return match basic_credentials(&headers) {
            Some((user, password)) if user == USERNAME && password == PASSWORD => {
                let id = uuid::Uuid::now_v7().simple().to_string();
                center.sessions.insert(id.clone());
                center.issued_sessions.push(id.clone());
                (StatusCode::CREATED, axum::Json(json!(id))).into_response()
            }
            _ => unauthenticated(),
        };
    }
    let session = headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !center.sessions.contains(&session) {
        return unauthenticated();
    }
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    match (method.clone(), segments.as_slice()) {
        (Method::DELETE, ["api", "session"]) => {
            center.sessions.remove(&session);
            StatusCode::NO_CONTENT.into_response()
        }
        (Method::GET, ["api", "vcenter", "vm"]) => {
            let names: Vec<&str> = query
                .iter()
                .filter(|(key, _)| key == "names")
                .map(|(_, value)| value.as_str())
                .collect();
            let listed: Vec<Value> = center
                .vms
                .iter()
                .filter(|(_, vm)| !vm.template)
                .filter(|(_, vm)| names.is_empty() || names.contains(&vm.name.as_str()))
                .map(|(id, vm)| {
                    json!({
                        "vm": id, "name": vm.name, "power_state": vm.power_state,
                        "cpu_count": 2, "memory_size_MiB": 4096,
                    })
                })
                .collect();
            axum::Json(json!(listed)).into_response()
        }
        (Method::POST, ["api", "vcenter", "vm"]) if action == Some("clone") => {
            clone(&mut center, &body)
        }
        (Method::GET, ["api", "vcenter", "vm", id]) => match center.vms.get(*id) {
            Some(vm) if !vm.template => axum::Json(json!({
                "name": vm.name,
                "power_state": vm.power_state,
                "guest_OS": "WINDOWS_11_64",
                "cpu": { "count": 2, "cores_per_socket": 1 },
                "memory": { "size_MiB": 4096 },
            }))
            .into_response(),
            _ => not_found(id),
        },
        (Method::DELETE, ["api", "vcenter", "vm", id]) => match center.vms.get(*id) {
            Some(vm) if vm.power_state == "POWERED_ON" => error(
                StatusCode::BAD_REQUEST,
                "NOT_ALLOWED_IN_CURRENT_STATE",
                "The virtual machine is powered on.",
            ),
            Some(_) => {
                center.vms.remove(*id);
                StatusCode::NO_CONTENT.into_response()
            }
            None => not_found(id),
        },
        (Method::GET, ["api", "vcenter", "vm", id, "power"]) => match center.vms.get(*id) {
            Some(vm) => axum::Json(json!({ "state": vm.power_state })).into_response(),
            None => not_found(id),
        },
        (Method::POST, ["api", "vcenter", "vm", id, "power"]) => {
            let Some(vm) = center.vms.get_mut(*id) else {
                return not_found(id);
            };
            let target = match action {
                Some("start") => "POWERED_ON",
                Some("stop") => "POWERED_OFF",
                _ => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "INVALID_ARGUMENT",
                        "unknown action",
                    );
                }
            };
            if vm.power_state == target {
                return error(
                    StatusCode::BAD_REQUEST,
                    "ALREADY_IN_DESIRED_STATE",
                    "The virtual machine is already in the requested power state.",
                );
            }
            vm.power_state = target.to_string();
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such operation"),
    }
}

/// `POST /api/vcenter/vm?action=clone` with a `VM.CloneSpec` body.
fn clone(center: &mut Center, spec: &Value) -> Response {
    let (Some(source_id), Some(name)) = (spec["source"].as_str(), spec["name"].as_str()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "source and name are required",
        );
    };
    let folder = match &spec["placement"] {
        Value::Null => None,
        placement => match placement["folder"].as_str() {
            Some(folder) if folder.starts_with("group-v") => Some(folder.to_string()),
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_ARGUMENT",
                    "placement.folder is not a VM folder",
                );
            }
        },
    };
    let Some(source) = center.vms.get(source_id).filter(|vm| !vm.template).cloned() else {
        return not_found(source_id);
    };
    let folder = folder.unwrap_or(source.folder);
    let taken = center
        .vms
        .values()
        .any(|vm| vm.name == name && vm.folder == folder);
    if taken {
        return error(
            StatusCode::BAD_REQUEST,
            "ALREADY_EXISTS",
            &format!("A VM named {name} exists in the folder."),
        );
    }
    center.next_id += 1;
    let id = format!("vm-{}", center.next_id);
    let clone = Vm {
        name: name.to_string(),
        power_state: "POWERED_OFF".to_string(),
        folder,
        template: false,
    };
    center.vms.insert(id.clone(), clone);
    axum::Json(json!(id)).into_response()
}
