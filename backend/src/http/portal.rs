//! The self-service portal: sign-in through OpenID Connect, the catalog and my orders.

use super::{ApiJson, PageParams};
use crate::auth::Actor;
use crate::auth::portal::PortalUser;
use crate::auth::session::{self, OIDC_FLOW_COOKIE, PORTAL_COOKIE, PortalCookie};
use crate::crypto::random_token;
use crate::error::{ApiError, ApiResult};
use crate::integrations::oidc::Flow;
use crate::lifecycle;
use crate::settings::{self, OidcConfig};
use crate::state::AppState;
use crate::store::portal_users::SignIn;
use crate::store::{self, audit::Change, orders::OrderFilter};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use serde::Deserialize;
use shared::Page;
use shared::auth::{PortalAuthStatus, PortalSession};
use shared::catalog::CatalogItem;
use shared::orders::{NewOrder, Order, OrderDetail, OrderExtension, OrderModification};
use subtle::ConstantTimeEq;
use utoipa::IntoParams;
use uuid::Uuid;

const LOGIN_PATH: &str = "/api/v1/portal/auth/login";
/// How long a sign-in may take at the provider before its state is discarded.
const FLOW_MINUTES: i64 = 10;

/// Says whether portal sign-in is configured and where it starts.
#[utoipa::path(get, path = "/api/v1/portal/auth", tag = "portal",
    responses((status = 200, body = PortalAuthStatus)),
    extensions(("x-permission" = json!("public"))))]
pub async fn auth_status(State(state): State<AppState>) -> ApiResult<Json<PortalAuthStatus>> {
    let config = settings::load::<OidcConfig>(&state).await?;
    Ok(Json(PortalAuthStatus {
        sign_in_enabled: config.is_some_and(|c| c.enabled),
        login_url: LOGIN_PATH.into(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginQuery {
    /// A portal path to return to after sign-in, such as `/portal/my-it`.
    pub return_to: Option<String>,
}

/// Accepts only a path inside the portal, so sign-in cannot redirect to another site.
fn safe_return_path(requested: Option<&str>) -> String {
    match requested {
        Some(path)
            if (path == "/portal" || path.starts_with("/portal/"))
                && !path.contains("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/portal/".to_string(),
    }
}

async fn oidc_config(state: &AppState) -> ApiResult<OidcConfig> {
    settings::load::<OidcConfig>(state)
        .await?
        .filter(|c| c.enabled)
        .ok_or_else(|| {
            ApiError::Unavailable(
                "Portal sign-in is not configured; an administrator sets it up under Settings."
                    .into(),
            )
        })
}

/// Starts sign-in: redirects to the identity provider with PKCE, state and nonce.
#[utoipa::path(get, path = "/api/v1/portal/auth/login", tag = "portal",
    params(LoginQuery),
    responses(
        (status = 303, description = "Redirect to the identity provider"),
        (status = 503, body = shared::Problem, description = "Sign-in is not configured or the provider is unreachable"),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn login(
    State(state): State<AppState>,
    jar: PrivateCookieJar,
    Query(query): Query<LoginQuery>,
) -> ApiResult<impl IntoResponse> {
    let config = oidc_config(&state).await?;
    let return_to = safe_return_path(query.return_to.as_deref());
    let redirect_uri = super::settings::redirect_uri(&state);
    let (url, flow) = state
        .oidc
        .start(&config, &redirect_uri, return_to, state.clock.now())
        .await
        .map_err(|e| ApiError::Unavailable(format!("{e}.")))?;
    let jar = session::write(jar, OIDC_FLOW_COOKIE, &flow, state.config.secure_cookies);
    Ok((jar, Redirect::to(&url)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A page that explains a failed sign-in; the callback is a browser navigation, not an API call.
fn sign_in_failed(status: StatusCode, reason: &str) -> Response {
    let reason = crate::notifications::escape_html(reason);
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed</title></head>\
         <body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto\">\
         <h1>Sign-in failed</h1><p>{reason}</p><p><a href=\"/portal/\">Back to the portal</a></p>\
         </body></html>"
    );
    (status, Html(page)).into_response()
}

/// Finishes sign-in: checks state, exchanges the code, verifies the ID token and nonce, and
/// matches the person to the directory by e-mail address or user principal name.
#[utoipa::path(get, path = "/api/v1/portal/auth/callback", tag = "portal",
    params(CallbackQuery),
    responses(
        (status = 303, description = "Signed in; redirect to the portal"),
        (status = 400, description = "The sign-in failed; an HTML page says why"),
    ),
    extensions(("x-permission" = json!("public"))))]
pub async fn callback(
    State(state): State<AppState>,
    jar: PrivateCookieJar,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let flow: Option<Flow> = session::read(&jar, OIDC_FLOW_COOKIE);
    let jar = session::clear(jar, OIDC_FLOW_COOKIE);
    match finish_sign_in(&state, flow, query).await {
        Ok((cookie, return_to)) => {
            let jar = session::write(jar, PORTAL_COOKIE, &cookie, state.config.secure_cookies);
            (jar, Redirect::to(&return_to)).into_response()
        }
        Err((status, reason)) => {
            tracing::info!(%reason, "portal sign-in failed");
            (jar, sign_in_failed(status, &reason)).into_response()
        }
    }
}

type SignInFailure = (StatusCode, String);

async fn finish_sign_in(
    state: &AppState,
    flow: Option<Flow>,
    query: CallbackQuery,
) -> Result<(PortalCookie, String), SignInFailure> {
    let bad = |reason: String| (StatusCode::BAD_REQUEST, reason);
    if let Some(error) = query.error {
        let detail = query.error_description.unwrap_or_default();
        return Err(bad(format!(
            "The identity provider reported {error}: {detail}"
        )));
    }
    let flow = flow.ok_or_else(|| {
        bad("The sign-in session is missing or expired. Start signing in again.".into())
    })?;
    let now = state.clock.now();
    if now - flow.started_at > chrono::Duration::minutes(FLOW_MINUTES) {
        return Err(bad(
            "The sign-in took too long. Start signing in again.".into()
        ));
    }
    let sent_state = query.state.unwrap_or_default();
    if !bool::from(sent_state.as_bytes().ct_eq(flow.state.as_bytes())) {
        return Err(bad(
            "The sign-in state does not match. Start signing in again.".into(),
        ));
    }
    let code = query
        .code
        .ok_or_else(|| bad("The identity provider sent no authorization code.".into()))?;

    let unavailable = |reason: String| (StatusCode::SERVICE_UNAVAILABLE, reason);
    let config = oidc_config(state)
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    let return_to = flow.return_to.clone();
    let redirect_uri = super::settings::redirect_uri(state);
    let identity = state
        .oidc
        .finish(&config, &redirect_uri, flow, code)
        .await
        .map_err(|e| bad(format!("{e}.")))?;

    let email = identity
        .email
        .clone()
        .or_else(|| identity.preferred_username.clone())
        .ok_or_else(|| bad("The identity provider sent no e-mail address.".into()))?
        .to_lowercase();
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    if !config.allowed_email_domains.is_empty()
        && !config.allowed_email_domains.iter().any(|d| d == domain)
    {
        return Err((
            StatusCode::FORBIDDEN,
            format!("People from the domain {domain} may not sign in to this portal."),
        ));
    }

    if identity.email.is_some() && identity.email_verified == Some(false) {
        return Err((
            StatusCode::FORBIDDEN,
            "The identity provider has not verified your e-mail address.".into(),
        ));
    }
    // The user principal name also matches a directory entry, so it must be in an allowed
    // domain too.
    let mut identifiers = vec![email.as_str()];
    if let Some(upn) = identity.preferred_username.as_deref() {
        let upn_domain = upn
            .rsplit_once('@')
            .map(|(_, d)| d.to_lowercase())
            .unwrap_or_default();
        if config.allowed_email_domains.is_empty()
            || config.allowed_email_domains.contains(&upn_domain)
        {
            identifiers.push(upn);
        }
    }
    let directory = lifecycle::place::directory(state)
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    let person = directory
        .find_person(&identifiers)
        .await
        .map_err(|e| (StatusCode::FORBIDDEN, format!("You cannot sign in: {e}.")))?;
    if person.disabled {
        return Err((
            StatusCode::FORBIDDEN,
            "Your directory account is disabled, so you cannot sign in.".into(),
        ));
    }

    let display_name = identity
        .name
        .clone()
        .unwrap_or_else(|| person.display_name.clone());
    let sign_in = SignIn {
        issuer: &identity.issuer,
        subject: &identity.subject,
        email: &email,
        display_name: &display_name,
        directory_dn: &person.dn,
    };
    let internal = |e: sqlx::Error| {
        tracing::error!(error = %e, "storing the portal sign-in failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The sign-in could not be stored; try again.".to_string(),
        )
    };
    let mut tx = state.db.begin().await.map_err(internal)?;
    let user = store::portal_users::upsert(&mut tx, &sign_in, now)
        .await
        .map_err(internal)?;
    let change = Change {
        action: "portal.sign_in",
        entity_type: "portal_user",
        entity_id: user.id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "email": email, "directory_dn": person.dn })),
    };
    store::audit::record(&mut tx, &Actor::portal_user(&email), now, change)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;

    tracing::info!(portal_user_id = %user.id, "portal sign-in");
    let cookie = PortalCookie {
        user_id: user.id,
        csrf: random_token(32),
        issued_at: now,
    };
    Ok((cookie, return_to))
}

/// Ends the portal session in this browser.
#[utoipa::path(post, path = "/api/v1/portal/auth/logout", tag = "portal",
    responses((status = 204, description = "Signed out")),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn logout(_user: PortalUser, jar: PrivateCookieJar) -> impl IntoResponse {
    (session::clear(jar, PORTAL_COOKIE), StatusCode::NO_CONTENT)
}

/// Returns the signed-in portal user and the CSRF token for writes.
#[utoipa::path(get, path = "/api/v1/portal/session", tag = "portal",
    responses((status = 200, body = PortalSession), (status = 401, body = shared::Problem)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn current(user: PortalUser) -> Json<PortalSession> {
    Json(PortalSession {
        user_id: user.user.id,
        email: user.user.email,
        display_name: user.user.display_name,
        directory_dn: user.user.directory_dn,
        csrf_token: user.csrf,
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    /// Text the name or description contains, without regard to case.
    pub q: Option<String>,
    /// Only this category.
    pub category: Option<String>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().chars().take(120).collect::<String>())
        .filter(|v| !v.is_empty())
}

/// Lists what the signed-in person can order, optionally searched or by category.
#[utoipa::path(get, path = "/api/v1/portal/catalog", tag = "portal",
    params(PageParams, CatalogQuery),
    responses((status = 200, body = Page<CatalogItem>)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn catalog(
    State(state): State<AppState>,
    user: PortalUser,
    Query(page): Query<PageParams>,
    Query(query): Query<CatalogQuery>,
) -> ApiResult<Json<Page<CatalogItem>>> {
    let filter = store::definitions::DefinitionFilter {
        active_only: true,
        search: non_empty(query.q),
        category: non_empty(query.category),
        excluded: not_eligible(&state, &user).await?,
        after: page.after()?,
        limit: page.limit()?,
    };
    let (rows, next_cursor) = store::definitions::list(&state.db, &filter).await?;
    Ok(Json(Page {
        items: rows.iter().map(|r| r.catalog_item()).collect(),
        next_cursor,
    }))
}

/// Lists the categories of the catalog, for its filter.
#[utoipa::path(get, path = "/api/v1/portal/categories", tag = "portal",
    responses((status = 200, body = Vec<String>)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn categories(
    State(state): State<AppState>,
    user: PortalUser,
) -> ApiResult<Json<Vec<String>>> {
    let excluded = not_eligible(&state, &user).await?;
    Ok(Json(
        store::definitions::active_categories(&state.db, &excluded).await?,
    ))
}

/// Lists the active definitions whose eligible groups do not include the user, directly or through
/// nested groups; the catalog leaves them out. When the directory cannot be read, every
/// restricted definition is left out rather than shown to someone who may not order it.
async fn not_eligible(state: &AppState, user: &PortalUser) -> ApiResult<Vec<Uuid>> {
    let restricted = store::definitions::restricted(&state.db).await?;
    if restricted.is_empty() {
        return Ok(Vec::new());
    }
    let mut groups: Vec<String> = restricted.iter().flat_map(|(_, g)| g.clone()).collect();
    groups.sort();
    groups.dedup();
    let held = match lifecycle::place::directory(state).await {
        Ok(directory) => directory
            .memberships_among(&user.user.directory_dn, &groups)
            .await
            .map_err(|error| tracing::warn!(%error, "catalog eligibility not readable"))
            .unwrap_or_default(),
        Err(_) => Default::default(),
    };
    Ok(restricted
        .into_iter()
        .filter(|(_, groups)| !groups.iter().any(|g| held.contains(g)))
        .map(|(id, _)| id)
        .collect())
}

/// Returns one active catalog entry, for the order form.
#[utoipa::path(get, path = "/api/v1/portal/catalog/{id}", tag = "portal",
    params(("id" = Uuid, Path, description = "Asset definition id")),
    responses((status = 200, body = CatalogItem), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn catalog_item(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CatalogItem>> {
    let hidden = not_eligible(&state, &user).await?;
    let row = store::definitions::find(&state.db, id)
        .await?
        .filter(|d| d.active && !hidden.contains(&d.id))
        .ok_or_else(|| ApiError::NotFound(format!("The catalog has no item with the id {id}.")))?;
    Ok(Json(row.catalog_item()))
}

/// Places an order. An `Idempotency-Key` header makes a retried request return the first
/// order instead of placing a second one.
#[utoipa::path(post, path = "/api/v1/portal/orders", tag = "portal",
    request_body = NewOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, body = Order),
        (status = 400, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "No approver can be found"),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn create_order(
    State(state): State<AppState>,
    user: PortalUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewOrder>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(ApiError::BadRequest(
            "The Idempotency-Key header must be 1 to 200 characters.".into(),
        ));
    }
    let order = lifecycle::place::place(&state, &user, input, key).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

/// Lists my orders, newest first.
#[utoipa::path(get, path = "/api/v1/portal/orders", tag = "portal",
    params(PageParams),
    responses((status = 200, body = Page<Order>)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn my_orders(
    State(state): State<AppState>,
    user: PortalUser,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<Page<Order>>> {
    let filter = OrderFilter {
        state: None,
        concerning: Some(user.user.id),
        after: page.after()?,
        limit: page.limit()?,
        ..OrderFilter::default()
    };
    let (items, next_cursor) = store::orders::list(&state.db, &filter).await?;
    Ok(Json(Page { items, next_cursor }))
}

/// Returns one of my orders with its timeline.
#[utoipa::path(get, path = "/api/v1/portal/orders/{id}", tag = "portal",
    params(("id" = Uuid, Path, description = "Order id")),
    responses((status = 200, body = OrderDetail), (status = 404, body = shared::Problem)),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn my_order(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<OrderDetail>> {
    match super::orders::detail(&state, id).await? {
        Some((order, mut detail)) if order.concerns(user.user.id) => {
            let visibility = store::definitions::find(&state.db, order.definition_id)
                .await?
                .map(|d| d.portal_steps())
                .unwrap_or_default();
            detail.runs = super::orders::redact_runs(detail.runs, visibility);
            Ok(Json(detail))
        }
        _ => Err(ApiError::NotFound(format!(
            "You have no order with the id {id}."
        ))),
    }
}

/// Cancels one of my orders that is still waiting for approval.
#[utoipa::path(post, path = "/api/v1/portal/orders/{id}/cancel", tag = "portal",
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, body = Order),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "The order is no longer waiting for approval"),
    ),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn cancel_order(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Order>> {
    Ok(Json(lifecycle::end::cancel(&state, &user, id).await?))
}

/// Returns access before it expires; the membership is removed by a job.
#[utoipa::path(post, path = "/api/v1/portal/orders/{id}/return", tag = "portal",
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, body = Order),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "The order is not active"),
    ),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn return_order(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Order>> {
    Ok(Json(lifecycle::end::return_early(&state, &user, id).await?))
}

/// Extends active access by some days, within the definition's extension rules. When the
/// definition requires approval, the order waits in `modification_pending` and keeps its access.
#[utoipa::path(post, path = "/api/v1/portal/orders/{id}/extend", tag = "portal",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = OrderExtension,
    responses(
        (status = 200, body = Order),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "Not active, not extendable or extended too often"),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn extend_order(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<OrderExtension>,
) -> ApiResult<Json<Order>> {
    Ok(Json(
        lifecycle::change::extend(&state, &user, id, input.days).await?,
    ))
}

/// Replaces the attribute values of active access, checked like a new order's. When the
/// definition requires approval of changes, the order waits in `modification_pending`.
#[utoipa::path(post, path = "/api/v1/portal/orders/{id}/modify", tag = "portal",
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = OrderModification,
    responses(
        (status = 200, body = Order),
        (status = 404, body = shared::Problem),
        (status = 409, body = shared::Problem, description = "The order is not active"),
        (status = 422, body = shared::Problem),
    ),
    extensions(("x-permission" = json!("portal_user"))))]
pub async fn modify_order(
    State(state): State<AppState>,
    user: PortalUser,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<OrderModification>,
) -> ApiResult<Json<Order>> {
    Ok(Json(
        lifecycle::change::modify(&state, &user, id, input.attributes).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn return_path_stays_in_portal() {
        assert_eq!(safe_return_path(Some("/portal/my-it")), "/portal/my-it");
        assert_eq!(safe_return_path(Some("https://evil.test/")), "/portal/");
        assert_eq!(safe_return_path(Some("//evil.test/portal/")), "/portal/");
        assert_eq!(safe_return_path(Some("/portal//evil.test")), "/portal/");
        assert_eq!(safe_return_path(Some("/ui/settings")), "/portal/");
        assert_eq!(safe_return_path(None), "/portal/");
        assert_eq!(safe_return_path(Some("/portal/\n/evil.test")), "/portal/");
    }
}
