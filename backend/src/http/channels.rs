//! Chat channel settings, Microsoft Teams and Slack, each with a "send test message" route.
//! The incoming-webhook URL is the secret of each section: write-only and encrypted at rest.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::error::ApiResult;
use crate::integrations::chat::{self, Channel, Slack, Teams};
use crate::notifications::chat::test_message;
use crate::settings::{self, ChannelConfig};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use shared::settings::{ChannelSettings, ChannelSettingsInput, ConnectionTest};

async fn current<C: Channel>(state: &AppState) -> ApiResult<ChannelSettings> {
    let view = settings::load::<ChannelConfig<C>>(state).await?.map_or(
        ChannelSettings {
            enabled: false,
            webhook_url_set: false,
        },
        |config| config.view(),
    );
    Ok(view)
}

async fn save<C: Channel>(
    state: &AppState,
    admin: &Admin<perm::SettingsWrite>,
    input: ChannelSettingsInput,
) -> ApiResult<ChannelSettings> {
    let config = ChannelConfig::<C>::from_input(input)?;
    let saved = settings::save(state, &admin.actor, config).await?;
    Ok(saved.view())
}

async fn test<C: Channel>(
    state: &AppState,
    input: ChannelSettingsInput,
) -> ApiResult<ConnectionTest> {
    let config = ChannelConfig::<C>::from_input(input)?;
    let config = settings::with_stored_secret(state, config).await?;
    let url = config.require_url()?;
    let result = chat::post::<C>(url, &test_message(state, C::NAME)).await;
    Ok(match result {
        Ok(()) => ConnectionTest {
            ok: true,
            message: format!("{} accepted the test message.", C::NAME),
        },
        Err(error) => ConnectionTest {
            ok: false,
            message: error.to_string(),
        },
    })
}

/// Returns the Microsoft Teams settings; the webhook URL is never returned. Before the first
/// save the channel is off.
#[utoipa::path(get, path = "/api/v1/settings/teams", tag = "settings",
    responses((status = 200, body = ChannelSettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_teams(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<ChannelSettings>> {
    Ok(Json(current::<Teams>(&state).await?))
}

/// Saves the Microsoft Teams settings; a webhook URL left out keeps the stored one.
#[utoipa::path(put, path = "/api/v1/settings/teams", tag = "settings",
    request_body = ChannelSettingsInput,
    responses((status = 200, body = ChannelSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_teams(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<ChannelSettingsInput>,
) -> ApiResult<Json<ChannelSettings>> {
    Ok(Json(save::<Teams>(&state, &admin, input).await?))
}

/// Posts a test card to the submitted webhook URL, or the stored one when it is left out,
/// saving nothing.
#[utoipa::path(post, path = "/api/v1/settings/teams/test", tag = "settings",
    request_body = ChannelSettingsInput,
    responses((status = 200, body = ConnectionTest), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn test_teams(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<ChannelSettingsInput>,
) -> ApiResult<Json<ConnectionTest>> {
    Ok(Json(test::<Teams>(&state, input).await?))
}

/// Returns the Slack settings; the webhook URL is never returned. Before the first save the
/// channel is off.
#[utoipa::path(get, path = "/api/v1/settings/slack", tag = "settings",
    responses((status = 200, body = ChannelSettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_slack(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<ChannelSettings>> {
    Ok(Json(current::<Slack>(&state).await?))
}

/// Saves the Slack settings; a webhook URL left out keeps the stored one.
#[utoipa::path(put, path = "/api/v1/settings/slack", tag = "settings",
    request_body = ChannelSettingsInput,
    responses((status = 200, body = ChannelSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_slack(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<ChannelSettingsInput>,
) -> ApiResult<Json<ChannelSettings>> {
    Ok(Json(save::<Slack>(&state, &admin, input).await?))
}

/// Posts a test message to the submitted webhook URL, or the stored one when it is left out,
/// saving nothing.
#[utoipa::path(post, path = "/api/v1/settings/slack/test", tag = "settings",
    request_body = ChannelSettingsInput,
    responses((status = 200, body = ConnectionTest), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn test_slack(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<ChannelSettingsInput>,
) -> ApiResult<Json<ConnectionTest>> {
    Ok(Json(test::<Slack>(&state, input).await?))
}
