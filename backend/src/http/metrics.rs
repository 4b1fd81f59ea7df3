//! `GET /metrics` in the Prometheus text format, and its settings: on or off, and an optional
//! bearer token that scrapes must send.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::settings::{self, MetricsConfig};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use shared::metrics::{MetricsSettings, MetricsSettingsInput};
use subtle::ConstantTimeEq;

/// The media type of the Prometheus text exposition format.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Returns the metrics in the Prometheus text format.
///
/// Counters and histograms cover this process since it started; the database gauges are at
/// most a few seconds old. The endpoint is open unless Settings → Metrics sets a bearer token,
/// and returns 404 when metrics are off.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String),
        (status = 401, description = "A bearer token is set and the request sent none or another one", body = shared::Problem),
        (status = 404, description = "Metrics are turned off", body = shared::Problem),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let config = settings::load_cached::<MetricsConfig>(&state)
        .await?
        .unwrap_or_default();
    if !config.enabled {
        return Err(ApiError::NotFound(
            "Metrics are turned off; an admin turns them on under Settings → Metrics.".into(),
        ));
    }
    if let Some(expected) = config.token.as_deref()
        && let Some(rejection) = reject_token(&headers, expected)
    {
        return Ok(rejection);
    }

    let body = crate::observability::gauges::render(&state).await;
    Ok(([(header::CONTENT_TYPE, TEXT_FORMAT)], body).into_response())
}

/// Checks the bearer token of a scrape. Returns the 401 response, with a `WWW-Authenticate`
/// challenge, when the token is missing or wrong.
fn reject_token(headers: &HeaderMap, expected: &str) -> Option<Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(presented) = presented else {
        return Some(unauthorized(
            "Send the metrics token as `Authorization: Bearer <token>`.",
            "Bearer realm=\"metrics\"",
        ));
    };
    // Comparing digests in constant time reveals neither the token's content nor its length
    // through the response time.
    let matches: bool = Sha256::digest(presented.as_bytes())
        .ct_eq(&Sha256::digest(expected.as_bytes()))
        .into();
    (!matches).then(|| {
        unauthorized(
            "The metrics token is wrong.",
            "Bearer realm=\"metrics\", error=\"invalid_token\"",
        )
    })
}

fn unauthorized(detail: &str, challenge: &'static str) -> Response {
    let mut response = ApiError::Unauthenticated(detail.into()).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

/// Returns the `/metrics` settings; the token is never returned. Before the first save
/// metrics are on and need no token.
#[utoipa::path(get, path = "/api/v1/settings/metrics", tag = "settings",
    responses((status = 200, body = MetricsSettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_settings(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<MetricsSettings>> {
    let config = settings::load::<MetricsConfig>(&state)
        .await?
        .unwrap_or_default();
    Ok(Json(config.view()))
}

/// Saves the `/metrics` settings; a token left out keeps the stored one and an empty one
/// removes it. This replica applies them at once, others within seconds.
#[utoipa::path(put, path = "/api/v1/settings/metrics", tag = "settings",
    request_body = MetricsSettingsInput,
    responses((status = 200, body = MetricsSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_settings(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<MetricsSettingsInput>,
) -> ApiResult<Json<MetricsSettings>> {
    let config = MetricsConfig::from_input(input)?;
    let saved = settings::save(&state, &admin.actor, config).await?;
    Ok(Json(saved.view()))
}
