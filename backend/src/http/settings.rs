//! Connection settings: directory, mail and portal sign-in, each with a connection test.

use super::ApiJson;
use crate::auth::admin::{Admin, perm};
use crate::error::{ApiError, ApiResult};
use crate::integrations::directory::Directory;
use crate::integrations::mail::Mailer;
use crate::settings::{self, LdapConfig, OidcConfig, SmtpConfig};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use shared::settings::*;

/// Builds the response of a connection test from what succeeded or the failure.
pub(super) fn connection_test<E: std::fmt::Display>(result: Result<String, E>) -> ConnectionTest {
    match result {
        Ok(message) => ConnectionTest { ok: true, message },
        Err(error) => ConnectionTest {
            ok: false,
            message: error.to_string(),
        },
    }
}

fn not_set(section: &str) -> ApiError {
    ApiError::NotFound(format!("The {section} settings have not been saved yet."))
}

/// Returns the directory settings; the bind password is never returned.
#[utoipa::path(get, path = "/api/v1/settings/ldap", tag = "settings",
    responses((status = 200, body = LdapSettings), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_ldap(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<LdapSettings>> {
    let config = settings::load::<LdapConfig>(&state)
        .await?
        .ok_or_else(|| not_set("directory"))?;
    Ok(Json(config.view()))
}

/// Saves the directory settings; a bind password left out keeps the stored one.
#[utoipa::path(put, path = "/api/v1/settings/ldap", tag = "settings",
    request_body = LdapSettingsInput,
    responses((status = 200, body = LdapSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_ldap(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<LdapSettingsInput>,
) -> ApiResult<Json<LdapSettings>> {
    let config = LdapConfig::from_input(input)?;
    let saved = settings::save(&state, &admin.actor, config).await?;
    Ok(Json(saved.view()))
}

/// Connects and binds with the submitted directory settings, saving nothing.
#[utoipa::path(post, path = "/api/v1/settings/ldap/test", tag = "settings",
    request_body = LdapSettingsInput,
    responses((status = 200, body = ConnectionTest), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn test_ldap(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<LdapSettingsInput>,
) -> ApiResult<Json<ConnectionTest>> {
    let config = LdapConfig::from_input(input)?;
    let config = settings::with_stored_secret(&state, config).await?;
    let result = Directory::new(config).test().await;
    Ok(Json(connection_test(result)))
}

/// Returns the mail settings; the password is never returned.
#[utoipa::path(get, path = "/api/v1/settings/smtp", tag = "settings",
    responses((status = 200, body = SmtpSettings), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_smtp(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<SmtpSettings>> {
    let config = settings::load::<SmtpConfig>(&state)
        .await?
        .ok_or_else(|| not_set("e-mail"))?;
    Ok(Json(config.view()))
}

/// Saves the mail settings; a password left out keeps the stored one.
#[utoipa::path(put, path = "/api/v1/settings/smtp", tag = "settings",
    request_body = SmtpSettingsInput,
    responses((status = 200, body = SmtpSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_smtp(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<SmtpSettingsInput>,
) -> ApiResult<Json<SmtpSettings>> {
    let config = SmtpConfig::from_input(input)?;
    let saved = settings::save(&state, &admin.actor, config).await?;
    Ok(Json(saved.view()))
}

/// Connects to the mail server with the submitted settings, sending nothing.
#[utoipa::path(post, path = "/api/v1/settings/smtp/test", tag = "settings",
    request_body = SmtpSettingsInput,
    responses((status = 200, body = ConnectionTest), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn test_smtp(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<SmtpSettingsInput>,
) -> ApiResult<Json<ConnectionTest>> {
    let config = SmtpConfig::from_input(input)?;
    let config = settings::with_stored_secret(&state, config).await?;
    let result = match Mailer::new(config) {
        Ok(mailer) => mailer.test().await,
        Err(error) => Err(error),
    };
    Ok(Json(connection_test(result)))
}

/// Returns the redirect URI to register at the identity provider.
pub fn redirect_uri(state: &AppState) -> String {
    let mut url = state.config.public_url.clone();
    url.set_path("/api/v1/portal/auth/callback");
    url.to_string()
}

/// Returns the portal sign-in settings; the client secret is never returned. Before the first
/// save it returns sign-in turned off, with the redirect URI to register at the provider.
#[utoipa::path(get, path = "/api/v1/settings/oidc", tag = "settings",
    responses((status = 200, body = OidcSettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_oidc(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<OidcSettings>> {
    let redirect = redirect_uri(&state);
    let view = match settings::load::<OidcConfig>(&state).await? {
        Some(config) => config.view(redirect),
        None => OidcSettings {
            enabled: false,
            issuer_url: String::new(),
            client_id: String::new(),
            client_secret_set: false,
            allowed_email_domains: Vec::new(),
            redirect_uri: redirect,
        },
    };
    Ok(Json(view))
}

/// Saves the portal sign-in settings; a client secret left out keeps the stored one.
#[utoipa::path(put, path = "/api/v1/settings/oidc", tag = "settings",
    request_body = OidcSettingsInput,
    responses((status = 200, body = OidcSettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_oidc(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<OidcSettingsInput>,
) -> ApiResult<Json<OidcSettings>> {
    let config = OidcConfig::from_input(input)?;
    let saved = settings::save(&state, &admin.actor, config).await?;
    Ok(Json(saved.view(redirect_uri(&state))))
}

/// Checks the submitted portal sign-in settings against the provider, saving nothing: reads
/// the discovery document and checks its issuer, reads the signing keys, and, with a client
/// secret, asks the token endpoint whether it accepts the client. A client secret left out is
/// taken from the stored settings while the issuer and client ID are unchanged.
#[utoipa::path(post, path = "/api/v1/settings/oidc/test", tag = "settings",
    request_body = OidcSettingsInput,
    responses((status = 200, body = ConnectionTest), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn test_oidc(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<OidcSettingsInput>,
) -> ApiResult<Json<ConnectionTest>> {
    let config = OidcConfig::from_input(input)?;
    let config = settings::with_stored_secret(&state, config).await?;
    let result = crate::integrations::oidc_check::test(&config, &redirect_uri(&state)).await;
    Ok(Json(connection_test(result)))
}

/// Returns the sign-in and session rules.
#[utoipa::path(get, path = "/api/v1/settings/security", tag = "settings",
    responses((status = 200, body = SecuritySettings)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn get_security(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<SecuritySettings>> {
    Ok(Json(crate::security::current(&state).await?))
}

/// Saves the sign-in and session rules. They apply to new passwords and to every session's
/// next request; this replica applies them at once, others within seconds.
#[utoipa::path(put, path = "/api/v1/settings/security", tag = "settings",
    request_body = SecuritySettings,
    responses((status = 200, body = SecuritySettings), (status = 422, body = shared::Problem)),
    extensions(("x-permission" = json!("settings_write"))))]
pub async fn put_security(
    State(state): State<AppState>,
    admin: Admin<perm::SettingsWrite>,
    ApiJson(input): ApiJson<SecuritySettings>,
) -> ApiResult<Json<SecuritySettings>> {
    ApiError::check(input.validate())?;
    let now = state.clock.now();
    let value = serde_json::to_value(&input).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    crate::security::check_new_rules(&mut tx, &input).await?;
    let before = crate::store::settings::get_for_update(&mut tx, crate::security::KEY).await?;
    crate::store::settings::put(
        &mut tx,
        crate::security::KEY,
        &value,
        now,
        admin.actor.as_str(),
    )
    .await?;
    let change = crate::store::audit::Change {
        action: "settings.update",
        entity_type: "settings",
        entity_id: crate::security::KEY.to_string(),
        before,
        after: Some(value),
    };
    crate::store::audit::record(&mut tx, &admin.actor, now, change).await?;
    tx.commit().await?;
    state.security.forget().await;
    Ok(Json(input))
}
