//! The data a run's templates read: the order and its requester, the pool instance, the global
//! variables and secrets, and the run itself.

use super::modules::OrderScope;
use super::template::Context;
use crate::state::AppState;
use crate::store::{self, runs::RunRow};
use serde_json::{Map, Value, json};

#[derive(Debug)]
pub enum ContextError {
    /// The database failed; the job tries again.
    Retry(anyhow::Error),
    /// The run cannot start, such as a secret that cannot be decrypted.
    Fail(String),
}

impl From<sqlx::Error> for ContextError {
    fn from(error: sqlx::Error) -> Self {
        ContextError::Retry(error.into())
    }
}

/// Loads the global variables and the decrypted secrets.
pub async fn variables(
    state: &AppState,
) -> Result<(Map<String, Value>, Map<String, Value>), ContextError> {
    let mut vars = Map::new();
    let mut secrets = Map::new();
    for row in store::variables::list(&state.db).await? {
        if row.secret {
            let value = state.keys.decrypt_secret(&row.value).map_err(|_| {
                ContextError::Fail(format!(
                    "the secret {} cannot be decrypted; set it again (was API_SECRET_KEY changed?)",
                    row.name
                ))
            })?;
            secrets.insert(row.name, Value::String(value));
        } else {
            vars.insert(row.name, Value::String(row.value));
        }
    }
    Ok((vars, secrets))
}

/// Fills `order`, `requester` and `asset` for an order and an instance.
pub async fn subjects(
    state: &AppState,
    context: &mut Context,
    order_id: Option<uuid::Uuid>,
    asset_id: Option<uuid::Uuid>,
) -> Result<(), ContextError> {
    let mut asset_id = asset_id;
    if let Some(order_id) = order_id {
        let order = store::orders::find(&state.db, order_id)
            .await?
            .ok_or_else(|| ContextError::Fail(format!("order {order_id} does not exist")))?;
        asset_id = asset_id.or(order.asset_id);
        context.order = json!({
            "id": order.id,
            "state": order.state,
            "definition": { "id": order.definition_id, "name": order.definition_name },
            "duration_days": order.duration_days,
            "justification": order.justification,
            "attributes": order.attributes.0,
            "start_at": order.start_at,
            "activated_at": order.activated_at,
            "expires_at": order.expires_at,
            "group_dns": order.group_dns,
        });
        let username = order
            .requester_email
            .split('@')
            .next()
            .unwrap_or_default()
            .to_string();
        context.requester = json!({
            "dn": order.requester_dn,
            "email": order.requester_email,
            "display_name": order.requester_name,
            "username": username,
        });
    }
    if let Some(asset_id) = asset_id {
        let asset = store::assets::find(&state.db, asset_id)
            .await?
            .ok_or_else(|| ContextError::Fail(format!("instance {asset_id} does not exist")))?;
        context.asset = json!({
            "id": asset.id,
            "name": asset.name,
            "status": asset.status,
            "metadata": asset.metadata.0,
            "definition": { "id": asset.definition_id, "name": asset.definition_name },
        });
    }
    Ok(())
}

/// Builds the context of a run.
pub async fn build(state: &AppState, run: &RunRow) -> Result<Context, ContextError> {
    let (vars, secrets) = variables(state).await?;
    let mut context = Context {
        vars,
        secrets,
        run: json!({
            "id": run.id,
            "purpose": run.purpose,
            "runbook": run.runbook_name,
        }),
        ..Context::default()
    };
    subjects(state, &mut context, run.order_id, run.asset_id).await?;
    Ok(context)
}

/// Returns the order a run provisions or reclaims, for the directory steps that keep its grants.
pub async fn order_scope(state: &AppState, run: &RunRow) -> sqlx::Result<Option<OrderScope>> {
    let Some(order_id) = run.order_id else {
        return Ok(None);
    };
    if !matches!(run.purpose.as_str(), "provision" | "deprovision") {
        return Ok(None);
    }
    let Some(order) = store::orders::find(&state.db, order_id).await? else {
        return Ok(None);
    };
    let remove_pre_existing = store::definitions::find(&state.db, order.definition_id)
        .await?
        .is_some_and(|d| d.remove_pre_existing);
    Ok(Some(OrderScope {
        order_id,
        requester_dn: order.requester_dn,
        remove_pre_existing,
    }))
}
