//! The SIEM settings, with how forwarding is going, and a "send test event" route.

use super::ApiJson;
use super::settings::connection_test;
use crate::auth::admin::{Admin, perm};
use crate::error::ApiResult;
use crate::integrations::siem::Siem;
use crate::settings::{self, SiemConfig};
use crate::state::AppState;
use crate::store;
use axum::Json;
use axum::extract::State;
use shared::audit::AuditEntry;
use shared::settings::ConnectionTest;
use shared::siem::{SiemFormat, SiemSettings, SiemSettingsInput};

/// Returns the SIEM settings and the state of forwarding; the HEC token is never returned.
/// Before the first save forwarding is off.
#[utoipa::path(get, path = "/api/v1/settings/siem", tag = "settings",
    responses((status = 200, body = SiemSettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_settings(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<SiemSettings>> {
    let config = settings::load::<SiemConfig>(&state)
        .await?
        .unwrap_or(SiemConfig {
            enabled: false,
            format: SiemFormat::SplunkHec,
            endpoint: String::new(),
            token: None,
            index: None,
        });
    let delivery = store::siem::delivery(&state.db).await?;
    Ok(Json(config.view(delivery)))
}

/// Saves the SIEM settings. Turned on, every audit row written from then on is forwarded,
/// starting with this change's own row. A token left out keeps the stored one while the
/// endpoint stays the same.
#[utoipa::path(put, path = "/api/v1/settings/siem", tag = "settings",
    request_body = SiemSettingsInput,
    responses((status = 200, body = SiemSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_settings(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<SiemSettingsInput>,
) -> ApiResult<Json<SiemSettings>> {
    let config = SiemConfig::from_input(input)?;
    let saved = settings::save(&state, &admin.actor, config).await?;
    let delivery = store::siem::delivery(&state.db).await?;
    Ok(Json(saved.view(delivery)))
}

/// Sends one test event (action `siem.test`) with the submitted settings, or the stored token
/// when it is left out, saving nothing.
#[utoipa::path(post, path = "/api/v1/settings/siem/test", tag = "settings",
    request_body = SiemSettingsInput,
    responses((status = 200, body = ConnectionTest), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn test(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<SiemSettingsInput>,
) -> ApiResult<Json<ConnectionTest>> {
    let mut config = SiemConfig::from_input(input)?;
    config.enabled = true;
    let config = settings::with_stored_secret(&state, config).await?;
    config.require_token()?;
    let event = AuditEntry {
        id: uuid::Uuid::now_v7(),
        at: state.clock.now(),
        actor: admin.actor.as_str().to_string(),
        action: "siem.test".into(),
        entity_type: "settings".into(),
        entity_id: settings::SIEM.into(),
        before: None,
        after: None,
    };
    let host = crate::audit_forwarding::installation_host(&state);
    let result = Siem::new(&config, host).send(&[event]).await.map(|()| {
        // Syslog over TCP has no acknowledgement, so only HEC confirms that it took the event.
        match config.format {
            SiemFormat::SplunkHec => format!(
                "The collector at {} accepted a test event with the action siem.test.",
                config.endpoint
            ),
            SiemFormat::Syslog => format!(
                "Sent a test event with the action siem.test to {}; look for it in the SIEM.",
                config.endpoint
            ),
        }
    });
    Ok(Json(connection_test(result)))
}
