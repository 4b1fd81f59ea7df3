//! Database backups: the files and runs for admins and auditors; "Back up now", the schedule
//! and deletion for admins who may change settings; download and restore for superadmins
//! only, because a backup contains every row of the database and a restore replaces them all.

use super::{ApiJson, PageParams};
use crate::auth::admin::{Admin, perm};
use crate::backups::{self, blocking, files};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::Change};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use shared::Page;
use shared::backups::{
    BackupFile, BackupRestore, BackupRestoreResult, BackupRun, BackupSettings, BackupSettingsView,
    BackupTrigger, is_backup_name,
};
use tokio_util::io::ReaderStream;

fn not_found(name: &str) -> ApiError {
    ApiError::NotFound(format!("There is no backup named {name}."))
}

fn folder_error(error: std::io::Error) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the backup folder cannot be read: {error}"))
}

/// Lists the complete backup files, newest first. The cursor is the name of the last file of
/// the previous page.
#[utoipa::path(get, path = "/api/v1/backups", tag = "backups",
    params(PageParams),
    responses((status = 200, body = Page<BackupFile>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("backups_read"))))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin<perm::BackupsRead>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<BackupFile>>> {
    let limit = usize::try_from(page.limit()?).unwrap_or(50);
    let after = page.cursor.clone();
    if after.as_deref().is_some_and(|name| !is_backup_name(name)) {
        return Err(ApiError::field(
            "cursor",
            "is not a cursor this API returned",
        ));
    }

    let dir = state.config.backup_dir.clone();
    let listed = blocking(move || files::list(&dir))
        .await
        .map_err(folder_error)?;
    let mut items: Vec<BackupFile> = listed
        .into_iter()
        .filter(|file| after.as_ref().is_none_or(|after| file.name < *after))
        .take(limit + 1)
        .collect();
    let next_cursor = store::audit::page_cursor(&mut items, limit as i64, |f| f.name.clone());
    Ok(Json(Page { items, next_cursor }))
}

/// Lists backup runs newest first: pending, running, done and failed, with their errors.
#[utoipa::path(get, path = "/api/v1/backups/runs", tag = "backups",
    params(PageParams),
    responses((status = 200, body = Page<BackupRun>), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("backups_read"))))]
pub async fn runs(
    State(state): State<AppState>,
    _admin: Admin<perm::BackupsRead>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<BackupRun>>> {
    let limit = page.limit()?;
    let mut rows = store::backups::list(&state.db, page.after()?, limit).await?;
    let next_cursor = store::audit::page_cursor(&mut rows, limit, store::backups::cursor_after);
    Ok(Json(Page {
        items: rows.iter().map(|row| row.dto()).collect(),
        next_cursor,
    }))
}

/// Starts a backup now. A worker writes it; the run's state shows the progress.
#[utoipa::path(post, path = "/api/v1/backups", tag = "backups",
    responses((status = 202, body = BackupRun)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
) -> ApiResult<(StatusCode, Json<BackupRun>)> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let created =
        backups::job::enqueue(&mut tx, BackupTrigger::Manual, &admin.actor, None, now).await?;
    let (run_id, file_name) = created
        .ok_or_else(|| anyhow::anyhow!("enqueuing a backup job without a dedupe key failed"))?;
    backups::job::audit_request(&mut tx, &admin.actor, run_id, &file_name, now).await?;
    tx.commit().await?;

    let run = store::backups::find(&state.db, run_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the new backup run {run_id} is missing"))?;
    tracing::info!(file = %file_name, actor = %admin.actor, "backup requested");
    Ok((StatusCode::ACCEPTED, Json(run.dto())))
}

async fn settings_view(state: &AppState, settings: BackupSettings) -> BackupSettingsView {
    let now = state.clock.now();
    let next_run_at = settings
        .schedule
        .as_deref()
        .and_then(|s| crate::jobs::schedule::parse_cron(s).ok())
        .and_then(|cron| {
            let whole_seconds = chrono::DateTime::from_timestamp(now.timestamp(), 0)?;
            cron.find_next_occurrence(&whole_seconds, false).ok()
        });
    BackupSettingsView {
        settings,
        next_run_at,
        directory: state.config.backup_dir.display().to_string(),
    }
}

/// Returns the backup schedule and retention rules.
#[utoipa::path(get, path = "/api/v1/backups/settings", tag = "backups",
    responses((status = 200, body = BackupSettingsView)),
    extensions(("x-permission" = json!("backups_read"))))]
pub async fn get_settings(
    State(state): State<AppState>,
    _admin: Admin<perm::BackupsRead>,
) -> ApiResult<Json<BackupSettingsView>> {
    let (settings, _) = backups::settings(&state.db).await?;
    Ok(Json(settings_view(&state, settings).await))
}

/// Saves the backup schedule and retention rules. Slots of the schedule before the save do not
/// run. A file is pruned only when every rule that is set lets it go.
#[utoipa::path(put, path = "/api/v1/backups/settings", tag = "backups",
    request_body = BackupSettings,
    responses((status = 200, body = BackupSettingsView), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_settings(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(mut input): ApiJson<BackupSettings>,
) -> ApiResult<Json<BackupSettingsView>> {
    let mut errors = input.errors();
    input.schedule = input.schedule.map(|s| s.trim().to_string());
    if let Some(schedule) = input.schedule.as_deref().filter(|s| !s.is_empty())
        && let Err(message) =
            crate::jobs::schedule::check_schedule(schedule, backups::schedule::min_gap())
    {
        errors.push(shared::FieldError::new("schedule", message));
    }
    ApiError::check(errors)?;

    let value = serde_json::to_value(&input).map_err(anyhow::Error::from)?;
    crate::settings::save_plain(&state, &admin.actor, backups::SETTINGS_KEY, value).await?;
    Ok(Json(settings_view(&state, input).await))
}

/// Downloads a backup file. The file is streamed from the disk as it is read.
#[utoipa::path(get, path = "/api/v1/backups/{name}", tag = "backups",
    params(("name" = String, Path, description = "The backup's file name")),
    responses(
        (status = 200, description = "The pg_dump archive", content_type = "application/octet-stream"),
        (status = 404, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("backups_restore"))))]
pub async fn download(
    State(state): State<AppState>,
    admin: Admin<perm::BackupsRestore>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let dir = state.config.backup_dir.clone();
    let path = {
        let name = name.clone();
        blocking(move || Ok(files::resolve(&dir, &name)))
            .await
            .map_err(folder_error)?
    }
    .ok_or_else(|| not_found(&name))?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("opening {name} failed: {e}")))?;
    let size = file.metadata().await.map(|m| m.len()).ok();

    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let change = Change {
        action: "backup.download",
        entity_type: "backup",
        entity_id: name.clone(),
        before: None,
        after: Some(json!({ "size_bytes": size })),
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;

    let mut response = Body::from_stream(ReaderStream::new(file)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    // The name matched the backup pattern, so it is plain ASCII without quotes.
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Some(size) = size {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    Ok(response)
}

/// Deletes a backup file and its description.
#[utoipa::path(delete, path = "/api/v1/backups/{name}", tag = "backups",
    params(("name" = String, Path, description = "The backup's file name")),
    responses((status = 204), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    let dir = state.config.backup_dir.clone();
    let deleted = {
        let name = name.clone();
        blocking(move || files::delete(&dir, &name))
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("deleting the backup failed: {e}")))?
    };
    if !deleted {
        return Err(not_found(&name));
    }

    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let change = Change {
        action: "backup.delete",
        entity_type: "backup",
        entity_id: name.clone(),
        before: Some(json!({ "name": name })),
        after: None,
    };
    store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    tracing::info!(file = %name, actor = %admin.actor, "backup deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the whole database with a backup. `confirmation` must be the backup's exact name.
/// The job queue and the API pause meanwhile; every session and job started after the backup
/// is gone afterwards. The audit row is written after the restore.
#[utoipa::path(post, path = "/api/v1/backups/{name}/restore", tag = "backups",
    params(("name" = String, Path, description = "The backup's file name")),
    request_body = BackupRestore,
    responses(
        (status = 200, body = BackupRestoreResult),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem,
            description = "The file is unreadable or newer than this server, another restore \
                is running, or the restore failed and was rolled back"),
        (status = 422, body = shared::Problem, description = "The confirmation does not match"),
    ),
    extensions(("x-permission" = json!("backups_restore"))))]
pub async fn restore(
    State(state): State<AppState>,
    admin: Admin<perm::BackupsRestore>,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<BackupRestore>,
) -> ApiResult<Json<BackupRestoreResult>> {
    if !is_backup_name(&name) {
        return Err(not_found(&name));
    }
    if input.confirmation != name {
        return Err(ApiError::field(
            "confirmation",
            format!("must be the backup's exact name: type {name} to confirm the restore"),
        ));
    }

    // The restore runs in its own task, so a client that disconnects cannot stop it half-way.
    let actor = admin.actor.clone();
    let task = tokio::spawn(async move { backups::restore::restore(&state, &name, &actor).await });
    let result = task
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the restore task failed: {e}")))??;
    Ok(Json(result))
}
