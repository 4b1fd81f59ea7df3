//! XenServer / XCP-ng steps over XAPI: clone a template, start, shut down, revert to a snapshot
//! and destroy. Each step logs in, works, reads the VM back and logs out. VMs are named in
//! outputs by UUID, because XAPI references are valid only within one session.

use super::remote::{Connection, in_session, power_result, step_error};
use super::{StepError, StepInput, StepOutput, http_client};
use crate::integrations::remote::RemoteError;
use crate::integrations::xenserver::{PowerState, VmRecord, XenClient, XenSession};
use serde_json::{Value, json};

async fn with_xen<T>(
    input: &StepInput<'_>,
    work: impl AsyncFnOnce(&XenSession) -> Result<T, StepError>,
) -> Result<T, StepError> {
    let connection = Connection::read(input)?;
    let client = XenClient::new(http_client().clone(), &connection.url, input.timeout)
        .map_err(step_error)?;
    input.journal.info(format!(
        "logging in to {} as {}",
        client.target(),
        connection.username
    ));
    let login = client.login(&connection.username, &connection.password);
    in_session(input, &connection, login, work).await
}

/// Returns whether `text` is a UUID in the hyphenated form XAPI uses.
fn is_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::parse_str(text).is_ok()
}

/// Finds the VM named by `vm`, a UUID or a name label. Templates and snapshots are never
/// returned, so no step acts on one by mistake.
async fn find_vm(xen: &XenSession, vm: &str) -> Result<Option<(String, VmRecord)>, StepError> {
    if is_uuid(vm) {
        let found = xen.vm_by_uuid(vm).await.map_err(step_error)?;
        return match found {
            Some((_, record)) if !record.is_plain_vm() => Err(StepError::fail(format!(
                "{vm} is a template or a snapshot, not a VM"
            ))),
            found => Ok(found),
        };
    }
    let mut vms: Vec<_> = xen
        .vms_named(vm)
        .await
        .map_err(step_error)?
        .into_iter()
        .filter(|(_, record)| record.is_plain_vm())
        .collect();
    match vms.len() {
        0 => Ok(None),
        1 => Ok(vms.pop()),
        n => Err(StepError::fail(format!(
            "{n} VMs are named {vm}; give the VM's UUID instead"
        ))),
    }
}

async fn require_vm(xen: &XenSession, vm: &str) -> Result<(String, VmRecord), StepError> {
    find_vm(xen, vm).await?.ok_or_else(|| {
        StepError::fail(format!(
            "{} has no VM named {vm}; check the vm parameter",
            xen.target()
        ))
    })
}

/// Finds the template to clone: by UUID (a template or a halted VM), or by name label among
/// templates.
async fn find_template(xen: &XenSession, template: &str) -> Result<String, StepError> {
    if is_uuid(template) {
        return match xen.vm_by_uuid(template).await.map_err(step_error)? {
            Some((reference, record)) if !record.is_a_snapshot => Ok(reference),
            _ => Err(StepError::fail(format!(
                "{} has no template with the UUID {template}",
                xen.target()
            ))),
        };
    }
    let mut templates: Vec<String> = xen
        .vms_named(template)
        .await
        .map_err(step_error)?
        .into_iter()
        .filter(|(_, record)| record.is_a_template && !record.is_a_snapshot)
        .map(|(reference, _)| reference)
        .collect();
    match templates.len() {
        1 => Ok(templates.remove(0)),
        0 => Err(StepError::fail(format!(
            "{} has no template named {template}; check the template parameter",
            xen.target()
        ))),
        n => Err(StepError::fail(format!(
            "{n} templates are named {template}; give the template's UUID instead"
        ))),
    }
}

fn vm_readback(record: &VmRecord) -> Value {
    json!({
        "uuid": record.uuid,
        "name_label": record.name_label,
        "power_state": record.power_state.as_str(),
        "is_a_template": record.is_a_template,
    })
}

/// `xen.clone`: clones a template into a new VM, or keeps the VM an earlier try made.
pub async fn clone(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let template = input.text("template")?;
    let name = input.text("name")?;
    if name == template {
        return Err(StepError::fail(
            "the new VM name must differ from the template name",
        ));
    }
    with_xen(input, async |xen| {
        let named = xen.vms_named(&name).await.map_err(step_error)?;
        let vms: Vec<&(String, VmRecord)> = named.iter().filter(|(_, r)| r.is_plain_vm()).collect();
        // NOTE: A template with the new VM's name is taken for a clone an earlier try made
        // but could not provision (a clone of a template stays a template until then).
        let unfinished: Vec<&(String, VmRecord)> = named
            .iter()
            .filter(|(_, r)| r.is_a_template && !r.is_a_snapshot)
            .collect();
        let (reference, changed) = match (vms.as_slice(), unfinished.as_slice()) {
            ([(reference, record)], _) => {
                input.journal.info(format!(
                    "the VM {name} ({}) already exists; keeping it",
                    record.uuid
                ));
                (reference.clone(), false)
            }
            ([], [(reference, _)]) => {
                input.journal.info(format!(
                    "finishing the clone {name} that an earlier try left as a template"
                ));
                xen.provision(reference).await.map_err(step_error)?;
                (reference.clone(), true)
            }
            ([], []) => {
                let source = find_template(xen, &template).await?;
                let reference = xen.clone_vm(&source, &name).await.map_err(step_error)?;
                input.journal.info(format!("cloned {template} as {name}"));
                xen.provision(&reference).await.map_err(step_error)?;
                input
                    .journal
                    .info(format!("provisioned the disks of {name}"));
                (reference, true)
            }
            ([], many) => {
                return Err(StepError::fail(format!(
                    "{} templates are named {name}; choose another VM name",
                    many.len()
                )));
            }
            (many, _) => {
                return Err(StepError::fail(format!(
                    "{} VMs are named {name}; rename all but one, or choose another VM name",
                    many.len()
                )));
            }
        };

        let record = xen
            .vm_record(&reference)
            .await
            .map_err(step_error)?
            .ok_or_else(|| StepError::retry(format!("the VM {name} is gone after the clone")))?;
        if !record.is_plain_vm() || record.name_label != name {
            return Err(StepError::retry(format!(
                "the clone {name} does not read back as a VM of that name"
            )));
        }
        Ok(StepOutput::new(
            json!({ "vm": record.uuid, "uuid": record.uuid, "name": name, "changed": changed }),
            vm_readback(&record),
        ))
    })
    .await
}

/// A XAPI call that moves a VM from one power state to another.
#[derive(Debug, Clone, Copy)]
enum Transition {
    Start,
    Unpause,
    Resume,
    CleanShutdown,
    HardShutdown,
}

impl Transition {
    /// Picks the call from `from` to `to` (Running or Halted); `None` when there is nothing
    /// to do.
    fn between(from: PowerState, to: PowerState) -> Option<Transition> {
        match (from, to) {
            (from, to) if from == to => None,
            (PowerState::Halted, _) => Some(Transition::Start),
            (PowerState::Paused, PowerState::Running) => Some(Transition::Unpause),
            (PowerState::Suspended, PowerState::Running) => Some(Transition::Resume),
            (PowerState::Running, _) => Some(Transition::CleanShutdown),
            // A paused or suspended guest cannot shut itself down.
            _ => Some(Transition::HardShutdown),
        }
    }

    fn method(self) -> &'static str {
        match self {
            Transition::Start => "VM.start",
            Transition::Unpause => "VM.unpause",
            Transition::Resume => "VM.resume",
            Transition::CleanShutdown => "VM.clean_shutdown",
            Transition::HardShutdown => "VM.hard_shutdown",
        }
    }

    async fn apply(self, xen: &XenSession, vm: &str) -> Result<(), RemoteError> {
        match self {
            Transition::Start => xen.start(vm).await,
            Transition::Unpause => xen.unpause(vm).await,
            Transition::Resume => xen.resume(vm).await,
            Transition::CleanShutdown => xen.clean_shutdown(vm).await,
            Transition::HardShutdown => xen.hard_shutdown(vm).await,
        }
    }
}

/// Moves a VM to `wanted` (Running or Halted) unless it is there already, then reads the
/// power state back.
async fn set_power(
    input: &StepInput<'_>,
    xen: &XenSession,
    vm: &str,
    wanted: PowerState,
) -> Result<StepOutput, StepError> {
    let (reference, record) = require_vm(xen, vm).await?;
    let before = record.power_state;
    let changed = match Transition::between(before, wanted) {
        None => {
            input
                .journal
                .info(format!("{vm} is already {}", before.as_str()));
            false
        }
        Some(transition) => {
            input.journal.info(format!(
                "{vm} is {}; calling {}",
                before.as_str(),
                transition.method()
            ));
            match transition.apply(xen, &reference).await {
                Ok(()) => true,
                // Another actor changed the power state meanwhile; the read-back decides.
                Err(error) if error.code() == Some("VM_BAD_POWER_STATE") => false,
                Err(error) => return Err(step_error(error)),
            }
        }
    };

    let after = xen.power_state(&reference).await.map_err(step_error)?;
    let readback = json!({
        "uuid": record.uuid,
        "name_label": record.name_label,
        "power_state": after.as_str(),
    });
    power_result(vm, after.as_str(), wanted.as_str(), changed, readback)
}

/// `xen.start`: starts, resumes or unpauses a VM; a running one is left as it is.
pub async fn start(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let vm = input.text("vm")?;
    with_xen(input, async |xen| {
        set_power(input, xen, &vm, PowerState::Running).await
    })
    .await
}

/// `xen.shutdown`: shuts a running VM down cleanly (a paused or suspended one hard); a halted
/// one is left as it is.
pub async fn shutdown(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let vm = input.text("vm")?;
    with_xen(input, async |xen| {
        set_power(input, xen, &vm, PowerState::Halted).await
    })
    .await
}

/// `xen.revert`: reverts a VM to its newest snapshot with the given name label. A re-run
/// reverts again, which lands in the same state.
pub async fn revert(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let vm = input.text("vm")?;
    let snapshot = input.text("snapshot")?;
    with_xen(input, async |xen| {
        let (reference, record) = require_vm(xen, &vm).await?;
        let snapshots = xen.snapshots(&reference).await.map_err(step_error)?;
        let chosen = snapshots
            .iter()
            .filter(|(_, s)| s.name_label == snapshot)
            .max_by(|(_, a), (_, b)| a.snapshot_time.cmp(&b.snapshot_time));
        let Some((snapshot_ref, snapshot_record)) = chosen else {
            let names: Vec<&str> = snapshots.iter().map(|(_, s)| s.name_label.as_str()).collect();
            return Err(StepError::fail(format!(
                "{vm} has no snapshot named {snapshot}; its snapshots are: {}",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            )));
        };
        if record.power_state != PowerState::Halted {
            input.journal.info(format!(
                "{vm} is {}; shutting it down hard before the revert",
                record.power_state.as_str()
            ));
            xen.hard_shutdown(&reference).await.map_err(step_error)?;
        }
        xen.revert(snapshot_ref).await.map_err(step_error)?;
        input.journal.info(format!(
            "reverted {vm} to the snapshot {snapshot} taken {}",
            snapshot_record.snapshot_time
        ));

        let after = xen
            .vm_record(&reference)
            .await
            .map_err(step_error)?
            .ok_or_else(|| StepError::retry(format!("{vm} is gone after the revert")))?;
        // A revert makes the snapshot the VM's parent.
        if after.parent != *snapshot_ref {
            return Err(StepError::retry(format!(
                "{vm} does not read back as reverted to {snapshot}"
            )));
        }
        let mut readback = vm_readback(&after);
        readback["parent_snapshot"] = json!(snapshot_record.uuid);
        Ok(StepOutput::new(
            json!({ "power_state": after.power_state.as_str(), "snapshot": snapshot, "changed": true }),
            readback,
        ))
    })
    .await
}

/// `xen.destroy`: shuts a VM down hard, destroys it and the disks no other VM uses. A VM that
/// is already gone counts as done. Its snapshots are kept.
pub async fn destroy(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let vm = input.text("vm")?;
    with_xen(input, async |xen| {
        let Some((reference, record)) = find_vm(xen, &vm).await? else {
            input.journal.info(format!("{vm} was already gone"));
            return Ok(StepOutput::new(
                json!({ "changed": false, "disks_destroyed": 0 }),
                json!({ "vm": vm, "exists": false }),
            ));
        };
        if record.power_state != PowerState::Halted {
            input.journal.info(format!(
                "{vm} is {}; shutting it down hard",
                record.power_state.as_str()
            ));
            xen.hard_shutdown(&reference).await.map_err(step_error)?;
        }
        let disks = xen.disks(&reference).await.map_err(step_error)?;
        xen.destroy(&reference).await.map_err(step_error)?;
        input
            .journal
            .info(format!("destroyed the VM {vm} ({})", record.uuid));
        let destroyed = destroy_disks(input, xen, &disks).await;
        if !record.snapshots.is_empty() {
            input.journal.info(format!(
                "kept {} snapshot(s) of {vm}; delete them by hand when no longer needed",
                record.snapshots.len()
            ));
        }

        if xen
            .vm_by_uuid(&record.uuid)
            .await
            .map_err(step_error)?
            .is_some()
        {
            return Err(StepError::retry(format!(
                "{vm} ({}) is still there after the destroy",
                record.uuid
            )));
        }
        Ok(StepOutput::new(
            json!({ "changed": true, "disks_destroyed": destroyed }),
            json!({ "vm": vm, "uuid": record.uuid, "exists": false }),
        ))
    })
    .await
}

/// Destroys the disks of a destroyed VM that no other VM uses; returns how many. A failure is
/// journaled and does not fail the step, because the VM is already gone and a retry could not
/// find its disks again.
async fn destroy_disks(input: &StepInput<'_>, xen: &XenSession, disks: &[String]) -> usize {
    let mut destroyed = 0;
    for vdi in disks {
        let result = match xen.vdi_in_use(vdi).await {
            Ok(true) => {
                input
                    .journal
                    .info("kept a disk that another VM still uses".to_string());
                continue;
            }
            Ok(false) => xen.destroy_vdi(vdi).await,
            Err(error) => Err(error),
        };
        match result {
            Ok(()) => destroyed += 1,
            Err(error) => input.journal.warn(format!(
                "a disk of the VM could not be destroyed and is left on its storage: {error}"
            )),
        }
    }
    if destroyed > 0 {
        input
            .journal
            .info(format!("destroyed {destroyed} disk(s) of the VM"));
    }
    destroyed
}

#[cfg(test)]
mod tests {
    use super::is_uuid;

    #[test]
    fn uuids_are_recognised() {
        assert!(is_uuid("0b4e6e1c-5f47-4f3a-9a3c-5f1e2d3c4b5a"));
        assert!(!is_uuid("0b4e6e1c5f474f3a9a3c5f1e2d3c4b5a"));
        assert!(!is_uuid("vdi-alice"));
    }
}
