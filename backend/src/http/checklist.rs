//! The setup checklist of the admin dashboard.

use crate::auth::admin::{Admin, perm};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use shared::checklist::SetupChecklist;

/// Lists what the installation still needs, worked out from its current state: essential
/// items (title and logo, mail server, directory, portal sign-in, an asset definition,
/// instances in the pool) and recommended ones (a Teams or Slack channel, an API token).
/// Configured connections are checked live with a 4-second timeout. Each result is reused for
/// a minute while the settings stay the same, and a failed check makes its item broken with
/// the reason.
#[utoipa::path(get, path = "/api/v1/setup/checklist", tag = "setup",
    responses((status = 200, body = SetupChecklist)),
    extensions(("x-permission" = json!("settings_read"))))]
pub async fn checklist(
    State(state): State<AppState>,
    _admin: Admin<perm::SettingsRead>,
) -> ApiResult<Json<SetupChecklist>> {
    Ok(Json(crate::checklist::build(&state).await?))
}
