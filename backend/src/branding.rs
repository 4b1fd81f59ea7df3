//! General settings: the application title, the logo and its position. The title and the
//! position are the `general` row of the settings table; the logo has a table of its own.
//! Every change is audited with its actor in the transaction that makes it.

use crate::auth::Actor;
use crate::domain::logo;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, audit::Change, branding::LogoMeta};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use shared::branding::*;

pub const KEY: &str = "general";

/// The `general` settings row.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    title: String,
    logo_position: LogoPosition,
}

impl Default for Stored {
    fn default() -> Self {
        Stored {
            title: DEFAULT_TITLE.into(),
            logo_position: LogoPosition::default(),
        }
    }
}

/// Returns the stored title and position, or `None` before the first save.
async fn stored(state: &AppState) -> ApiResult<Option<Stored>> {
    let Some(value) = store::settings::get(&state.db, KEY).await? else {
        return Ok(None);
    };
    let stored = serde_json::from_value(value).context("stored general settings are unreadable")?;
    Ok(Some(stored))
}

/// The short version of a logo that its URL carries.
fn version(sha256: &str) -> String {
    sha256.chars().take(16).collect()
}

fn logo_info(meta: LogoMeta) -> LogoInfo {
    LogoInfo {
        content_type: meta.content_type,
        size_bytes: u32::try_from(meta.size_bytes).unwrap_or_default(),
        version: version(&meta.sha256),
        updated_at: meta.updated_at,
        updated_by: meta.updated_by,
    }
}

fn logo_audit(meta: &LogoMeta) -> Value {
    json!({
        "content_type": meta.content_type,
        "size_bytes": meta.size_bytes,
        "sha256": meta.sha256,
    })
}

/// Returns the general settings, with the defaults before the first save.
pub async fn current(state: &AppState) -> ApiResult<GeneralSettings> {
    let stored = stored(state).await?.unwrap_or_default();
    let logo = store::branding::meta(&state.db).await?;
    Ok(GeneralSettings {
        title: stored.title,
        logo_position: stored.logo_position,
        logo: logo.map(logo_info),
    })
}

/// Returns whether an administrator has saved the title.
pub async fn title_saved(state: &AppState) -> ApiResult<bool> {
    Ok(stored(state).await?.is_some())
}

/// Returns what every page shows: the title and whether and where it shows the logo.
pub async fn public(state: &AppState) -> ApiResult<Branding> {
    let settings = current(state).await?;
    let version = settings.logo.as_ref().map(|logo| logo.version.clone());
    Ok(Branding {
        title: settings.title,
        logo_position: settings.logo_position,
        logo_set: version.is_some(),
        logo_url: version
            .as_ref()
            .map(|version| format!("/api/v1/branding/logo?v={version}")),
        logo_version: version,
    })
}

/// Saves the title and the logo position.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    input: GeneralSettingsInput,
) -> ApiResult<GeneralSettings> {
    ApiError::check(input.validate())?;
    let stored = Stored {
        title: input.title.trim().to_string(),
        logo_position: input.logo_position,
    };
    let value = serde_json::to_value(&stored).context("general settings serialize")?;
    let now = state.clock.now();

    let mut tx = state.db.begin().await?;
    let before = store::settings::get_for_update(&mut tx, KEY).await?;
    store::settings::put(&mut tx, KEY, &value, now, actor.as_str()).await?;
    let change = Change {
        action: "settings.update",
        entity_type: "settings",
        entity_id: KEY.to_string(),
        before,
        after: Some(value),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(section = KEY, actor = %actor, "settings saved");
    current(state).await
}

/// Stores `bytes` as the logo after checking its format by its first bytes.
pub async fn upload_logo(
    state: &AppState,
    actor: &Actor,
    bytes: &[u8],
) -> ApiResult<GeneralSettings> {
    let format = logo::check(bytes).map_err(|message| {
        if bytes.len() > LOGO_MAX_BYTES {
            ApiError::file_too_large("logo", message)
        } else {
            ApiError::field("logo", message)
        }
    })?;
    let sha256: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let now = state.clock.now();

    let mut tx = state.db.begin().await?;
    let before = store::branding::meta_for_update(&mut tx).await?;
    store::branding::put(
        &mut tx,
        format.media_type(),
        bytes,
        &sha256,
        now,
        actor.as_str(),
    )
    .await?;
    let after = json!({
        "content_type": format.media_type(),
        "size_bytes": bytes.len(),
        "sha256": sha256,
    });
    let change = Change {
        action: "settings.logo_upload",
        entity_type: "settings",
        entity_id: "logo".into(),
        before: before.as_ref().map(logo_audit),
        after: Some(after),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(actor = %actor, size_bytes = bytes.len(), content_type = format.media_type(), "logo uploaded");
    current(state).await
}

/// Removes the logo; 404 when none is set.
pub async fn delete_logo(state: &AppState, actor: &Actor) -> ApiResult<GeneralSettings> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(before) = store::branding::meta_for_update(&mut tx).await? else {
        return Err(ApiError::NotFound("No logo is set.".into()));
    };
    store::branding::delete(&mut tx).await?;
    let change = Change {
        action: "settings.logo_delete",
        entity_type: "settings",
        entity_id: "logo".into(),
        before: Some(logo_audit(&before)),
        after: None,
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;

    tracing::info!(actor = %actor, "logo removed");
    current(state).await
}
