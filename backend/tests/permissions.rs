//! The permission matrix, generated from the committed OpenAPI document: every route declares
//! what it needs in `x-permission`, and every role and every token scope is allowed or denied
//! exactly as the permission table in `shared` says.

mod common;

use common::{Options, Session, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::permissions::{Permission, Role};
use shared::tokens::Scope;

const KINDS: [&str; 4] = ["public", "portal_user", "any_admin", "admin_session"];

fn document() -> Value {
    serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap()
}

fn permission(name: &str) -> Option<Permission> {
    serde_json::from_value(json!(name)).ok()
}

/// Every operation as (method, path with sample parameters, declared permission).
fn operations() -> Vec<(Method, String, String)> {
    let mut operations = Vec::new();
    for (path, methods) in document()["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            let declared = operation["x-permission"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let sample = path
                .replace("{id}", "00000000-0000-7000-8000-000000000001")
                .replace("{token}", "not-a-token");
            operations.push((method.to_uppercase().parse().unwrap(), sample, declared));
        }
    }
    operations
}

#[test]
fn every_route_declares_a_permission() {
    for (method, path, declared) in operations() {
        assert!(
            KINDS.contains(&declared.as_str()) || permission(&declared).is_some(),
            "{method} {path} declares {declared:?}; add extensions((\"x-permission\" = ...)) \
             naming a permission or one of {KINDS:?} to its #[utoipa::path]"
        );
    }
}

async fn send(
    app: &TestApp,
    http: &reqwest::Client,
    auth: Auth<'_>,
    method: &Method,
    path: &str,
) -> StatusCode {
    let mut request = http.request(method.clone(), format!("{}{path}", app.url));
    match auth {
        Auth::Anonymous => {}
        Auth::Session(session) => {
            request = session.http.request(method.clone(), session.url(path));
            if let Some(csrf) = &session.csrf {
                request = request.header("X-CSRF-Token", csrf);
            }
        }
        Auth::Token(secret) => request = request.bearer_auth(secret),
    }
    if *method == Method::POST || *method == Method::PUT {
        request = request.json(&json!({}));
    }
    request.send().await.unwrap().status()
}

#[derive(Clone, Copy)]
enum Auth<'a> {
    Anonymous,
    Session(&'a Session),
    Token(&'a str),
}

async fn sign_in(app: &TestApp, admin: &Session, role: Role) -> Session {
    let username = format!("{}.user", role.as_str());
    let password = format!("{username}-password");
    let body = json!({ "username": username, "password": password, "role": role });
    assert_eq!(
        admin.post("/api/v1/admin-users", &body).await.status(),
        StatusCode::CREATED
    );
    let mut session = app.client();
    let signed: Value = session
        .post(
            "/api/v1/auth/login",
            &json!({ "username": username, "password": password }),
        )
        .await
        .json()
        .await
        .unwrap();
    session.csrf = Some(signed["csrf_token"].as_str().unwrap().to_string());
    session
}

#[tokio::test]
async fn roles_and_scopes_match_the_table() {
    let app = TestApp::start_with(Options::quiet()).await;
    let superadmin = app.admin().await;
    let mut sessions = vec![(Role::Superadmin, superadmin)];
    for role in &Role::ALL[1..] {
        let session = sign_in(&app, &sessions[0].1, *role).await;
        sessions.push((*role, session));
    }
    let mut tokens = Vec::new();
    for scope in Scope::ALL {
        let body = json!({ "name": scope.as_str(), "scopes": [scope], "expires_in_days": 1 });
        let created: Value = sessions[0]
            .1
            .post("/api/v1/tokens", &body)
            .await
            .json()
            .await
            .unwrap();
        tokens.push((scope, created["secret"].as_str().unwrap().to_string()));
    }
    let http = reqwest::Client::new();

    for (method, path, declared) in operations() {
        // Signing out would end the session the next requests use; its own tests cover it.
        if path == "/api/v1/auth/logout" {
            continue;
        }
        let route = format!("{method} {path}");
        let anonymous = send(&app, &http, Auth::Anonymous, &method, &path).await;
        match declared.as_str() {
            "public" => assert!(
                anonymous != StatusCode::UNAUTHORIZED && anonymous != StatusCode::FORBIDDEN,
                "{route} is public but answered {anonymous}"
            ),
            "portal_user" => assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{route}"),
            _ => assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{route} anonymous"),
        }
        if matches!(declared.as_str(), "public" | "portal_user") {
            continue;
        }

        for (role, session) in &sessions {
            let status = send(&app, &http, Auth::Session(session), &method, &path).await;
            assert_ne!(status, StatusCode::UNAUTHORIZED, "{route} as {role:?}");
            let allowed = permission(&declared).is_none_or(|p| role.allows(p));
            assert_eq!(
                status != StatusCode::FORBIDDEN,
                allowed,
                "{route} as {role:?}: {status}"
            );
        }
        for (scope, secret) in &tokens {
            let status = send(&app, &http, Auth::Token(secret), &method, &path).await;
            let allowed = match declared.as_str() {
                "any_admin" => true,
                "admin_session" => false,
                name => scope.grants(permission(name).unwrap()),
            };
            assert_eq!(
                status != StatusCode::FORBIDDEN,
                allowed,
                "{route} with {scope:?}: {status}"
            );
        }
    }
}

#[tokio::test]
async fn legacy_key_is_a_superadmin_only_when_set() {
    let key = "legacy-admin-key-0123456789abcdef-xyz".to_string();
    let options = Options::quiet().with_env(vec![("ADMIN_API_KEY", key.clone())]);
    let app = TestApp::start_with(options).await;
    let http = reqwest::Client::new();
    let orders = format!("{}/api/v1/orders", app.url);
    let ok = http
        .get(&orders)
        .header("X-Admin-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let wrong = http
        .get(&orders)
        .header("X-Admin-Key", "legacy-admin-key-0123456789abcdef-xyZ")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let body = json!({
        "name": "Scripted", "strategy": "group_access",
        "group_dns": ["cn=Finance App Access,ou=Groups,dc=example,dc=test"],
        "approval": {"manager": {}}, "default_duration_days": 30, "max_duration_days": 90,
        "justification": "required"
    });
    let created = http
        .post(format!("{}/api/v1/asset-definitions", app.url))
        .header("X-Admin-Key", &key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "no CSRF header needed"
    );
    let actor: String =
        sqlx::query_scalar("select actor from audit_log where action = 'asset_definition.create'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(actor, "admin:legacy_key");

    let without = TestApp::start_with(Options::quiet()).await;
    let refused = http
        .get(format!("{}/api/v1/orders", without.url))
        .header("X-Admin-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}
