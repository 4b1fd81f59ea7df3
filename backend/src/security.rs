//! The installation's sign-in and session rules, read from the `security` settings section
//! and kept for a few seconds so each request does not read them again.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, Tx};
use shared::FieldError;
use shared::settings::SecuritySettings;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;
use uuid::Uuid;

pub const KEY: &str = "security";
/// How long a replica keeps the settings before reading them again; a change made on another
/// replica takes effect here within this time.
const CACHE_TTL: Duration = Duration::from_secs(5);

#[derive(Clone, Default)]
pub struct SecurityCache {
    inner: Arc<RwLock<Option<(Instant, SecuritySettings)>>>,
}

impl SecurityCache {
    pub async fn forget(&self) {
        *self.inner.write().await = None;
    }
}

/// Returns the current settings, or the defaults before the first save.
pub async fn current(state: &AppState) -> ApiResult<SecuritySettings> {
    if let Some((read_at, settings)) = state.security.inner.read().await.as_ref()
        && read_at.elapsed() < CACHE_TTL
    {
        return Ok(settings.clone());
    }
    let settings = match store::settings::get(&state.db, KEY).await? {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| anyhow::anyhow!("stored security settings are unreadable: {e}"))?,
        None => SecuritySettings::default(),
    };
    *state.security.inner.write().await = Some((Instant::now(), settings.clone()));
    Ok(settings)
}

/// Checks a new password against the policy and, for an existing user, their earlier
/// passwords. `field` names the request field in the errors.
pub async fn check_new_password(
    state: &AppState,
    user_id: Option<Uuid>,
    password: &str,
    field: &str,
) -> ApiResult<()> {
    let policy = current(state).await?.password_policy;
    let errors: Vec<FieldError> = policy
        .reasons(password)
        .into_iter()
        .map(|reason| FieldError::new(field, reason))
        .collect();
    ApiError::check(errors)?;

    if let (Some(user_id), history) = (user_id, policy.history)
        && history > 0
    {
        let earlier: Vec<String> = sqlx::query_scalar(
            "select password_hash from admin_users where id = $1
             union all
             (select password_hash from admin_password_history where user_id = $1
              order by set_at desc limit $2)",
        )
        .bind(user_id)
        .bind(i64::from(history))
        .fetch_all(&state.db)
        .await?;
        for hash in &earlier {
            if state.passwords.verify(password, Some(hash)).await {
                return Err(ApiError::field(
                    field,
                    format!("must not be your current password or one of your last {history}"),
                ));
            }
        }
    }
    Ok(())
}

/// Keeps the hash being replaced, for the reuse rule.
pub async fn remember_old_password(
    tx: &mut Tx<'_>,
    user_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into admin_password_history (user_id, password_hash, set_at)
         select id, password_hash, $2 from admin_users where id = $1",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
