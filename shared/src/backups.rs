//! Database backups as admins see them: the files in the backup folder, the runs that make
//! them, the schedule and retention, and the typed confirmation of a restore.

use crate::FieldError;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The start of every backup file name. Only files whose whole name matches
/// [`is_backup_name`] are listed, downloaded, pruned or restored.
pub const NAME_PREFIX: &str = "ipsolis-";
/// The end of every backup file name: a `pg_dump` archive in custom format.
pub const NAME_SUFFIX: &str = ".dump";
/// The time stamp in a backup file name, in UTC.
const STAMP_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// `20261207T031500Z` is 16 characters long.
const STAMP_LEN: usize = 16;
/// Four lower-case hex digits after the time stamp keep two backups of one second apart.
const TAG_LEN: usize = 4;

/// The largest `keep_count` a retention rule accepts.
pub const KEEP_COUNT_LIMIT: i32 = 1000;
/// The largest `keep_days` a retention rule accepts: ten years.
pub const KEEP_DAYS_LIMIT: i32 = 3650;

/// Returns the file name of a backup made at `at` with the tag `tag` (four hex digits).
pub fn backup_name(at: DateTime<Utc>, tag: u16) -> String {
    format!(
        "{NAME_PREFIX}{}-{tag:04x}{NAME_SUFFIX}",
        at.format(STAMP_FORMAT)
    )
}

/// Returns when the backup named `name` was started, or `None` when `name` is not the name of
/// a backup file: `ipsolis-YYYYMMDDTHHMMSSZ-xxxx.dump` with four lower-case hex digits. The
/// name has no path separators, so it cannot reach outside the backup folder.
pub fn backup_time(name: &str) -> Option<DateTime<Utc>> {
    let middle = name.strip_prefix(NAME_PREFIX)?.strip_suffix(NAME_SUFFIX)?;
    if middle.len() != STAMP_LEN + 1 + TAG_LEN || !middle.is_ascii() {
        return None;
    }
    let (stamp, rest) = middle.split_at(STAMP_LEN);
    let tag = rest.strip_prefix('-')?;
    let tag_is_hex = tag
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    if !tag_is_hex {
        return None;
    }
    let at = NaiveDateTime::parse_from_str(stamp, STAMP_FORMAT).ok()?;
    Some(at.and_utc())
}

/// Returns whether `name` is the name of a backup file ip·Solis made.
pub fn is_backup_name(name: &str) -> bool {
    backup_time(name).is_some()
}

/// The cause of a backup run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackupTrigger {
    /// An admin's "Back up now".
    Manual,
    /// The backup schedule.
    Schedule,
}

impl BackupTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupTrigger::Manual => "manual",
            BackupTrigger::Schedule => "schedule",
        }
    }

    pub fn parse(value: &str) -> Option<BackupTrigger> {
        [BackupTrigger::Manual, BackupTrigger::Schedule]
            .into_iter()
            .find(|t| t.as_str() == value)
    }
}

/// The stage of a backup run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackupState {
    /// Waiting for a worker, or for another attempt after a failure (then `error` is set).
    Pending,
    /// `pg_dump` is writing the file.
    Running,
    /// The file is complete.
    Done,
    /// Every attempt failed; `error` contains the last one's output.
    Failed,
}

impl BackupState {
    pub const ALL: [BackupState; 4] = [
        BackupState::Pending,
        BackupState::Running,
        BackupState::Done,
        BackupState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BackupState::Pending => "pending",
            BackupState::Running => "running",
            BackupState::Done => "done",
            BackupState::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<BackupState> {
        BackupState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            BackupState::Pending => "Pending",
            BackupState::Running => "Running",
            BackupState::Done => "Done",
            BackupState::Failed => "Failed",
        }
    }
}

/// A complete backup file in the backup folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupFile {
    /// The file name, which also names the backup in the download, delete and restore routes.
    pub name: String,
    pub size_bytes: i64,
    /// When the backup started, from the time stamp in its name.
    pub created_at: DateTime<Utc>,
    /// `schedule`, or the actor of the admin who took it, such as
    /// `admin:session:jdoe:admin`. `unknown` when the file's description is missing.
    pub made_by: String,
    /// The cause of the backup, absent when the file's description is missing.
    pub trigger: Option<BackupTrigger>,
}

/// One backup run: a "Back up now" or a scheduled slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupRun {
    pub id: Uuid,
    /// The file the run writes, or wrote.
    pub file_name: String,
    pub trigger: BackupTrigger,
    /// The actor who asked for it, or `system:backup.schedule`.
    pub requested_by: String,
    pub state: BackupState,
    /// The last failure's message, with any password cut out.
    pub error: Option<String>,
    pub size_bytes: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// When backups are taken on their own and how long files are kept.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BackupSettings {
    /// A six-field cron expression (seconds first, UTC), such as `0 0 2 * * *` for 02:00
    /// daily. None takes backups only by hand.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Keep at least the newest this many backups, 1 to 1000.
    #[serde(default)]
    pub keep_count: Option<i32>,
    /// Keep every backup younger than this many days, 1 to 3650.
    #[serde(default)]
    pub keep_days: Option<i32>,
}

impl BackupSettings {
    /// Returns the field errors of the retention rules. The server checks the schedule too,
    /// because it owns the cron parser.
    pub fn errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(count) = self.keep_count
            && !(1..=KEEP_COUNT_LIMIT).contains(&count)
        {
            errors.push(FieldError::new(
                "keep_count",
                format!("must be between 1 and {KEEP_COUNT_LIMIT}"),
            ));
        }
        if let Some(days) = self.keep_days
            && !(1..=KEEP_DAYS_LIMIT).contains(&days)
        {
            errors.push(FieldError::new(
                "keep_days",
                format!("must be between 1 and {KEEP_DAYS_LIMIT}"),
            ));
        }
        if self
            .schedule
            .as_deref()
            .is_some_and(|s| s.trim().is_empty())
        {
            errors.push(FieldError::new(
                "schedule",
                "must be a cron expression, or left out for no schedule",
            ));
        }
        errors
    }

    /// Returns whether retention removes the backup at `position` in the list sorted newest
    /// first, made at `created_at`. A file is removed only when every rule that is set allows
    /// it, and never when no rule is set.
    pub fn removes(&self, position: usize, created_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        if self.keep_count.is_none() && self.keep_days.is_none() {
            return false;
        }
        let beyond_count = self
            .keep_count
            .is_none_or(|count| position >= usize::try_from(count).unwrap_or(usize::MAX));
        let older_than_days = self
            .keep_days
            .is_none_or(|days| now - created_at > chrono::Duration::days(i64::from(days)));
        beyond_count && older_than_days
    }
}

/// The backup settings with what the server derives from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupSettingsView {
    #[serde(flatten)]
    pub settings: BackupSettings,
    /// When the schedule fires next; absent without a schedule.
    pub next_run_at: Option<DateTime<Utc>>,
    /// The backup folder on the server (`IPSOLIS_BACKUP_DIR`).
    pub directory: String,
}

/// The body of a restore: the backup's exact name, typed by the admin to confirm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BackupRestore {
    pub confirmation: String,
}

/// The outcome of a restore that succeeded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupRestoreResult {
    pub name: String,
    pub restored_at: DateTime<Utc>,
    /// Migrations applied after the restore to bring an older backup up to this version.
    pub migrations_applied: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn name_round_trips_its_time() {
        let name = backup_name(at(7, 3), 0x0a1f);
        assert_eq!(name, "ipsolis-20261207T030000Z-0a1f.dump");
        assert_eq!(backup_time(&name), Some(at(7, 3)));
    }

    #[test]
    fn foreign_names_are_rejected() {
        let rejected = [
            "",
            "ipsolis-20261207T030000Z-0a1f.dump.partial",
            ".ipsolis-20261207T030000Z-0a1f.dump",
            "ipsolis-20261207T030000Z-0A1F.dump",
            "ipsolis-20261207T030000Z-0a1.dump",
            "ipsolis-20261307T030000Z-0a1f.dump",
            "../ipsolis-20261207T030000Z-0a1f.dump",
            "ipsolis-20261207T030000Z-0a/f.dump",
            "ipsolis-20261207T03000éZ-0a1f.dump",
            "other-20261207T030000Z-0a1f.dump",
        ];
        for name in rejected {
            assert!(!is_backup_name(name), "{name}");
        }
    }

    #[test]
    fn retention_keeps_everything_without_rules() {
        let settings = BackupSettings::default();
        assert!(!settings.removes(500, at(1, 0), at(30, 0)));
    }

    #[test]
    fn retention_by_count() {
        let settings = BackupSettings {
            keep_count: Some(2),
            ..Default::default()
        };
        assert!(!settings.removes(1, at(1, 0), at(30, 0)));
        assert!(settings.removes(2, at(1, 0), at(30, 0)));
    }

    #[test]
    fn retention_by_days() {
        let settings = BackupSettings {
            keep_days: Some(7),
            ..Default::default()
        };
        assert!(!settings.removes(9, at(25, 0), at(30, 0)));
        assert!(settings.removes(0, at(20, 0), at(30, 0)));
    }

    #[test]
    fn retention_removes_only_when_both_rules_allow() {
        let settings = BackupSettings {
            keep_count: Some(3),
            keep_days: Some(7),
            ..Default::default()
        };
        assert!(
            !settings.removes(1, at(1, 0), at(30, 0)),
            "among the newest"
        );
        assert!(!settings.removes(5, at(28, 0), at(30, 0)), "young enough");
        assert!(settings.removes(5, at(1, 0), at(30, 0)));
    }

    #[test]
    fn settings_reject_out_of_range_rules() {
        let settings = BackupSettings {
            schedule: Some(" ".into()),
            keep_count: Some(0),
            keep_days: Some(KEEP_DAYS_LIMIT + 1),
        };
        let fields: Vec<String> = settings.errors().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["keep_count", "keep_days", "schedule"]);
    }
}
