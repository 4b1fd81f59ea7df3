//! The license: its status for admins and auditors, and upload and removal for superadmins.

use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use bytes::Bytes;
use shared::license::{LicenseFile, LicenseStatus};

/// Returns the licensing status, computed now: the state and what it means, the license in
/// use, the active users against the band or the free tier, and the dates that end the
/// evaluation, the license and its grace period.
#[utoipa::path(get, path = "/api/v1/license", tag = "license",
    responses((status = 200, body = LicenseStatus)),
    extensions(("x-permission" = json!("license_read"))))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin<perm::LicenseRead>,
) -> ApiResult<Json<LicenseStatus>> {
    Ok(Json(crate::license::status(&state).await?))
}

/// Uploads a license file, replacing an earlier upload, and returns the new status. The body
/// is the file as the vendor sent it. An expired license is accepted; the status then shows
/// the grace period or the unlicensed state. A malformed file, a key this build does not
/// trust and a signature that does not match each have their own problem type
/// (`urn:ipsolis:problem:license-malformed`, `-unknown-key`, `-bad-signature`).
#[utoipa::path(put, path = "/api/v1/license", tag = "license",
    request_body(content = LicenseFile, content_type = "application/json"),
    responses(
        (status = 200, body = LicenseStatus),
        (status = 422, body = shared::Problem,
            description = "The file is malformed, signed with an unknown key, or its \
                signature does not match"),
    ),
    extensions(("x-permission" = json!("license_write"))))]
pub async fn put(
    State(state): State<AppState>,
    admin: Admin<perm::LicenseWrite>,
    body: Bytes,
) -> ApiResult<Json<LicenseStatus>> {
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "Send the license file as the request body.".into(),
        ));
    }
    Ok(Json(
        crate::license::upload(&state, &admin.actor, &body).await?,
    ))
}

/// Removes the uploaded license and returns the new status. A license file at
/// `IPSOLIS_LICENSE_PATH` still applies; it is removed by deleting the file.
#[utoipa::path(delete, path = "/api/v1/license", tag = "license",
    responses((status = 200, body = LicenseStatus), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("license_write"))))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin<perm::LicenseWrite>,
) -> ApiResult<Json<LicenseStatus>> {
    Ok(Json(crate::license::remove(&state, &admin.actor).await?))
}
