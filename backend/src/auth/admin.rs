//! Admin authentication and authorization as handler parameters: `Admin<perm::CatalogWrite>`
//! in a signature means the handler runs only for a signed-in admin holding that permission.

use super::Actor;
use super::session::{self, ADMIN_COOKIE, AdminCookie, CSRF_HEADER};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::PrivateCookieJar;
use shared::admin_users::AccessScope;
use shared::auth::SignInRestriction;
use shared::permissions::{Permission, Role};
use shared::tokens::Scope;
use std::marker::PhantomData;
use subtle::ConstantTimeEq;
use uuid::Uuid;

pub const ADMIN_KEY_HEADER: &str = "x-admin-key";

/// An authenticated admin, by session cookie or by the legacy `X-Admin-Key`.
#[derive(Debug, Clone)]
pub struct AdminPrincipal {
    /// Absent for the legacy key, which belongs to no user. For an API token, its creator.
    pub user_id: Option<Uuid>,
    pub username: String,
    pub role: Role,
    pub actor: Actor,
    /// For an API token: its scopes and the role it is limited to.
    pub token: Option<TokenLimits>,
    /// For a session cookie: the server-side session.
    pub session_id: Option<Uuid>,
    /// The asset definitions the role applies to for catalog changes and orders.
    pub scope: AccessScope,
    /// Set when the admin may only reach My account for now.
    pub restriction: Option<SignInRestriction>,
}

/// What narrows an API token below its creator's role.
#[derive(Debug, Clone)]
pub struct TokenLimits {
    pub id: Uuid,
    pub scopes: Vec<Scope>,
    pub role: Option<Role>,
}

impl AdminPrincipal {
    /// Whether this principal may do what `permission` names: the role must hold it and, for
    /// a token, the token's own role and one of its scopes too.
    pub fn allows(&self, permission: Permission) -> bool {
        if !self.role.allows(permission) {
            return false;
        }
        match &self.token {
            None => true,
            Some(limits) => {
                limits.role.is_none_or(|role| role.allows(permission))
                    && limits.scopes.iter().any(|scope| scope.grants(permission))
            }
        }
    }

    /// Returns whether the access scope covers the definition with `id` in `category`.
    pub fn covers(&self, id: Uuid, category: &str) -> bool {
        self.scope.covers(id, category)
    }

    /// Returns the account behind this principal, or 403 for the legacy key, which has none.
    pub fn account(&self) -> Result<Uuid, ApiError> {
        self.user_id.ok_or_else(|| {
            ApiError::Forbidden(
                "Signed in with the legacy admin key, which has no account; sign in as an admin user for this."
                    .into(),
            )
        })
    }

    /// Refuses an admin whose sign-in is restricted to My account.
    pub fn check_unrestricted(&self) -> Result<(), ApiError> {
        match self.restriction {
            Some(restriction) => Err(ApiError::Forbidden(restriction.message().into())),
            None => Ok(()),
        }
    }

    fn unrestricted(self) -> Result<AdminPrincipal, ApiError> {
        self.check_unrestricted().map(|()| self)
    }
}

/// Returns a short fingerprint of the legacy key, kept in its sessions' cookies.
pub fn key_tag(key: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("ipsolis legacy key session\0{key}"));
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Returns whether the legacy key is enabled and `sent` matches it. The comparison takes
/// constant time, so response timing does not reveal how much of the key matched.
pub async fn legacy_key_matches(state: &AppState, sent: &[u8]) -> Result<bool, ApiError> {
    let enabled = crate::security::current(state)
        .await?
        .legacy_admin_key_enabled;
    Ok(
        match state.config.admin_api_key.as_ref().filter(|_| enabled) {
            Some(expected) => bool::from(sent.ct_eq(expected.as_bytes())),
            None => false,
        },
    )
}

/// Builds the virtual superadmin of the legacy key.
fn legacy_principal(session_id: Option<Uuid>) -> AdminPrincipal {
    AdminPrincipal {
        user_id: None,
        username: "legacy-key".into(),
        role: Role::Superadmin,
        actor: Actor::legacy_key(),
        token: None,
        session_id,
        scope: AccessScope::default(),
        restriction: None,
    }
}

/// A type naming one permission, used as the parameter of [`Admin`].
pub trait RequiredPermission {
    const PERMISSION: Permission;
}

/// Permission markers for [`Admin`].
pub mod perm {
    use super::RequiredPermission;
    use shared::permissions::Permission;

    macro_rules! markers {
        ($($name:ident),*) => {$(
            pub struct $name;
            impl RequiredPermission for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*};
    }

    markers!(
        SettingsRead,
        SettingsWrite,
        CatalogRead,
        CatalogWrite,
        OrdersRead,
        OrdersWrite,
        OrdersDecide,
        AuditRead,
        UsersWrite,
        JobsRead,
        JobsWrite,
        LicenseRead,
        LicenseWrite,
        BackupsRead,
        BackupsRestore,
        HealthRead
    );

    /// Any signed-in admin, whatever the role.
    pub struct Any;

    /// Any admin signed in with a session cookie, not an API token or the `X-Admin-Key`
    /// header, even one whose sign-in is restricted to My account.
    pub struct Session;
}

/// An admin allowed to do what `P` names.
pub struct Admin<P> {
    pub principal: AdminPrincipal,
    _permission: PhantomData<P>,
}

impl<P> std::ops::Deref for Admin<P> {
    type Target = AdminPrincipal;
    fn deref(&self) -> &AdminPrincipal {
        &self.principal
    }
}

async fn legacy_key(parts: &Parts, state: &AppState) -> Option<Result<AdminPrincipal, ApiError>> {
    let sent = parts.headers.get(ADMIN_KEY_HEADER)?;
    let enabled = match crate::security::current(state).await {
        Ok(settings) => settings.legacy_admin_key_enabled,
        Err(error) => return Some(Err(error)),
    };
    let expected = state.config.admin_api_key.as_ref().filter(|_| enabled);
    let Some(expected) = expected else {
        return Some(Err(ApiError::Unauthenticated(
            "X-Admin-Key is not enabled on this installation.".into(),
        )));
    };
    // Constant-time, so response timing does not reveal how much of the key matched.
    if !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
        return Some(Err(ApiError::Unauthenticated(
            "X-Admin-Key is invalid.".into(),
        )));
    }
    Some(Ok(legacy_principal(None)))
}

/// Checks an API token from the `Authorization` header. The token acts with its creator's
/// current role, so deactivating or demoting the creator limits the token at once.
async fn api_token(parts: &Parts, state: &AppState) -> Option<Result<AdminPrincipal, ApiError>> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let secret = super::tokens::bearer(header)?;
    let invalid =
        || ApiError::Unauthenticated("The API token is invalid, expired or revoked.".into());
    let now = state.clock.now();

    let row =
        match crate::store::tokens::find_by_hash(&state.db, &super::tokens::hash(secret)).await {
            Ok(Some(row)) if row.revoked_at.is_none() && row.expires_at > now => row,
            Ok(_) => return Some(Err(invalid())),
            Err(error) => return Some(Err(error.into())),
        };
    let creator = match crate::store::admins::find_by_id(&state.db, row.created_by).await {
        Ok(Some(user)) if user.active => user,
        Ok(_) => return Some(Err(invalid())),
        Err(error) => return Some(Err(error.into())),
    };

    let address = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string());
    if let Err(error) = crate::store::tokens::record_use(&state.db, row.id, address, now).await {
        tracing::warn!(token_id = %row.id, %error, "recording the token's use failed");
    }
    Some(Ok(AdminPrincipal {
        user_id: Some(creator.id),
        username: creator.username.clone(),
        role: creator.role(),
        actor: Actor::token(&row.name),
        token: Some(TokenLimits {
            id: row.id,
            scopes: row.scopes(),
            role: row.role(),
        }),
        session_id: None,
        scope: creator.scope(),
        restriction: None,
    }))
}

/// Authenticates an admin by legacy key, API token or session cookie, checking CSRF on
/// cookie-authenticated writes.
pub async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<AdminPrincipal, ApiError> {
    if let Some(result) = legacy_key(parts, state).await {
        return result;
    }
    if let Some(result) = api_token(parts, state).await {
        return result;
    }

    let jar: PrivateCookieJar = PrivateCookieJar::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::Unauthenticated("Sign in first.".into()))?;
    let cookie: AdminCookie = session::read(&jar, ADMIN_COOKIE)
        .ok_or_else(|| ApiError::Unauthenticated("Sign in first.".into()))?;
    let rules = crate::security::current(state).await?;
    let lifetime = chrono::Duration::hours(i64::from(rules.session_absolute_hours));
    let age = state.clock.now() - cookie.issued_at;
    if age > lifetime || age < chrono::Duration::zero() {
        return Err(ApiError::Unauthenticated(
            "Your session has expired; sign in again.".into(),
        ));
    }

    let ended = || ApiError::Unauthenticated("Your session has ended; sign in again.".into());
    let user = match cookie.user_id {
        Some(id) => Some(
            crate::store::admins::find_by_id(&state.db, id)
                .await?
                .filter(|user| user.active && user.session_epoch == cookie.epoch)
                .ok_or_else(ended)?,
        ),
        None => {
            // A legacy key session ends when the key is turned off or replaced.
            let key = state
                .config
                .admin_api_key
                .as_deref()
                .filter(|_| rules.legacy_admin_key_enabled);
            match (key, cookie.key_tag.as_deref()) {
                (Some(key), Some(tag)) if key_tag(key) == tag => None,
                _ => return Err(ended()),
            }
        }
    };

    let now = state.clock.now();
    let server_session = crate::store::sessions::find(&state.db, cookie.session_id)
        .await?
        .filter(|s| s.user_id == cookie.user_id && s.ended_at.is_none())
        .ok_or_else(ended)?;
    let idle_limit = chrono::Duration::minutes(i64::from(rules.session_idle_minutes));
    if now - server_session.last_seen_at > idle_limit {
        crate::store::sessions::end(&state.db, server_session.id, cookie.user_id, now).await?;
        return Err(ApiError::Unauthenticated(format!(
            "Your session timed out after {} minutes without activity; sign in again.",
            rules.session_idle_minutes
        )));
    }

    if session::is_write(&parts.method) {
        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !session::csrf_matches(sent, &cookie.csrf) {
            return Err(ApiError::Forbidden(
                "Missing or invalid X-CSRF-Token header; reload the page and try again.".into(),
            ));
        }
    }
    crate::store::sessions::touch(&state.db, server_session.id, now).await?;

    let Some(user) = user else {
        return Ok(legacy_principal(Some(server_session.id)));
    };
    let role = user.role();
    Ok(AdminPrincipal {
        user_id: Some(user.id),
        actor: Actor::admin_session(&user.username, role),
        restriction: crate::security::restriction(&user, &rules, now),
        scope: user.scope(),
        username: user.username,
        role,
        token: None,
        session_id: Some(server_session.id),
    })
}

impl<P: RequiredPermission + Send + Sync> FromRequestParts<AppState> for Admin<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = authenticate(parts, state).await?.unrestricted()?;
        if !principal.allows(P::PERMISSION) {
            let holder = match &principal.token {
                Some(_) => "This API token's role or scopes do not".to_string(),
                None => format!("The role {} does not", principal.role.as_str()),
            };
            return Err(ApiError::Forbidden(format!(
                "{holder} include the permission {}.",
                P::PERMISSION.as_str()
            )));
        }
        // Settings (directory, mail, chat channels, templates, approval rules) and the job
        // queues serve every asset, beyond any narrowed access scope.
        if P::PERMISSION.needs_full_scope() && !principal.scope.is_everywhere() {
            return Err(ApiError::Forbidden(
                full_scope_message(P::PERMISSION).into(),
            ));
        }
        Ok(Admin {
            principal,
            _permission: PhantomData,
        })
    }
}

/// Explains why an admin with a narrowed access scope may not use `permission`.
fn full_scope_message(permission: Permission) -> &'static str {
    match permission {
        Permission::JobsWrite => {
            "Jobs serve every asset, so only administrators without a narrowed access scope \
             may retry or purge them."
        }
        Permission::LicenseWrite => {
            "The license covers the whole installation, so only superadmins without a narrowed \
             access scope may change it."
        }
        Permission::BackupsRestore => {
            "A backup holds the data of every asset, so only administrators without a narrowed \
             access scope may download or restore one."
        }
        _ => {
            "Settings apply to every asset, so only administrators without a narrowed access \
             scope may change them."
        }
    }
}

impl FromRequestParts<AppState> for Admin<perm::Any> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Admin {
            principal: authenticate(parts, state).await?.unrestricted()?,
            _permission: PhantomData,
        })
    }
}

impl FromRequestParts<AppState> for Admin<perm::Session> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = authenticate(parts, state).await?;
        if principal.session_id.is_none() {
            return Err(ApiError::Forbidden(
                "This needs a signed-in session; API tokens and X-Admin-Key cannot do it.".into(),
            ));
        }
        Ok(Admin {
            principal,
            _permission: PhantomData,
        })
    }
}
