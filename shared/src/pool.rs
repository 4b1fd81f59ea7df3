//! The asset pool: instances of asset definitions, such as VDI machines or jump hosts, and the
//! statuses they move through.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The life-cycle status of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    Free,
    /// Assigned to one or more open orders.
    InUse,
    /// Waiting to be reinstalled before anyone gets it again.
    Reinstall,
    Reinstalling,
    Failed,
    /// Taken out of the pool by an admin.
    Maintenance,
    /// Its VM was deallocated when its order ended; out of the pool until an admin brings it back.
    Deallocated,
    /// Deleted when its order ended; kept for the record of the orders that held it.
    Retired,
}

use AssetStatus::*;

/// Every allowed move between asset statuses. The database enforces the same table
/// (`asset_status_transitions` with a trigger on `assets`); a test keeps the two equal.
pub const ASSET_TRANSITIONS: &[(AssetStatus, AssetStatus)] = &[
    (Free, InUse),
    (Free, Maintenance),
    (InUse, Free),
    (InUse, Reinstall),
    (InUse, Maintenance),
    (Reinstall, Reinstalling),
    (Reinstall, Maintenance),
    (Reinstalling, Free),
    (Reinstalling, Failed),
    (Failed, Reinstall),
    (Failed, Maintenance),
    (Maintenance, Free),
    (Maintenance, Reinstall),
    (InUse, Deallocated),
    (Deallocated, Free),
    (Deallocated, Reinstall),
    (Deallocated, Maintenance),
    (InUse, Retired),
];

impl AssetStatus {
    pub const ALL: [AssetStatus; 8] = [
        Free,
        InUse,
        Reinstall,
        Reinstalling,
        Failed,
        Maintenance,
        Deallocated,
        Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Free => "free",
            InUse => "in_use",
            Reinstall => "reinstall",
            Reinstalling => "reinstalling",
            Failed => "failed",
            Maintenance => "maintenance",
            Deallocated => "deallocated",
            Retired => "retired",
        }
    }

    pub fn parse(value: &str) -> Option<AssetStatus> {
        AssetStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Free => "Free",
            InUse => "In use",
            Reinstall => "Reinstall",
            Reinstalling => "Reinstalling",
            Failed => "Failed",
            Maintenance => "Maintenance",
            Deallocated => "Deallocated",
            Retired => "Retired",
        }
    }

    pub fn can_move_to(self, to: AssetStatus) -> bool {
        ASSET_TRANSITIONS.contains(&(self, to))
    }

    /// Returns the statuses an admin may set by hand from this one. Only orders put an instance
    /// in use, and only the end of its last order releases it.
    pub fn manual_moves(self) -> Vec<AssetStatus> {
        ASSET_TRANSITIONS
            .iter()
            .filter(|(from, to)| *from == self && self != InUse && *to != InUse)
            .map(|(_, to)| *to)
            .collect()
    }
}

/// An instance in the pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    pub id: Uuid,
    pub definition_id: Uuid,
    pub definition_name: String,
    pub name: String,
    /// Free-form facts about the instance, such as its host name or pool tag.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Value,
    pub status: AssetStatus,
    /// How many open orders hold it.
    pub holders: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new instance, or the changed name and metadata of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssetInput {
    pub definition_id: Uuid,
    pub name: String,
    #[serde(default = "empty_object")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

/// A status set by an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssetStatusChange {
    pub status: AssetStatus,
}

/// Checks a new or changed instance.
pub fn validate(input: &AssetInput) -> Vec<crate::FieldError> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(crate::FieldError::new(
            "name",
            "must be 1 to 120 characters",
        ));
    } else if let Some(message) = crate::validation::hidden_character(name, false) {
        errors.push(crate::FieldError::new("name", message));
    }
    if !input.metadata.is_object() {
        errors.push(crate::FieldError::new(
            "metadata",
            "must be a JSON object such as {\"host\": \"vdi-001\"}",
        ));
    } else if input.metadata.to_string().len() > 16_384 {
        errors.push(crate::FieldError::new(
            "metadata",
            "must be at most 16 KiB of JSON",
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_orders_put_instances_in_use() {
        for status in AssetStatus::ALL {
            assert!(!status.manual_moves().contains(&InUse), "{status:?}");
        }
        assert!(InUse.manual_moves().is_empty());
        assert_eq!(Reinstalling.manual_moves(), [Free, Failed]);
    }

    #[test]
    fn names_round_trip() {
        for status in AssetStatus::ALL {
            assert_eq!(AssetStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str());
        }
    }
}

/// One problem with a row of an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRowError {
    /// The line in the file, the header being line 1.
    pub line: u64,
    /// The column at fault, when one is.
    pub column: Option<String>,
    pub message: String,
}

/// One instance an import would create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreviewRow {
    pub line: u64,
    pub name: String,
    pub status: AssetStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Value,
}

/// The result of an import, or in a dry run its expected result. An import with any row
/// error creates nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read, without the header.
    pub rows: u64,
    pub created: u64,
    pub errors: Vec<ImportRowError>,
    /// The first 50 instances to be created.
    pub preview: Vec<ImportPreviewRow>,
}

/// The fill level of a definition's slots, as the dashboard shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FillLevel {
    Ok,
    /// 80 % or more of the slots are taken.
    Warning,
    /// 95 % or more of the slots are taken.
    Critical,
}

impl FillLevel {
    /// Returns the level of `used` out of `total` slots. A definition without a limit is
    /// always `Ok`.
    pub fn of(used: i64, total: Option<i64>) -> FillLevel {
        match total {
            None => FillLevel::Ok,
            Some(total) if total <= 0 || used * 100 >= total * 95 => FillLevel::Critical,
            Some(total) if used * 100 >= total * 80 => FillLevel::Warning,
            Some(_) => FillLevel::Ok,
        }
    }
}

/// The free and used slots of one active definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapacityTile {
    pub definition_id: Uuid,
    pub name: String,
    pub assignment: crate::catalog::AssignmentModel,
    /// All slots: the quota, the usable instances, or those times the users per instance.
    /// Absent when a quota has no limit.
    pub total: Option<i64>,
    pub used: i64,
    pub free: Option<i64>,
    pub level: FillLevel,
}

#[cfg(test)]
mod fill_tests {
    use super::*;

    #[test]
    fn levels_start_at_80_and_95_percent() {
        assert_eq!(FillLevel::of(79, Some(100)), FillLevel::Ok);
        assert_eq!(FillLevel::of(80, Some(100)), FillLevel::Warning);
        assert_eq!(FillLevel::of(19, Some(20)), FillLevel::Critical);
        assert_eq!(FillLevel::of(0, Some(0)), FillLevel::Critical);
        assert_eq!(FillLevel::of(500, None), FillLevel::Ok);
    }
}

/// Moves an order to another instance of its definition, for example when its machine broke.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssetReassignment {
    pub asset_id: Uuid,
    /// The next status of the instance left behind when no other open order has it: `free`,
    /// `reinstall` or `maintenance` (the default).
    #[serde(default = "maintenance")]
    pub release_to: AssetStatus,
}

fn maintenance() -> AssetStatus {
    AssetStatus::Maintenance
}
