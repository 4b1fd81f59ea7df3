//! `ipsolis seed FILE`: loads administrators, connection settings and asset definitions from
//! a JSON file, for scripted installations and the demo. Running it again changes nothing
//! that already exists, except settings, which it saves again.

use crate::auth::Actor;
use crate::error::ApiError;
use crate::settings::{self, LdapConfig, OidcConfig, SmtpConfig};
use crate::state::AppState;
use crate::store::{self, audit::Change};
use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::json;
use shared::catalog::AssetDefinitionInput;
use shared::permissions::Role;
use shared::settings::{LdapSettingsInput, OidcSettingsInput, SmtpSettingsInput};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    #[serde(default)]
    pub admins: Vec<SeedAdmin>,
    pub ldap: Option<LdapSettingsInput>,
    pub smtp: Option<SmtpSettingsInput>,
    pub oidc: Option<OidcSettingsInput>,
    #[serde(default)]
    pub asset_definitions: Vec<AssetDefinitionInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAdmin {
    pub username: String,
    pub password: String,
    pub role: Role,
}

fn api_error(context: &str, error: ApiError) -> anyhow::Error {
    match error {
        ApiError::Validation(errors) => {
            let fields: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            anyhow::anyhow!("{context}: {}", fields.join("; "))
        }
        other => anyhow::anyhow!("{context}: {other}"),
    }
}

pub async fn apply(state: &AppState, seed: SeedFile) -> anyhow::Result<()> {
    let actor = Actor::system("seed");
    for admin in &seed.admins {
        seed_admin(state, &actor, admin).await?;
    }
    if let Some(input) = seed.ldap {
        let config = LdapConfig::from_input(input).map_err(|e| api_error("ldap", e))?;
        settings::save(state, &actor, config)
            .await
            .map_err(|e| api_error("ldap", e))?;
    }
    if let Some(input) = seed.smtp {
        let config = SmtpConfig::from_input(input).map_err(|e| api_error("smtp", e))?;
        settings::save(state, &actor, config)
            .await
            .map_err(|e| api_error("smtp", e))?;
    }
    if let Some(input) = seed.oidc {
        let config = OidcConfig::from_input(input).map_err(|e| api_error("oidc", e))?;
        settings::save(state, &actor, config)
            .await
            .map_err(|e| api_error("oidc", e))?;
    }
    for definition in &seed.asset_definitions {
        seed_definition(state, &actor, definition).await?;
    }
    Ok(())
}

async fn seed_admin(state: &AppState, actor: &Actor, admin: &SeedAdmin) -> anyhow::Result<()> {
    let username = admin.username.trim().to_lowercase();
    let errors = shared::validation::credentials(&username, &admin.password);
    if let Some(error) = errors.first() {
        bail!("admin {username}: {} {}", error.field, error.message);
    }
    if store::admins::find_by_username(&state.db, &username)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let hash = state.passwords.hash(&admin.password).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let fields = store::admins::AccessFields {
        role: admin.role,
        active: true,
        email: None,
        scope: &Default::default(),
    };
    let row = store::admins::insert(&mut tx, &username, &hash, &fields, now).await?;
    sqlx::query("insert into installation (singleton, set_up_at, set_up_by) values (true, $1, $2) on conflict do nothing")
        .bind(now)
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
    let change = Change {
        action: "admin_user.create",
        entity_type: "admin_user",
        entity_id: row.id.to_string(),
        before: None,
        after: Some(json!({ "username": username, "role": admin.role.as_str() })),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    Ok(())
}

async fn seed_definition(
    state: &AppState,
    actor: &Actor,
    input: &AssetDefinitionInput,
) -> anyhow::Result<()> {
    let errors = shared::validation::asset_definition(input);
    if let Some(error) = errors.first() {
        bail!(
            "asset definition {:?}: {} {}",
            input.name,
            error.field,
            error.message
        );
    }
    let exists: bool = sqlx::query_scalar(
        "select exists (select 1 from asset_definitions where lower(name) = lower($1))",
    )
    .bind(input.name.trim())
    .fetch_one(&state.db)
    .await?;
    if exists {
        return Ok(());
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = store::definitions::insert(&mut tx, input, now).await?;
    let change = Change {
        action: "asset_definition.create",
        entity_type: "asset_definition",
        entity_id: row.id.to_string(),
        before: None,
        after: Some(serde_json::to_value(row.dto())?),
    };
    store::audit::record(&mut tx, actor, now, change).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn apply_file(state: &AppState, path: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the seed file {}", path.display()))?;
    let seed: SeedFile = serde_json::from_str(&text)
        .with_context(|| format!("the seed file {} is invalid", path.display()))?;
    apply(state, seed).await
}
