//! General settings (title, logo, logo position) for admins, and the public branding that the
//! sign-in pages read before anyone signs in.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::branding;
use crate::domain::logo;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::branding::{Branding, GeneralSettings, GeneralSettingsInput, LOGO_MAX_BYTES};
use utoipa::IntoParams;

/// The bytes of an image file, for the API document.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(
    dead_code,
    reason = "only the API document reads this type, never its field"
)]
pub struct ImageFile(Vec<u8>);

/// Returns the application title and whether and where the pages show a logo. Public, so the
/// sign-in pages can show them.
#[utoipa::path(get, path = "/api/v1/branding", tag = "settings",
    responses((status = 200, body = Branding)),
    extensions(("x-permission" = json!("public"))))]
pub async fn get_branding(State(state): State<AppState>) -> ApiResult<Json<Branding>> {
    Ok(Json(branding::public(&state).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogoQuery {
    /// The logo version from `GET /api/v1/branding`. With the current version the response
    /// may be cached for a year; without it, browsers revalidate with the ETag each time.
    pub v: Option<String>,
}

/// Returns the SHA-256 values that an `If-None-Match` header names as strong or weak ETags.
fn known_versions(headers: &HeaderMap) -> Vec<String> {
    let Some(value) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return Vec::new();
    };
    value
        .split(',')
        .map(|tag| tag.trim().trim_start_matches("W/").trim_matches('"'))
        .filter(|tag| tag.len() == 64 && tag.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Returns the logo with its stored media type. Public, so the sign-in pages can show it.
/// The response carries an ETag, and a request whose `If-None-Match` names it gets 304.
#[utoipa::path(get, path = "/api/v1/branding/logo", tag = "settings",
    params(LogoQuery),
    responses(
        (status = 200, description = "The logo in the format it was uploaded in",
            content((ImageFile = "image/png"), (ImageFile = "image/jpeg"), (ImageFile = "image/webp"))),
        (status = 304, description = "The client's copy, named in If-None-Match, is current"),
        (status = 404, body = shared::Problem, description = "No logo is set"),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn get_logo(
    State(state): State<AppState>,
    Query(query): Query<LogoQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let known = known_versions(&headers);
    let file = crate::store::branding::file(&state.db, &known)
        .await?
        .ok_or_else(|| ApiError::NotFound("No logo is set.".into()))?;

    let etag = format!("\"{}\"", file.sha256);
    let versioned = query
        .v
        .is_some_and(|v| !v.is_empty() && file.sha256.starts_with(&v));
    // A versioned URL changes with the logo, so its response never goes stale.
    let cache_control = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = match file.bytes {
        Some(bytes) => {
            let mut response = Body::from(bytes).into_response();
            let content_type = HeaderValue::from_str(&file.content_type)
                .map_err(|e| anyhow::anyhow!("stored logo media type: {e}"))?;
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, content_type);
            response
        }
        None => StatusCode::NOT_MODIFIED.into_response(),
    };
    let response_headers = response.headers_mut();
    let etag = HeaderValue::from_str(&etag).map_err(|e| anyhow::anyhow!("logo ETag: {e}"))?;
    response_headers.insert(header::ETAG, etag);
    response_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    response_headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Opened on its own, the image may load nothing and run nothing.
    response_headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// Returns the title, the logo position and the stored logo's details. Before the first save
/// the title is the product's name.
#[utoipa::path(get, path = "/api/v1/settings/general", tag = "settings",
    responses((status = 200, body = GeneralSettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_general(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<GeneralSettings>> {
    Ok(Json(branding::current(&state).await?))
}

/// Saves the title and the logo position.
#[utoipa::path(put, path = "/api/v1/settings/general", tag = "settings",
    request_body = GeneralSettingsInput,
    responses((status = 200, body = GeneralSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_general(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<GeneralSettingsInput>,
) -> ApiResult<Json<GeneralSettings>> {
    Ok(Json(branding::save(&state, &admin.actor, input).await?))
}

/// Replaces the logo with the image in the body: PNG, JPEG or WebP of at most 512 KiB. The
/// format is read from the file's first bytes; the request's Content-Type is ignored. SVG is
/// rejected, because it can carry script.
#[utoipa::path(put, path = "/api/v1/settings/general/logo", tag = "settings",
    request_body(content = ImageFile, content_type = "application/octet-stream",
        description = "The image file as it is, PNG, JPEG or WebP, at most 512 KiB"),
    responses(
        (status = 200, body = GeneralSettings),
        (status = 413, body = shared::Problem, description = "Larger than 512 KiB; `errors` names `logo`"),
        (status = 422, body = shared::Problem, description = "Empty, or not PNG, JPEG or WebP; `errors` names `logo`"),
    ),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_logo(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<GeneralSettings>> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(size) = declared.filter(|size| *size > LOGO_MAX_BYTES) {
        return Err(ApiError::file_too_large(
            "logo",
            logo::too_large(Some(size)),
        ));
    }
    // Reading stops at the limit, so a body without Content-Length cannot take more memory.
    let bytes = axum::body::to_bytes(body, LOGO_MAX_BYTES)
        .await
        .map_err(|_| ApiError::file_too_large("logo", logo::too_large(None)))?;
    Ok(Json(
        branding::upload_logo(&state, &admin.actor, &bytes).await?,
    ))
}

/// Removes the logo; the pages then show the title alone.
#[utoipa::path(delete, path = "/api/v1/settings/general/logo", tag = "settings",
    responses((status = 200, body = GeneralSettings), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn delete_logo(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
) -> ApiResult<Json<GeneralSettings>> {
    Ok(Json(branding::delete_logo(&state, &admin.actor).await?))
}
