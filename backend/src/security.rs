//! The installation's sign-in and session rules, read from the `security` settings section
//! and kept for a few seconds so each request does not read them again.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{self, Tx};
use shared::FieldError;
use shared::auth::SignInRestriction;
use shared::permissions::Role;
use shared::settings::{RolePair, SecuritySettings};
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

/// Reads the settings inside a transaction, bypassing the cache, for checks that must see the
/// latest saved rules.
pub async fn current_in(tx: &mut Tx<'_>) -> ApiResult<SecuritySettings> {
    let value: Option<serde_json::Value> =
        sqlx::query_scalar("select value from settings where key = $1")
            .bind(KEY)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match value {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| anyhow::anyhow!("stored security settings are unreadable: {e}"))?,
        None => SecuritySettings::default(),
    })
}

/// Two accounts of one person that break a conflicting-role rule.
#[derive(Debug, PartialEq)]
pub struct RoleConflict {
    pub email: String,
    pub pair: RolePair,
    pub usernames: Vec<String>,
}

/// Pairs of accounts that break one of `pairs`: accounts are `(email, username, role)` of
/// active users, and two accounts conflict when they share an address.
pub fn role_conflicts(
    accounts: &[(String, String, Role)],
    pairs: &[RolePair],
) -> Vec<RoleConflict> {
    let mut conflicts = Vec::new();
    for (i, (email_a, user_a, role_a)) in accounts.iter().enumerate() {
        for (email_b, user_b, role_b) in &accounts[i + 1..] {
            if !email_a.eq_ignore_ascii_case(email_b) {
                continue;
            }
            if let Some(pair) = pairs.iter().find(|p| p.matches(*role_a, *role_b)) {
                conflicts.push(RoleConflict {
                    email: email_a.to_lowercase(),
                    pair: *pair,
                    usernames: vec![user_a.clone(), user_b.clone()],
                });
            }
        }
    }
    conflicts
}

fn describe(conflict: &RoleConflict) -> String {
    format!(
        "{} holds {} and {} through {}",
        conflict.email,
        conflict.pair.first.as_str(),
        conflict.pair.second.as_str(),
        conflict.usernames.join(" and ")
    )
}

/// Rejects an active account with `email` and `role` when another active account of the same
/// person has a role the rules forbid alongside it. Takes the rules lock first.
pub async fn check_role_conflicts(
    tx: &mut Tx<'_>,
    username: &str,
    email: Option<&str>,
    role: Role,
    except: Option<Uuid>,
) -> ApiResult<()> {
    store::admins::lock_role_rules(tx).await?;
    let Some(email) = email else {
        return Ok(());
    };
    let pairs = current_in(tx).await?.separation_of_duties.conflicting_roles;
    if pairs.is_empty() {
        return Ok(());
    }
    let mut accounts = vec![(email.to_string(), username.to_string(), role)];
    for other in store::admins::active_with_email(tx, email, except).await? {
        let other_email = other.email.clone().unwrap_or_default();
        accounts.push((other_email, other.username.clone(), other.role()));
    }
    let found: Vec<RoleConflict> = role_conflicts(&accounts, &pairs)
        .into_iter()
        .filter(|c| c.usernames.iter().any(|u| u == username))
        .collect();
    match found.first() {
        None => Ok(()),
        Some(conflict) => Err(ApiError::conflict(format!(
            "Separation of duties: {} may not hold {} and {} at once, and {} is already {}. \
             Change the role of one of the two accounts first.",
            conflict.email,
            conflict.pair.first.as_str(),
            conflict.pair.second.as_str(),
            conflict
                .usernames
                .iter()
                .find(|u| *u != username)
                .map_or("", String::as_str),
            if conflict.pair.first == role {
                conflict.pair.second.as_str()
            } else {
                conflict.pair.first.as_str()
            },
        ))),
    }
}

/// Refuses new conflicting-role rules that accounts already break, listing them.
pub async fn check_new_rules(tx: &mut Tx<'_>, rules: &SecuritySettings) -> ApiResult<()> {
    store::admins::lock_role_rules(tx).await?;
    let pairs = &rules.separation_of_duties.conflicting_roles;
    if pairs.is_empty() {
        return Ok(());
    }
    let accounts: Vec<(String, String, Role)> = store::admins::active_with_any_email(tx)
        .await?
        .into_iter()
        .map(|row| {
            (
                row.email.clone().unwrap_or_default(),
                row.username.clone(),
                row.role(),
            )
        })
        .collect();
    let conflicts = role_conflicts(&accounts, pairs);
    if conflicts.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = conflicts.iter().map(describe).collect();
    Err(ApiError::field(
        "separation_of_duties.conflicting_roles",
        format!(
            "existing accounts already break these rules; change them first: {}",
            listed.join("; ")
        ),
    ))
}

/// Returns what a signed-in admin must fix before doing anything but managing their own
/// account.
pub fn restriction(
    user: &store::admins::AdminUserRow,
    rules: &SecuritySettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<SignInRestriction> {
    let max_age = rules.password_policy.max_age_days;
    if max_age > 0 && now - user.password_changed_at > chrono::Duration::days(i64::from(max_age)) {
        return Some(SignInRestriction::PasswordExpired);
    }
    if user.totp_secret.is_none() && rules.totp_required_roles.contains(&user.role()) {
        return Some(SignInRestriction::TotpSetupRequired);
    }
    None
}
