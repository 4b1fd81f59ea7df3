//! Licensing: which license applies, the status computed from it, uploads and removals, and
//! the daily alert while an expired license is in its grace period. No state switches any
//! feature off.
//!
//! A license comes from the file at `IPSOLIS_LICENSE_PATH` or from an upload stored in
//! Postgres, which every replica reads. A valid file takes precedence over an upload; an
//! invalid or missing file is reported in the status notes and the upload applies.

pub mod alert;
pub mod document;
pub mod keys;
pub mod tool;

use crate::auth::Actor;
use crate::domain::license::{AppliedLicense, Facts};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::Change};
use chrono::{DateTime, Duration, Utc};
use document::{LicenseError, VerifiedLicense};
use keys::TrustedKeys;
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::license::{LicenseSource, LicenseStatus};
use shared::{FieldError, Problem};
use std::path::PathBuf;
use std::sync::Arc;

/// The business time for which one read of the license file is reused before the file is read
/// again. A replaced file therefore applies within a minute, without a restart.
pub const FILE_RECHECK: Duration = Duration::seconds(60);

/// The trusted keys and the license file of one process.
#[derive(Clone)]
pub struct Licensing {
    pub keys: Arc<TrustedKeys>,
    path: Option<PathBuf>,
    file: Arc<tokio::sync::Mutex<FileState>>,
}

#[derive(Default)]
struct FileState {
    checked_at: Option<DateTime<Utc>>,
    /// The SHA-256 of the content last read, or `None` when the file could not be read.
    digest: Option<[u8; 32]>,
    outcome: Option<FileOutcome>,
}

/// The content of the license file.
#[derive(Debug, Clone)]
pub enum FileOutcome {
    Valid(VerifiedLicense),
    /// Why the file cannot be used: unreadable, malformed or not signed by a trusted key.
    Invalid(String),
}

impl Licensing {
    pub fn new(keys: TrustedKeys, path: Option<PathBuf>) -> Licensing {
        Licensing {
            keys: Arc::new(keys),
            path,
            file: Default::default(),
        }
    }

    /// Returns what the license file holds, reading it again when the last read is older than
    /// [`FILE_RECHECK`]. The file is verified again only when its content changed. Returns
    /// `None` when no license path is configured.
    pub async fn file(&self, now: DateTime<Utc>) -> Option<FileOutcome> {
        let path = self.path.as_ref()?;
        let mut file = self.file.lock().await;
        let due = file
            .checked_at
            .is_none_or(|at| now - at >= FILE_RECHECK || now < at);
        if !due {
            return file.outcome.clone();
        }
        file.checked_at = Some(now);

        match tokio::fs::read(path).await {
            Ok(bytes) => {
                let digest: [u8; 32] = Sha256::digest(&bytes).into();
                if file.digest != Some(digest) {
                    file.digest = Some(digest);
                    file.outcome = Some(self.read_file(path, &bytes));
                }
            }
            Err(error) => {
                // Logged once when the file becomes unreadable, not on every check.
                if file.digest.is_some() || file.outcome.is_none() {
                    tracing::warn!(path = %path.display(), %error, "the license file cannot be read");
                }
                file.digest = None;
                file.outcome = Some(FileOutcome::Invalid(format!("it cannot be read: {error}")));
            }
        }
        file.outcome.clone()
    }

    fn read_file(&self, path: &std::path::Path, bytes: &[u8]) -> FileOutcome {
        match document::verify(bytes, &self.keys) {
            Ok(license) => {
                tracing::info!(
                    path = %path.display(),
                    license_id = %license.payload.license_id,
                    licensee = %license.payload.licensee,
                    expires_on = %license.payload.expires_on,
                    "license file loaded"
                );
                FileOutcome::Valid(license)
            }
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "the license file is not valid");
                FileOutcome::Invalid(error.to_string())
            }
        }
    }
}

/// Computes the licensing status now.
pub async fn status(state: &AppState) -> sqlx::Result<LicenseStatus> {
    let now = state.clock.now();
    let installed_at = store::license::installed_at(&state.db).await?;
    let active_users = store::license::active_users(&state.db).await?;
    let upload = store::license::upload(&state.db).await?;
    let licensing = &state.licensing;
    let mut notes = Vec::new();

    let path = licensing
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let from_file = match licensing.file(now).await {
        Some(FileOutcome::Valid(license)) => Some(license),
        Some(FileOutcome::Invalid(reason)) => {
            notes.push(format!("The license file {path} is not used: {reason}."));
            None
        }
        None => None,
    };
    let uploaded = match &upload {
        Some(row) => match document::verify(row.document.as_bytes(), &licensing.keys) {
            Ok(license) => Some(license),
            Err(error) => {
                notes.push(format!(
                    "The uploaded license {} is not used: {error}.",
                    row.license_id
                ));
                None
            }
        },
        None => None,
    };

    let applied = match (from_file, uploaded) {
        (Some(file), uploaded) => {
            if let Some(uploaded) = uploaded {
                notes.push(format!(
                    "The license file {path} takes precedence over the uploaded license {}.",
                    uploaded.payload.license_id
                ));
            }
            Some(applied(file, LicenseSource::File))
        }
        (None, Some(uploaded)) => Some(applied(uploaded, LicenseSource::Upload)),
        (None, None) => None,
    };

    Ok(crate::domain::license::status(Facts {
        now,
        installed_at,
        active_users,
        license: applied,
        upload_present: upload.is_some(),
        notes,
    }))
}

fn applied(license: VerifiedLicense, source: LicenseSource) -> AppliedLicense {
    AppliedLicense {
        source,
        key_id: license.key_id,
        payload: license.payload,
    }
}

/// Reads the license file at start and logs the status, so the log shows which license a
/// new process runs with.
pub async fn log_at_start(state: &AppState) {
    match status(state).await {
        Ok(status) => tracing::info!(
            state = status.state.as_str(),
            license_id = status.license_id.as_deref().unwrap_or("-"),
            active_users = status.active_users,
            "license status"
        ),
        Err(error) => tracing::warn!(%error, "reading the license status failed"),
    }
}

/// Builds the problem document of a rejected license file.
pub fn problem(error: &LicenseError) -> ApiError {
    let (kind, title, detail, errors) = match error {
        LicenseError::Malformed(errors) => (
            shared::license::MALFORMED_TYPE,
            "Malformed license file",
            "The file is not an ip·Solis license file; `errors` names each field at fault. \
             Upload the file exactly as the vendor sent it."
                .to_string(),
            errors.clone(),
        ),
        LicenseError::UnknownKey(key_id) => (
            shared::license::UNKNOWN_KEY_TYPE,
            "Unknown license key",
            format!(
                "The license is signed with the key {key_id:?}, which this build of ip·Solis \
                 does not trust. Ask the vendor for a license signed with a current key."
            ),
            vec![FieldError::new("key_id", "is not a trusted license key")],
        ),
        LicenseError::BadSignature => (
            shared::license::BAD_SIGNATURE_TYPE,
            "Invalid license signature",
            "The signature does not match the license's contents: the file was changed after \
             it was signed, or it was signed with another key. Upload the file exactly as the \
             vendor sent it."
                .to_string(),
            vec![FieldError::new(
                "signature",
                "does not match the payload for this key",
            )],
        ),
    };
    ApiError::Typed(Box::new(Problem {
        kind: kind.into(),
        title: title.into(),
        status: 422,
        detail,
        errors,
        current_state: None,
    }))
}

fn audit_view(license: &VerifiedLicense) -> serde_json::Value {
    json!({
        "license_id": license.payload.license_id,
        "licensee": license.payload.licensee,
        "max_active_users": license.payload.max_active_users,
        "issued_on": license.payload.issued_on,
        "expires_on": license.payload.expires_on,
        "key_id": license.key_id,
    })
}

/// Returns what the audit log records of a stored upload: its license, or only its id when it
/// no longer verifies.
fn stored_view(state: &AppState, row: &store::license::UploadRow) -> serde_json::Value {
    match document::verify(row.document.as_bytes(), &state.licensing.keys) {
        Ok(license) => audit_view(&license),
        Err(_) => json!({ "license_id": row.license_id }),
    }
}

/// Verifies and stores an uploaded license, replacing any earlier upload. An expired license
/// is accepted; the status it returns shows the grace period or the unlicensed state.
pub async fn upload(state: &AppState, actor: &Actor, body: &[u8]) -> ApiResult<LicenseStatus> {
    let license = document::verify(body, &state.licensing.keys).map_err(|e| problem(&e))?;
    // The verification parsed the body as JSON, which is UTF-8.
    let document = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::BadRequest("The license file is not UTF-8 text.".into()))?;
    let now = state.clock.now();

    let mut tx = state.db.begin().await?;
    let before = store::license::upload_for_update(&mut tx).await?;
    let row = store::license::UploadRow {
        license_id: license.payload.license_id.clone(),
        document,
        uploaded_at: now,
        uploaded_by: actor.as_str().to_string(),
    };
    store::license::put_upload(&mut tx, &row).await?;
    let change = Change {
        action: "license.upload",
        entity_type: "license",
        entity_id: license.payload.license_id.clone(),
        before: before.as_ref().map(|row| stored_view(state, row)),
        after: Some(audit_view(&license)),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(
        license_id = %license.payload.license_id,
        licensee = %license.payload.licensee,
        %actor,
        "license uploaded"
    );
    Ok(status(state).await?)
}

/// Removes the uploaded license. A license file, when one is configured, still applies.
pub async fn remove(state: &AppState, actor: &Actor) -> ApiResult<LicenseStatus> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(before) = store::license::upload_for_update(&mut tx).await? else {
        return Err(ApiError::NotFound(
            "No license was uploaded, so there is none to remove. A license file at \
             IPSOLIS_LICENSE_PATH is removed by deleting the file."
                .into(),
        ));
    };
    store::license::delete_upload(&mut tx).await?;
    let change = Change {
        action: "license.remove",
        entity_type: "license",
        entity_id: before.license_id.clone(),
        before: Some(stored_view(state, &before)),
        after: None,
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(license_id = %before.license_id, %actor, "license removed");
    Ok(status(state).await?)
}
