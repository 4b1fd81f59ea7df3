//! A fake XenServer / XCP-ng pool master on 127.0.0.1 that speaks XAPI over JSON-RPC 2.0 at
//! `/jsonrpc`. It checks the session on every call and keeps VMs, templates and snapshots with
//! their power states and disks (VBDs and VDIs). It enforces the power-state rules of the real
//! calls and reports failures as XAPI does, with the code in `error.message` and its parameters
//! in `error.data`. It counts calls per method and can fail the next calls with an HTTP status.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use super::CallLog;

pub const USERNAME: &str = "root";
pub const PASSWORD: &str = "xen-Secret-Pass-1";
const NULL_REF: &str = "OpaqueRef:NULL";

/// A VM, template or snapshot as the fake stores it.
#[derive(Debug, Clone)]
pub struct Vm {
    pub reference: String,
    pub uuid: String,
    pub name_label: String,
    pub power_state: String,
    pub is_a_template: bool,
    pub is_a_snapshot: bool,
    pub snapshot_of: String,
    pub snapshot_time: String,
    pub parent: String,
    /// A template's disk description, which `VM.provision` turns into a disk.
    pub disks_to_provision: bool,
    pub vbds: Vec<String>,
}

#[derive(Debug, Clone)]
struct Vbd {
    kind: &'static str,
    vdi: String,
}

/// An XAPI failure: the code and its parameters.
type Failure = (&'static str, Vec<String>);

#[derive(Default)]
struct Pool {
    vms: BTreeMap<String, Vm>,
    vbds: BTreeMap<String, Vbd>,
    /// Each VDI with the VBDs that attach it.
    vdis: BTreeMap<String, Vec<String>>,
    sessions: HashSet<String>,
    issued_sessions: Vec<String>,
    calls: CallLog,
    /// Delays before the next calls are handled, one entry a call.
    stalls: VecDeque<std::time::Duration>,
    /// A method whose next call finds its session expired.
    expire_on: Option<String>,
}

pub struct FakeXapi {
    /// The pool master's URL, to pass as the `url` parameter.
    pub url: String,
    pool: Arc<Mutex<Pool>>,
}

fn reference() -> String {
    format!("OpaqueRef:{}", uuid::Uuid::now_v7())
}

impl FakeXapi {
    pub async fn start() -> FakeXapi {
        let pool: Arc<Mutex<Pool>> = Arc::default();
        let app = Router::new().fallback(receive).with_state(pool.clone());
        let address = super::serve_fake(app).await;
        FakeXapi {
            url: format!("http://{address}"),
            pool,
        }
    }

    fn insert(&self, vm: Vm) -> String {
        let uuid = vm.uuid.clone();
        self.pool
            .lock()
            .unwrap()
            .vms
            .insert(vm.reference.clone(), vm);
        uuid
    }

    fn blank(name: &str, power_state: &str) -> Vm {
        Vm {
            reference: reference(),
            uuid: uuid::Uuid::now_v7().to_string(),
            name_label: name.to_string(),
            power_state: power_state.to_string(),
            is_a_template: false,
            is_a_snapshot: false,
            snapshot_of: NULL_REF.to_string(),
            snapshot_time: "19700101T00:00:00Z".to_string(),
            parent: NULL_REF.to_string(),
            disks_to_provision: false,
            vbds: Vec::new(),
        }
    }

    /// Adds a template whose disk is created when a clone of it is provisioned; returns its
    /// UUID.
    pub fn add_template(&self, name: &str) -> String {
        let mut template = Self::blank(name, "Halted");
        template.is_a_template = true;
        template.disks_to_provision = true;
        self.insert(template)
    }

    /// Adds a VM with one disk and a CD drive; returns its UUID.
    pub fn add_vm(&self, name: &str, power_state: &str) -> String {
        let vm = Self::blank(name, power_state);
        let reference = vm.reference.clone();
        let uuid = self.insert(vm);
        let mut pool = self.pool.lock().unwrap();
        attach_disk(&mut pool, &reference);
        attach_cd_drive(&mut pool, &reference);
        uuid
    }

    /// Adds a snapshot of the VM `vm_uuid` taken at `time` (such as `20240131T08:00:00Z`);
    /// returns its UUID.
    pub fn add_snapshot(&self, vm_uuid: &str, name: &str, time: &str) -> String {
        let vm_ref = self.vm(vm_uuid).expect("the VM exists").reference;
        let mut snapshot = Self::blank(name, "Halted");
        snapshot.is_a_snapshot = true;
        snapshot.snapshot_of = vm_ref;
        snapshot.snapshot_time = time.to_string();
        self.insert(snapshot)
    }

    pub fn vm(&self, uuid: &str) -> Option<Vm> {
        let pool = self.pool.lock().unwrap();
        pool.vms.values().find(|vm| vm.uuid == uuid).cloned()
    }

    /// Lists every VM, template and snapshot with the name label.
    pub fn named(&self, name: &str) -> Vec<Vm> {
        let pool = self.pool.lock().unwrap();
        pool.vms
            .values()
            .filter(|vm| vm.name_label == name)
            .cloned()
            .collect()
    }

    pub fn set_power_state(&self, uuid: &str, power_state: &str) {
        let mut pool = self.pool.lock().unwrap();
        let vm = pool.vms.values_mut().find(|vm| vm.uuid == uuid).unwrap();
        vm.power_state = power_state.to_string();
    }

    /// Counts the calls of `method`, such as `VM.start`.
    pub fn calls(&self, method: &str) -> usize {
        self.pool.lock().unwrap().calls.count(method)
    }

    /// Calls of every method but logins, logouts and reads (`get_*`): the changes.
    pub fn changes(&self) -> usize {
        let pool = self.pool.lock().unwrap();
        pool.calls
            .sum(|method| !method.starts_with("session.") && !method.contains(".get_"))
    }

    pub fn open_sessions(&self) -> usize {
        self.pool.lock().unwrap().sessions.len()
    }

    /// Lists every session reference the fake has issued.
    pub fn issued_sessions(&self) -> Vec<String> {
        self.pool.lock().unwrap().issued_sessions.clone()
    }

    pub fn vdi_count(&self) -> usize {
        self.pool.lock().unwrap().vdis.len()
    }

    /// Makes the next request wait `delay` before it is handled.
    pub fn stall_next(&self, delay: std::time::Duration) {
        self.pool.lock().unwrap().stalls.push_back(delay);
    }

    /// Ends the session as the next call of `method` arrives, as when the host restarts or
    /// an admin logs the user out.
    pub fn expire_session_on(&self, method: &str) {
        self.pool.lock().unwrap().expire_on = Some(method.to_string());
    }

    /// Fails the next `count` requests with `status` and no JSON-RPC body.
    pub fn fail_next(&self, count: usize, status: u16) {
        self.pool.lock().unwrap().calls.fail_next(count, status);
    }
}

/// Attaches an empty CD drive to `vm`, which a destroy must not take for a disk.
fn attach_cd_drive(pool: &mut Pool, vm: &str) {
    let vbd = reference();
    let drive = Vbd {
        kind: "CD",
        vdi: NULL_REF.to_string(),
    };
    pool.vbds.insert(vbd.clone(), drive);
    pool.vms.get_mut(vm).unwrap().vbds.push(vbd);
}

/// Creates a VDI and attaches it to `vm` as a disk.
fn attach_disk(pool: &mut Pool, vm: &str) {
    let vdi = reference();
    let vbd = reference();
    pool.vdis.insert(vdi.clone(), vec![vbd.clone()]);
    pool.vbds.insert(vbd.clone(), Vbd { kind: "Disk", vdi });
    pool.vms.get_mut(vm).unwrap().vbds.push(vbd);
}

async fn receive(
    State(pool): State<Arc<Mutex<Pool>>>,
    request: axum::extract::Request,
) -> Response {
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    let bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_else(|_| Bytes::new());
    if method != axum::http::Method::POST || path != "/jsonrpc" {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }

    let Ok(body) = serde_json::from_slice::<Value>(&bytes) else {
        return (StatusCode::BAD_REQUEST, "the body is not JSON").into_response();
    };
    let id = body["id"].clone();
    let name = body["method"].as_str().unwrap_or_default().to_string();
    let params = body["params"].as_array().cloned();
    if body["jsonrpc"] != "2.0" || id.is_null() || name.is_empty() || params.is_none() {
        return (StatusCode::BAD_REQUEST, "not a JSON-RPC 2.0 call").into_response();
    }

    let stall = pool.lock().unwrap().stalls.pop_front();
    if let Some(delay) = stall {
        tokio::time::sleep(delay).await;
    }
    let mut pool = pool.lock().unwrap();
    let failure = pool.calls.record(&name);
    if pool.expire_on.as_deref() == Some(name.as_str()) {
        pool.expire_on = None;
        pool.sessions.clear();
    }
    if let Some(status) = failure {
        return (status, "the fake host is failing on purpose").into_response();
    }

    let params = params.unwrap_or_default();
    let answer = match call(&mut pool, &name, &params) {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": id }),
        Err((code, data)) => json!({
            "jsonrpc": "2.0",
            "error": { "code": 1, "message": code, "data": data },
            "id": id,
        }),
    };
    axum::Json(answer).into_response()
}

fn text(params: &[Value], index: usize) -> String {
    params
        .get(index)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn expect_count(method: &str, params: &[Value], count: usize) -> Result<(), Failure> {
    if params.len() == count {
        return Ok(());
    }
    Err((
        "MESSAGE_PARAMETER_COUNT_MISMATCH",
        vec![method.into(), count.to_string(), params.len().to_string()],
    ))
}

fn bad_power(vm: &str, expected: &str, actual: &str) -> Failure {
    (
        "VM_BAD_POWER_STATE",
        vec![vm.into(), expected.into(), actual.to_lowercase()],
    )
}

fn record(vm: &Vm, pool: &Pool) -> Value {
    let snapshots: Vec<&String> = pool
        .vms
        .values()
        .filter(|s| s.is_a_snapshot && s.snapshot_of == vm.reference)
        .map(|s| &s.reference)
        .collect();
    json!({
        "uuid": vm.uuid,
        "name_label": vm.name_label,
        "power_state": vm.power_state,
        "is_a_template": vm.is_a_template,
        "is_a_snapshot": vm.is_a_snapshot,
        "snapshot_of": vm.snapshot_of,
        "snapshot_time": vm.snapshot_time,
        "snapshots": snapshots,
        "parent": vm.parent,
        "VBDs": vm.vbds,
        "memory_static_max": "4294967296",
        "other_config": {},
    })
}

/// Runs one call. Every method but the login takes a live session first.
fn call(pool: &mut Pool, method: &str, params: &[Value]) -> Result<Value, Failure> {
    if method == "session.login_with_password" {
        if params.len() < 2 || params.len() > 4 {
            return Err((
                "MESSAGE_PARAMETER_COUNT_MISMATCH",
                vec![method.into(), "4".into(), params.len().to_string()],
            ));
        }
        if text(params, 0) != USERNAME || text(params, 1) != PASSWORD {
            return Err((
                "SESSION_AUTHENTICATION_FAILED",
                vec![text(params, 0), "Authentication failure".into()],
            ));
        }
        let session = reference();
        pool.sessions.insert(session.clone());
        pool.issued_sessions.push(session.clone());
        return Ok(json!(session));
    }
    let session = text(params, 0);
    if !pool.sessions.contains(&session) {
        return Err(("SESSION_INVALID", vec![session]));
    }
    let vm_ref = text(params, 1);
    let handle_invalid = || ("HANDLE_INVALID", vec!["VM".to_string(), vm_ref.clone()]);
    match method {
        "session.logout" => {
            expect_count(method, params, 1)?;
            pool.sessions.remove(&session);
            Ok(json!(""))
        }
        "VM.get_by_name_label" => {
            expect_count(method, params, 2)?;
            let found: Vec<&String> = pool
                .vms
                .values()
                .filter(|vm| vm.name_label == vm_ref)
                .map(|vm| &vm.reference)
                .collect();
            Ok(json!(found))
        }
        "VM.get_by_uuid" => {
            expect_count(method, params, 2)?;
            pool.vms
                .values()
                .find(|vm| vm.uuid == vm_ref)
                .map(|vm| json!(vm.reference))
                .ok_or(("UUID_INVALID", vec!["VM".into(), vm_ref.clone()]))
        }
        "VM.get_record" => {
            expect_count(method, params, 2)?;
            let vm = pool.vms.get(&vm_ref).ok_or_else(handle_invalid)?;
            Ok(record(vm, pool))
        }
        "VM.get_power_state" => {
            expect_count(method, params, 2)?;
            let vm = pool.vms.get(&vm_ref).ok_or_else(handle_invalid)?;
            Ok(json!(vm.power_state))
        }
        "VM.get_snapshots" => {
            expect_count(method, params, 2)?;
            let vm = pool.vms.get(&vm_ref).ok_or_else(handle_invalid)?;
            Ok(record(vm, pool)["snapshots"].clone())
        }
        "VM.get_VBDs" => {
            expect_count(method, params, 2)?;
            let vm = pool.vms.get(&vm_ref).ok_or_else(handle_invalid)?;
            Ok(json!(vm.vbds))
        }
        "VBD.get_record" => {
            expect_count(method, params, 2)?;
            let vbd = pool
                .vbds
                .get(&vm_ref)
                .ok_or(("HANDLE_INVALID", vec!["VBD".into(), vm_ref.clone()]))?;
            Ok(json!({ "type": vbd.kind, "VDI": vbd.vdi, "mode": "RW" }))
        }
        "VDI.get_VBDs" => {
            expect_count(method, params, 2)?;
            pool.vdis
                .get(&vm_ref)
                .map(|vbds| json!(vbds))
                .ok_or(("HANDLE_INVALID", vec!["VDI".into(), vm_ref.clone()]))
        }
        "VDI.destroy" => {
            expect_count(method, params, 2)?;
            match pool.vdis.get(&vm_ref) {
                None => Err(("HANDLE_INVALID", vec!["VDI".into(), vm_ref.clone()])),
                Some(vbds) if !vbds.is_empty() => {
                    Err(("VDI_IN_USE", vec![vm_ref.clone(), "destroy".into()]))
                }
                Some(_) => {
                    pool.vdis.remove(&vm_ref);
                    Ok(json!(""))
                }
            }
        }
        "VM.clone" => {
            expect_count(method, params, 3)?;
            let source = pool.vms.get(&vm_ref).ok_or_else(handle_invalid)?.clone();
            if source.power_state != "Halted" {
                return Err(bad_power(&vm_ref, "halted", &source.power_state));
            }
            let mut clone = FakeXapi::blank(&text(params, 2), "Halted");
            clone.is_a_template = source.is_a_template;
            clone.disks_to_provision = source.disks_to_provision;
            let new_ref = clone.reference.clone();
            pool.vms.insert(new_ref.clone(), clone);
            let disks = source
                .vbds
                .iter()
                .filter(|vbd| pool.vbds.get(*vbd).is_some_and(|v| v.kind == "Disk"))
                .count();
            for _ in 0..disks {
                attach_disk(pool, &new_ref);
            }
            Ok(json!(new_ref))
        }
        "VM.provision" => {
            expect_count(method, params, 2)?;
            let pending = {
                let vm = pool.vms.get_mut(&vm_ref).ok_or_else(handle_invalid)?;
                vm.is_a_template = false;
                std::mem::take(&mut vm.disks_to_provision)
            };
            if pending {
                attach_disk(pool, &vm_ref);
            }
            Ok(json!(""))
        }
        "VM.start" | "VM.resume" => {
            expect_count(method, params, 4)?;
            if !params[2].is_boolean() || !params[3].is_boolean() {
                return Err(("FIELD_TYPE_ERROR", vec!["start_paused".into()]));
            }
            let needed = if method == "VM.start" {
                "Halted"
            } else {
                "Suspended"
            };
            let vm = pool.vms.get_mut(&vm_ref).ok_or_else(handle_invalid)?;
            if vm.is_a_template {
                return Err(("VM_IS_TEMPLATE", vec![vm_ref.clone(), "start".into()]));
            }
            if vm.power_state != needed {
                return Err(bad_power(&vm_ref, &needed.to_lowercase(), &vm.power_state));
            }
            vm.power_state = "Running".into();
            Ok(json!(""))
        }
        "VM.unpause" | "VM.clean_shutdown" | "VM.hard_shutdown" => {
            expect_count(method, params, 2)?;
            let vm = pool.vms.get_mut(&vm_ref).ok_or_else(handle_invalid)?;
            let allowed: &[&str] = match method {
                "VM.unpause" => &["Paused"],
                "VM.clean_shutdown" => &["Running"],
                _ => &["Running", "Paused", "Suspended"],
            };
            if !allowed.contains(&vm.power_state.as_str()) {
                return Err(bad_power(
                    &vm_ref,
                    &allowed[0].to_lowercase(),
                    &vm.power_state,
                ));
            }
            vm.power_state = if method == "VM.unpause" {
                "Running"
            } else {
                "Halted"
            }
            .into();
            Ok(json!(""))
        }
        "VM.revert" => {
            expect_count(method, params, 2)?;
            let snapshot = pool.vms.get(&vm_ref).ok_or_else(handle_invalid)?.clone();
            if !snapshot.is_a_snapshot {
                return Err((
                    "VM_REVERT_FAILED",
                    vec![vm_ref.clone(), "not a snapshot".into()],
                ));
            }
            let vm = pool.vms.get_mut(&snapshot.snapshot_of).ok_or((
                "HANDLE_INVALID",
                vec!["VM".into(), snapshot.snapshot_of.clone()],
            ))?;
            // Like XAPI, a revert stops a running VM and takes the snapshot's power state.
            vm.power_state = snapshot.power_state.clone();
            vm.parent = snapshot.reference.clone();
            Ok(json!(""))
        }
        "VM.destroy" => {
            expect_count(method, params, 2)?;
            let vm = pool.vms.get(&vm_ref).ok_or_else(handle_invalid)?.clone();
            if vm.power_state != "Halted" {
                return Err(bad_power(&vm_ref, "halted", &vm.power_state));
            }
            for vbd in &vm.vbds {
                if let Some(removed) = pool.vbds.remove(vbd)
                    && let Some(users) = pool.vdis.get_mut(&removed.vdi)
                {
                    users.retain(|user| user != vbd);
                }
            }
            pool.vms.remove(&vm_ref);
            Ok(json!(""))
        }
        _ => Err(("MESSAGE_METHOD_UNKNOWN", vec![method.to_string()])),
    }
}
