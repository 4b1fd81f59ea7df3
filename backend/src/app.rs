//! Router assembly: API routes with their OpenAPI description, Swagger UI, the SPA and the
//! middleware every request passes through.

use crate::http::{
    admin_users, approval_links, approvals, assets, audit, auth, backups, branding, channels,
    checklist, health, health_details, jobs, license, mail_templates, metrics, orders, pool,
    portal, portal_approvals, runbook_variables, runbooks, scripts, settings, setup, siem, spa,
    tokens, totp,
};
use crate::observability;
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ip·Solis API",
        description = "Self-hosted IT access requests: catalog, orders, approvals, provisioning \
            and expiry. Errors are RFC 9457 problem documents. Admin routes take the \
            `xp_session` cookie (writes also need `X-CSRF-Token`) or `X-Admin-Key`; portal \
            routes take the `xp_portal` cookie.",
        license(name = "AGPL-3.0-only")
    ),
    components(schemas(shared::Problem, shared::FieldError))
)]
struct ApiDoc;

/// Builds the API routes and their OpenAPI document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(metrics::metrics))
        .routes(routes!(setup::status))
        .routes(routes!(setup::create_first_admin))
        .routes(routes!(checklist::checklist))
        .routes(routes!(branding::get_branding))
        .routes(routes!(branding::get_logo))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::current))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::sessions))
        .routes(routes!(auth::end_session))
        .routes(routes!(totp::setup))
        .routes(routes!(totp::confirm))
        .routes(routes!(totp::disable))
        .routes(routes!(admin_users::list, admin_users::create))
        .routes(routes!(
            admin_users::get,
            admin_users::update,
            admin_users::delete
        ))
        .routes(routes!(admin_users::reset_password))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(settings::get_ldap, settings::put_ldap))
        .routes(routes!(settings::test_ldap))
        .routes(routes!(settings::get_smtp, settings::put_smtp))
        .routes(routes!(settings::test_smtp))
        .routes(routes!(settings::get_oidc, settings::put_oidc))
        .routes(routes!(settings::test_oidc))
        .routes(routes!(branding::get_general, branding::put_general))
        .routes(routes!(branding::put_logo, branding::delete_logo))
        .routes(routes!(settings::get_security, settings::put_security))
        .routes(routes!(metrics::get_settings, metrics::put_settings))
        .routes(routes!(channels::get_teams, channels::put_teams))
        .routes(routes!(channels::test_teams))
        .routes(routes!(channels::get_slack, channels::put_slack))
        .routes(routes!(channels::test_slack))
        .routes(routes!(siem::get_settings, siem::put_settings))
        .routes(routes!(siem::test))
        .routes(routes!(mail_templates::list))
        .routes(routes!(mail_templates::save, mail_templates::reset))
        .routes(routes!(mail_templates::preview))
        .routes(routes!(assets::list, assets::create))
        .routes(routes!(assets::get, assets::update))
        .routes(routes!(approvals::simulate))
        .routes(routes!(approvals::replay))
        .routes(routes!(
            approvals::list_delegations,
            approvals::create_delegation
        ))
        .routes(routes!(approvals::revoke_delegation))
        .routes(routes!(approvals::get_settings, approvals::put_settings))
        .routes(routes!(runbooks::list, runbooks::create))
        .routes(routes!(runbooks::get, runbooks::update, runbooks::delete))
        .routes(routes!(runbooks::copy))
        .routes(routes!(runbooks::start))
        .routes(routes!(runbooks::dry_run))
        .routes(routes!(runbooks::list_runs))
        .routes(routes!(runbooks::get_run))
        .routes(routes!(runbooks::cancel))
        .routes(routes!(runbooks::retry))
        .routes(routes!(runbooks::add_note))
        .routes(routes!(scripts::list, scripts::create))
        .routes(routes!(scripts::get, scripts::update, scripts::delete))
        .routes(routes!(scripts::versions))
        .routes(routes!(runbook_variables::list))
        .routes(routes!(runbook_variables::put, runbook_variables::delete))
        .routes(routes!(pool::list, pool::create))
        .routes(routes!(pool::get, pool::update))
        .routes(routes!(pool::set_status))
        .routes(routes!(pool::import))
        .routes(routes!(pool::capacity))
        .routes(routes!(orders::list))
        .routes(routes!(orders::get))
        .routes(routes!(orders::decide))
        .routes(routes!(orders::retry))
        .routes(routes!(orders::end))
        .routes(routes!(orders::reassign))
        .routes(routes!(audit::list))
        .routes(routes!(audit::export))
        .routes(routes!(jobs::summary))
        .routes(routes!(jobs::list))
        .routes(routes!(jobs::get))
        .routes(routes!(jobs::retry))
        .routes(routes!(jobs::purge))
        .routes(routes!(license::get, license::put, license::delete))
        .routes(routes!(backups::list, backups::create))
        .routes(routes!(backups::runs))
        .routes(routes!(backups::get_settings, backups::put_settings))
        .routes(routes!(backups::download, backups::delete))
        .routes(routes!(backups::restore))
        .routes(routes!(health_details::get_details))
        .routes(routes!(health_details::check_now))
        .routes(routes!(
            health_details::get_settings,
            health_details::put_settings
        ))
        .routes(routes!(portal::auth_status))
        .routes(routes!(portal::login))
        .routes(routes!(portal::callback))
        .routes(routes!(portal::logout))
        .routes(routes!(portal::current))
        .routes(routes!(portal::catalog))
        .routes(routes!(portal::catalog_item))
        .routes(routes!(portal::categories))
        .routes(routes!(portal::create_order, portal::my_orders))
        .routes(routes!(portal::my_order))
        .routes(routes!(portal::return_order))
        .routes(routes!(portal::cancel_order))
        .routes(routes!(portal::extend_order))
        .routes(routes!(portal::modify_order))
        .routes(routes!(portal_approvals::inbox))
        .routes(routes!(portal_approvals::decide))
        .routes(routes!(
            portal_approvals::my_delegations,
            portal_approvals::create_delegation
        ))
        .routes(routes!(portal_approvals::revoke_delegation))
        .routes(routes!(approval_links::view, approval_links::decide))
        .split_for_parts()
}

/// Returns the OpenAPI document as committed in `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let (_, doc) = api();
    let mut json = doc
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

/// Returns the request path with secrets cut out: an approval link's token decides on its own,
/// so it must not reach the logs.
pub fn loggable_path(path: &str) -> &str {
    const LINKS: &str = "/api/v1/approval-links/";
    if path.starts_with(LINKS) {
        "/api/v1/approval-links/{token}"
    } else {
        path
    }
}

/// Builds the whole application: API, API docs and SPA, with middleware.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api();
    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http()
        .make_span_with(observability::http::request_span)
        .on_response(observability::http::on_response);

    let proxies = state.config.trusted_proxies.clone();
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/openapi.json", doc))
        .merge(spa::router(&state.config.spa_dir))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::maintenance::reject_during_maintenance,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn(
            crate::http::problems::problem_documents,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(trace)
        .layer(axum::middleware::from_fn_with_state(
            proxies,
            crate::http::client_address::from_trusted_proxy,
        ))
        .layer(axum::middleware::from_fn(
            observability::http::record_metrics,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
