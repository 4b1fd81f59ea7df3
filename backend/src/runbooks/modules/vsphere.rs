//! vSphere steps over the vSphere Automation REST API: clone a VM, power it on or off, and
//! delete it. Each step creates a session, works, reads the VM back and deletes the session.

use super::remote::{Connection, in_session, power_result, step_error};
use super::{StepError, StepInput, StepOutput, http_client};
use crate::integrations::vsphere::{PowerState, VsphereClient, VsphereSession};
use serde_json::json;

async fn with_vsphere<T>(
    input: &StepInput<'_>,
    work: impl AsyncFnOnce(&VsphereSession) -> Result<T, StepError>,
) -> Result<T, StepError> {
    let connection = Connection::read(input)?;
    let client = VsphereClient::new(http_client().clone(), &connection.url, input.timeout)
        .map_err(step_error)?;
    input.journal.info(format!(
        "creating a session on {} as {}",
        client.target(),
        connection.username
    ));
    let login = client.login(&connection.username, &connection.password);
    in_session(input, &connection, login, work).await
}

/// Returns whether `text` is a VM identifier such as `vm-123`.
fn is_vm_id(text: &str) -> bool {
    text.strip_prefix("vm-")
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// A VM found by identifier or name.
struct FoundVm {
    id: String,
    name: String,
    power_state: PowerState,
}

/// Finds the VM named by `vm`, an identifier (`vm-123`) or a name.
async fn find_vm(session: &VsphereSession, vm: &str) -> Result<Option<FoundVm>, StepError> {
    if is_vm_id(vm) {
        let info = session.vm(vm).await.map_err(step_error)?;
        return Ok(info.map(|info| FoundVm {
            id: vm.to_string(),
            name: info.name,
            power_state: info.power_state,
        }));
    }
    let mut vms = session.vms_named(vm).await.map_err(step_error)?;
    match vms.len() {
        0 => Ok(None),
        1 => {
            let found = vms.remove(0);
            Ok(Some(FoundVm {
                id: found.vm,
                name: found.name,
                power_state: found.power_state,
            }))
        }
        n => Err(StepError::fail(format!(
            "{n} VMs are named {vm}; give the VM's identifier (vm-123) instead"
        ))),
    }
}

async fn require_vm(session: &VsphereSession, vm: &str) -> Result<FoundVm, StepError> {
    find_vm(session, vm).await?.ok_or_else(|| {
        StepError::fail(format!(
            "{} has no VM named {vm}; check the vm parameter",
            session.target()
        ))
    })
}

/// `vsphere.clone`: clones a VM, or keeps the VM of that name an earlier try made.
pub async fn clone(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let template = input.text("template")?;
    let name = input.text("name")?;
    let folder = input.optional_text("folder")?;
    if name == template {
        return Err(StepError::fail(
            "the new VM name must differ from the template name",
        ));
    }
    with_vsphere(input, async |session| {
        let (id, changed) = match find_vm(session, &name).await? {
            Some(existing) => {
                input.journal.info(format!(
                    "the VM {name} ({}) already exists; keeping it",
                    existing.id
                ));
                (existing.id, false)
            }
            None => {
                // The Automation API neither lists nor clones VMs marked as templates.
                let source = find_vm(session, &template).await?.ok_or_else(|| {
                    StepError::fail(format!(
                        "{} has no VM named {template}; a VM marked as a template is not \
                         visible to the vSphere Automation API, so convert it to a VM",
                        session.target()
                    ))
                })?;
                let id = session
                    .clone_vm(&source.id, &name, folder.as_deref())
                    .await
                    .map_err(step_error)?;
                input.journal.info(format!(
                    "cloned {template} ({}) as {name} ({id})",
                    source.id
                ));
                (id, true)
            }
        };

        let info = session
            .vm(&id)
            .await
            .map_err(step_error)?
            .ok_or_else(|| StepError::retry(format!("the VM {id} is gone after the clone")))?;
        if info.name != name {
            return Err(StepError::retry(format!(
                "the VM {id} reads back as {:?}, not {name:?}",
                info.name
            )));
        }
        Ok(StepOutput::new(
            json!({ "vm": id, "name": name, "changed": changed }),
            json!({ "vm": id, "name": info.name, "power_state": info.power_state.as_str() }),
        ))
    })
    .await
}

/// Powers a VM on or off unless it is in `wanted` already, then reads the power state back.
async fn set_power(
    input: &StepInput<'_>,
    session: &VsphereSession,
    vm: &str,
    wanted: PowerState,
) -> Result<StepOutput, StepError> {
    let found = require_vm(session, vm).await?;
    let changed = if found.power_state == wanted {
        input
            .journal
            .info(format!("{vm} is already {}", wanted.as_str()));
        false
    } else {
        input.journal.info(format!(
            "{vm} ({}) is {}; powering it {}",
            found.id,
            found.power_state.as_str(),
            if wanted == PowerState::PoweredOn {
                "on"
            } else {
                "off"
            }
        ));
        let result = if wanted == PowerState::PoweredOn {
            session.start(&found.id).await
        } else {
            session.stop(&found.id).await
        };
        result.map_err(step_error)?
    };

    let after = session
        .power_state(&found.id)
        .await
        .map_err(step_error)?
        .ok_or_else(|| StepError::retry(format!("{vm} is gone after the power change")))?;
    let readback = json!({ "vm": found.id, "name": found.name, "power_state": after.as_str() });
    power_result(vm, after.as_str(), wanted.as_str(), changed, readback)
}

/// `vsphere.power_on`: powers a VM on (a suspended one resumes); a running one is left.
pub async fn power_on(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let vm = input.text("vm")?;
    with_vsphere(input, async |session| {
        set_power(input, session, &vm, PowerState::PoweredOn).await
    })
    .await
}

/// `vsphere.power_off`: powers a VM off without asking the guest; a powered-off one is left.
pub async fn power_off(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let vm = input.text("vm")?;
    with_vsphere(input, async |session| {
        set_power(input, session, &vm, PowerState::PoweredOff).await
    })
    .await
}

/// `vsphere.delete`: powers a VM off and deletes it with its disks. A VM that is already gone
/// counts as done.
pub async fn delete(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let vm = input.text("vm")?;
    with_vsphere(input, async |session| {
        let Some(found) = find_vm(session, &vm).await? else {
            input.journal.info(format!("{vm} was already gone"));
            return Ok(StepOutput::new(
                json!({ "changed": false }),
                json!({ "vm": vm, "exists": false }),
            ));
        };
        if found.power_state != PowerState::PoweredOff {
            input.journal.info(format!(
                "{vm} ({}) is {}; powering it off",
                found.id,
                found.power_state.as_str()
            ));
            session.stop(&found.id).await.map_err(step_error)?;
        }
        let deleted = session.delete(&found.id).await.map_err(step_error)?;
        input.journal.info(if deleted {
            format!("deleted {vm} ({})", found.id)
        } else {
            format!("{vm} ({}) was already gone", found.id)
        });

        if session.vm(&found.id).await.map_err(step_error)?.is_some() {
            return Err(StepError::retry(format!(
                "{vm} ({}) is still there after the delete",
                found.id
            )));
        }
        Ok(StepOutput::new(
            json!({ "changed": deleted }),
            json!({ "vm": found.id, "name": found.name, "exists": false }),
        ))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::is_vm_id;

    #[test]
    fn vm_ids_are_recognised() {
        assert!(is_vm_id("vm-123"));
        assert!(!is_vm_id("vm-"));
        assert!(!is_vm_id("vm-12a"));
        assert!(!is_vm_id("vdi-alice"));
    }
}
