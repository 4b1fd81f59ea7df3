use shared::Page;
use shared::backups::{
    BackupFile, BackupRestore, BackupRestoreResult, BackupRun, BackupSettings, BackupSettingsView,
};

use super::AdminApi;
use crate::api::query::with_query;
use crate::api::{ApiError, PAGE_SIZE};

/// Returns the address that downloads the backup `name`. A plain link fetches it, so the
/// browser streams the file to disk.
pub fn download_url(name: &str) -> String {
    format!("/api/v1/backups/{name}")
}

impl AdminApi {
    /// Lists backup files newest first, one page after `cursor`.
    pub async fn backups(self, cursor: Option<String>) -> Result<Page<BackupFile>, ApiError> {
        let parameters = [("limit", Some(PAGE_SIZE.to_string())), ("cursor", cursor)];
        self.get(&with_query("/api/v1/backups", &parameters)).await
    }

    /// Lists the latest backup runs.
    pub async fn backup_runs(self) -> Result<Page<BackupRun>, ApiError> {
        self.get("/api/v1/backups/runs?limit=10").await
    }

    /// Starts a backup; a worker writes it.
    pub async fn create_backup(self) -> Result<BackupRun, ApiError> {
        self.post::<(), BackupRun>("/api/v1/backups", None).await
    }

    pub async fn backup_settings(self) -> Result<BackupSettingsView, ApiError> {
        self.get("/api/v1/backups/settings").await
    }

    /// Saves the schedule and retention. The server responds 422 for a cron expression it
    /// cannot parse, runs less than an hour apart, or numbers out of range.
    pub async fn save_backup_settings(
        self,
        settings: &BackupSettings,
    ) -> Result<BackupSettingsView, ApiError> {
        self.put("/api/v1/backups/settings", settings).await
    }

    pub async fn delete_backup(self, name: &str) -> Result<(), ApiError> {
        self.delete(&format!("/api/v1/backups/{name}")).await
    }

    /// Replaces the database with the backup `name`. The server responds 422 unless
    /// `confirmation` is the exact name.
    pub async fn restore_backup(
        self,
        name: &str,
        confirmation: String,
    ) -> Result<BackupRestoreResult, ApiError> {
        let body = BackupRestore { confirmation };
        self.post(&format!("/api/v1/backups/{name}/restore"), Some(&body))
            .await
    }
}
