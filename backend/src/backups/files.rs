//! The backup folder. Only regular files whose whole name matches the backup pattern
//! (`ipsolis-YYYYMMDDTHHMMSSZ-xxxx.dump`) are listed, served, deleted or pruned, so nothing
//! else in the folder is ever touched and no name can reach outside it. Each backup has a
//! small description beside it (`NAME.json`) that records who made it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::backups::{BackupFile, BackupTrigger, backup_time, is_backup_name};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The largest description file read, in bytes.
const META_LIMIT: u64 = 4096;

/// The description of a backup, kept beside the file so it survives a restore.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    pub made_by: String,
    pub trigger: BackupTrigger,
    /// The ip·Solis version that wrote it.
    pub version: String,
}

fn meta_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.json"))
}

/// Returns the name of the file a backup is written to until it is complete. It starts with
/// a dot and ends in `.partial`, so it never matches the backup pattern.
pub fn partial_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.partial"))
}

/// Creates the backup folder, readable by this user only, when it is missing.
pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Creates (or empties) a file that only this user may read.
pub fn create_private(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

/// Returns the path of the backup `name`, or `None` when the name does not match the backup
/// pattern or no regular file of that name exists. A symbolic link is not followed.
pub fn resolve(dir: &Path, name: &str) -> Option<PathBuf> {
    if !is_backup_name(name) {
        return None;
    }
    let path = dir.join(name);
    let metadata = std::fs::symlink_metadata(&path).ok()?;
    metadata.is_file().then_some(path)
}

fn read_meta(dir: &Path, name: &str) -> Option<Meta> {
    let path = meta_path(dir, name);
    let metadata = std::fs::symlink_metadata(&path).ok()?;
    if !metadata.is_file() || metadata.len() > META_LIMIT {
        return None;
    }
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Writes the description of `name`, through a temporary file, so it is whole or absent.
pub fn write_meta(dir: &Path, name: &str, meta: &Meta) -> io::Result<()> {
    use std::io::Write;
    let partial = dir.join(format!(".{name}.json.partial"));
    let mut file = create_private(&partial)?;
    file.write_all(&serde_json::to_vec(meta).map_err(io::Error::other)?)?;
    file.sync_all()?;
    std::fs::rename(&partial, meta_path(dir, name))
}

/// Flushes the folder's entries, so a rename survives a power cut.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Lists the complete backups in `dir`, newest first. A missing folder has none.
pub fn list(dir: &Path) -> io::Result<Vec<BackupFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let Some(created_at) = backup_time(&name) else {
            continue;
        };
        let Ok(metadata) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !metadata.is_file() {
            continue;
        }
        let meta = read_meta(dir, &name);
        files.push(BackupFile {
            size_bytes: i64::try_from(metadata.len()).unwrap_or(i64::MAX),
            created_at,
            made_by: meta
                .as_ref()
                .map_or_else(|| "unknown".to_string(), |m| m.made_by.clone()),
            trigger: meta.map(|m| m.trigger),
            name,
        });
    }
    sort_newest_first(&mut files);
    Ok(files)
}

fn sort_newest_first(files: &mut [BackupFile]) {
    files.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.name.cmp(&a.name))
    });
}

/// Deletes the backup `name` and its description. Returns false when there is no such backup.
pub fn delete(dir: &Path, name: &str) -> io::Result<bool> {
    let Some(path) = resolve(dir, name) else {
        return Ok(false);
    };
    std::fs::remove_file(path)?;
    match std::fs::remove_file(meta_path(dir, name)) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    Ok(true)
}

/// Returns the backups that `settings` lets retention remove at `now`, oldest last.
pub fn to_prune(
    files: &[BackupFile],
    settings: &shared::backups::BackupSettings,
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut sorted = files.to_vec();
    sort_newest_first(&mut sorted);
    sorted
        .iter()
        .enumerate()
        .filter(|(position, file)| settings.removes(*position, file.created_at, now))
        .map(|(_, file)| file.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use shared::backups::{BackupSettings, backup_name};

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ipsolis-files-{}", uuid::Uuid::now_v7()));
        ensure_dir(&dir).unwrap();
        dir
    }

    #[test]
    fn list_skips_foreign_files_and_links() {
        let dir = temp_dir();
        let name = backup_name(Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).unwrap(), 1);
        std::fs::write(dir.join(&name), b"dump").unwrap();
        std::fs::write(dir.join("notes.txt"), b"x").unwrap();
        std::fs::write(partial_path(&dir, &name), b"half").unwrap();
        let linked = backup_name(Utc.with_ymd_and_hms(2026, 12, 8, 3, 0, 0).unwrap(), 2);
        std::os::unix::fs::symlink("/etc/hostname", dir.join(&linked)).unwrap();

        let files = list(&dir).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, [name.as_str()]);
        assert_eq!(files[0].made_by, "unknown");
        assert!(resolve(&dir, &linked).is_none(), "a link is not served");
        assert!(resolve(&dir, "../etc/passwd").is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn prune_picks_the_oldest_beyond_the_count() {
        let file = |day: u32| BackupFile {
            name: backup_name(Utc.with_ymd_and_hms(2026, 12, day, 3, 0, 0).unwrap(), 0),
            size_bytes: 1,
            created_at: Utc.with_ymd_and_hms(2026, 12, day, 3, 0, 0).unwrap(),
            made_by: "schedule".into(),
            trigger: Some(BackupTrigger::Schedule),
        };
        let files = [file(3), file(1), file(4), file(2)];
        let settings = BackupSettings {
            keep_count: Some(2),
            ..Default::default()
        };
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 0, 0, 0).unwrap();
        assert_eq!(
            to_prune(&files, &settings, now),
            [file(2).name, file(1).name]
        );
    }
}
