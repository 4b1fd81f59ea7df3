//! Configuration Manager (SCCM) steps over the AdminService: register a device by name and
//! MAC address, add it to a collection with a direct rule, and remove it. The AdminService is
//! reached with Basic authentication over HTTPS (see `integrations::sccm` for the limit).

use super::remote::{Connection, step_error};
use super::{StepError, StepInput, StepOutput, http_client};
use crate::integrations::sccm::{SccmClient, normalize_mac};
use serde_json::json;

/// The longest NetBIOS computer name.
const NAME_MAX: usize = 15;

fn client(input: &StepInput<'_>, connection: &Connection) -> Result<SccmClient, StepError> {
    SccmClient::new(
        http_client().clone(),
        &connection.url,
        &connection.username,
        &connection.password,
        input.timeout,
    )
    .map_err(step_error)
}

/// Checks a device name against the NetBIOS rules ConfigMgr imports by.
fn device_name(input: &StepInput<'_>) -> Result<String, StepError> {
    let name = input.text("name")?;
    if name.chars().count() > NAME_MAX {
        return Err(StepError::fail(format!(
            "the device name {name:?} is longer than the {NAME_MAX} characters of a NetBIOS name"
        )));
    }
    let forbidden = |c: char| c.is_control() || "\\/:*?\"<>|".contains(c);
    if name.chars().any(forbidden) {
        return Err(StepError::fail(format!(
            "the device name {name:?} contains a character NetBIOS names cannot have"
        )));
    }
    Ok(name)
}

/// `sccm.register`: imports a device by name and MAC address, or keeps the device that has
/// both already.
pub async fn register(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let connection = Connection::read(input)?;
    let name = device_name(input)?;
    let raw_mac = input.text("mac")?;
    let mac = normalize_mac(&raw_mac).ok_or_else(|| {
        StepError::fail(format!(
            "{raw_mac:?} is not a MAC address; write it as 00:15:5D:01:02:03"
        ))
    })?;
    let sccm = client(input, &connection)?;
    let result = async {
        let devices = sccm.devices_named(&name).await.map_err(step_error)?;
        let existing = devices.iter().find(|d| d.has_mac(&mac));
        let (resource_id, changed) = match existing {
            Some(device) => {
                input.journal.info(format!(
                    "the device {name} with {mac} exists as ResourceID {}; keeping it",
                    device.resource_id
                ));
                (device.resource_id, false)
            }
            None => {
                if !devices.is_empty() {
                    input.journal.warn(format!(
                        "{} other device record(s) named {name} exist with other MAC addresses",
                        devices.len()
                    ));
                }
                let imported = sccm.import_device(&name, &mac).await.map_err(step_error)?;
                input.journal.info(format!(
                    "imported {name} with {mac} as ResourceID {}",
                    imported.resource_id
                ));
                (imported.resource_id, !imported.machine_exists)
            }
        };

        let device = sccm
            .device(resource_id)
            .await
            .map_err(step_error)?
            .ok_or_else(|| {
                StepError::retry(format!("the device {resource_id} is not readable yet"))
            })?;
        if !device.name.eq_ignore_ascii_case(&name) {
            return Err(StepError::fail(format!(
                "the MAC address {mac} already belongs to the device {} (ResourceID \
                 {resource_id}); remove that device or correct the mac parameter",
                device.name
            )));
        }
        if !device.has_mac(&mac) {
            return Err(StepError::retry(format!(
                "the device {resource_id} does not list {mac} yet"
            )));
        }
        Ok(StepOutput::new(
            json!({ "resource_id": resource_id, "changed": changed }),
            json!({
                "resource_id": resource_id,
                "name": device.name,
                "mac_addresses": device.mac_addresses.unwrap_or_default(),
            }),
        ))
    };
    result.await.map_err(|e| connection.mask(e))
}

/// `sccm.add_to_collection`: adds a direct membership rule for a device, unless the collection
/// has one for it already.
pub async fn add_to_collection(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let connection = Connection::read(input)?;
    let collection = input.text("collection_id")?;
    if collection.len() != 8 || !collection.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(StepError::fail(format!(
            "{collection:?} is not a collection ID; it is a site code and five digits, such \
             as PS100012"
        )));
    }
    let raw_id = input.text("resource_id")?;
    let resource_id: u32 = raw_id.parse().map_err(|_| {
        StepError::fail(format!(
            "the resource_id {raw_id:?} is not a ResourceID number"
        ))
    })?;
    let sccm = client(input, &connection)?;
    let result = async {
        let device = sccm
            .device(resource_id)
            .await
            .map_err(step_error)?
            .ok_or_else(|| {
                StepError::fail(format!(
                    "{} has no device with ResourceID {resource_id}",
                    sccm.target()
                ))
            })?;
        let missing_collection = || {
            StepError::fail(format!(
                "{} has no collection {collection}; check the collection_id parameter",
                sccm.target()
            ))
        };
        let rules = sccm
            .direct_rules(&collection)
            .await
            .map_err(step_error)?
            .ok_or_else(missing_collection)?;
        let changed = if rules.iter().any(|r| r.resource_id == resource_id) {
            input.journal.info(format!(
                "{collection} already has a direct rule for {} ({resource_id})",
                device.name
            ));
            false
        } else {
            sccm.add_direct_rule(&collection, resource_id, &device.name)
                .await
                .map_err(step_error)?;
            input.journal.info(format!(
                "added a direct rule for {} ({resource_id}) to {collection}",
                device.name
            ));
            true
        };

        let rules = sccm
            .direct_rules(&collection)
            .await
            .map_err(step_error)?
            .ok_or_else(missing_collection)?;
        if !rules.iter().any(|r| r.resource_id == resource_id) {
            return Err(StepError::retry(format!(
                "{collection} has no rule for {resource_id} after the change"
            )));
        }
        // Membership follows once the site evaluates the collection, so it is reported only.
        let member = sccm
            .is_member(&collection, resource_id)
            .await
            .map_err(step_error)?;
        Ok(StepOutput::new(
            json!({ "changed": changed }),
            json!({
                "collection_id": collection,
                "resource_id": resource_id,
                "direct_rule": true,
                "member": member,
            }),
        ))
    };
    result.await.map_err(|e| connection.mask(e))
}

/// `sccm.remove`: deletes every device record with the name. None left counts as done.
pub async fn remove(input: &StepInput<'_>) -> Result<StepOutput, StepError> {
    let connection = Connection::read(input)?;
    let name = device_name(input)?;
    let sccm = client(input, &connection)?;
    let result = async {
        let devices = sccm.devices_named(&name).await.map_err(step_error)?;
        let mut removed = Vec::new();
        for device in &devices {
            if sccm
                .delete_device(device.resource_id)
                .await
                .map_err(step_error)?
            {
                removed.push(device.resource_id);
            }
        }
        input.journal.info(if devices.is_empty() {
            format!("no device is named {name}")
        } else {
            format!("deleted the device(s) named {name}: {removed:?}")
        });

        let left = sccm.devices_named(&name).await.map_err(step_error)?;
        if !left.is_empty() {
            return Err(StepError::retry(format!(
                "{} device(s) named {name} are still there after the delete",
                left.len()
            )));
        }
        Ok(StepOutput::new(
            json!({ "changed": !removed.is_empty(), "resource_ids": removed }),
            json!({ "name": name, "devices": 0 }),
        ))
    };
    result.await.map_err(|e| connection.mask(e))
}
