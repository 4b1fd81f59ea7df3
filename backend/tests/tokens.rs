//! API tokens: scopes, role ceilings, expiry, revocation and attribution.

mod common;

use common::{Session, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn create_token(admin: &Session, body: Value) -> (Value, String) {
    let response = admin.post("/api/v1/tokens", &body).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "create token {body}"
    );
    let created: Value = response.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    (created["token"].clone(), secret)
}

async fn call(
    app: &TestApp,
    secret: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let client = reqwest::Client::new();
    let mut request = client
        .request(method, format!("{}{path}", app.url))
        .bearer_auth(secret);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

fn definition(name: &str) -> Value {
    json!({
        "name": name, "strategy": "group_access",
        "group_dns": ["cn=Finance App Access,ou=Groups,dc=example,dc=test"],
        "approval": {"manager": {}}, "default_duration_days": 30, "max_duration_days": 90,
        "justification": "required"
    })
}

#[tokio::test]
async fn scopes_limit_what_a_token_does() {
    let (app, admin) = common::quiet_app().await;
    let (token, secret) = create_token(
        &admin,
        json!({ "name": "reporting", "scopes": ["orders:read"], "expires_in_days": 30 }),
    )
    .await;
    assert!(secret.starts_with(token["prefix"].as_str().unwrap()));

    let get = reqwest::Method::GET;
    assert_eq!(
        call(&app, &secret, get.clone(), "/api/v1/orders", None)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        call(&app, &secret, get, "/api/v1/settings/ldap", None)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let post = call(
        &app,
        &secret,
        reqwest::Method::POST,
        "/api/v1/asset-definitions",
        Some(definition("x")),
    )
    .await;
    assert_eq!(post.status(), StatusCode::FORBIDDEN);

    let list: Value = admin.get("/api/v1/tokens").await.json().await.unwrap();
    assert_eq!(list["items"][0]["prefix"], token["prefix"]);
    assert!(
        !list.to_string().contains(&secret),
        "the secret is shown only once"
    );
    assert!(list["items"][0]["last_used_at"].is_string());
    assert_eq!(list["items"][0]["last_used_address"], "127.0.0.1");

    let stored: Vec<u8> = sqlx::query_scalar("select token_hash from api_tokens")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
}

#[tokio::test]
async fn token_writes_are_attributed_without_csrf() {
    let (app, admin) = common::quiet_app().await;
    let (_, secret) = create_token(
        &admin,
        json!({ "name": "catalog-sync", "scopes": ["catalog:write"], "expires_in_days": 7 }),
    )
    .await;
    let response = call(
        &app,
        &secret,
        reqwest::Method::POST,
        "/api/v1/asset-definitions",
        Some(definition("Synced app")),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let actor: String =
        sqlx::query_scalar("select actor from audit_log where action = 'asset_definition.create'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(actor, "token:catalog-sync");
}

#[tokio::test]
async fn token_role_never_exceeds_creator() {
    let (app, admin) = common::quiet_app().await;
    let body =
        json!({ "username": "plain.admin", "password": "plain-admin-pass", "role": "admin" });
    admin.post("/api/v1/admin-users", &body).await;
    let mut plain = app.client();
    let signed: Value = plain
        .post(
            "/api/v1/auth/login",
            &json!({ "username": "plain.admin", "password": "plain-admin-pass" }),
        )
        .await
        .json()
        .await
        .unwrap();
    plain.csrf = Some(signed["csrf_token"].as_str().unwrap().to_string());

    let too_high = json!({ "name": "escalate", "scopes": ["admin"], "role": "superadmin", "expires_in_days": 1 });
    let response = plain.post("/api/v1/tokens", &too_high).await;
    assert_eq!(error_fields(&problem(response).await), ["role"]);

    // An admin-scope token of an admin still cannot manage users, which only superadmins may.
    let (_, secret) = create_token(
        &plain,
        json!({ "name": "all", "scopes": ["admin"], "expires_in_days": 1 }),
    )
    .await;
    let users = call(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/v1/admin-users",
        None,
    )
    .await;
    assert_eq!(users.status(), StatusCode::FORBIDDEN);

    // A superadmin's token bound to the auditor role reads the audit log but saves nothing.
    let (_, auditor) = create_token(
        &admin,
        json!({ "name": "audit", "scopes": ["admin"], "role": "auditor", "expires_in_days": 1 }),
    )
    .await;
    assert_eq!(
        call(&app, &auditor, reqwest::Method::GET, "/api/v1/audit", None)
            .await
            .status(),
        StatusCode::OK
    );
    let save = call(
        &app,
        &auditor,
        reqwest::Method::POST,
        "/api/v1/asset-definitions",
        Some(definition("y")),
    )
    .await;
    assert_eq!(save.status(), StatusCode::FORBIDDEN);

    // A token cannot mint another token.
    let mint = call(
        &app,
        &secret,
        reqwest::Method::POST,
        "/api/v1/tokens",
        Some(json!({ "name": "child", "scopes": ["orders:read"], "expires_in_days": 1 })),
    )
    .await;
    assert_eq!(mint.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn revoked_expired_and_orphaned_tokens_fail() {
    let (app, admin) = common::quiet_app().await;
    let (token, secret) = create_token(
        &admin,
        json!({ "name": "short", "scopes": ["orders:read"], "expires_in_days": 1 }),
    )
    .await;
    let id = token["id"].as_str().unwrap();
    let get = reqwest::Method::GET;
    assert_eq!(
        call(&app, &secret, get.clone(), "/api/v1/orders", None)
            .await
            .status(),
        StatusCode::OK
    );

    let revoke = admin
        .http
        .delete(admin.url(&format!("/api/v1/tokens/{id}")))
        .header("X-CSRF-Token", admin.csrf.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        call(&app, &secret, get.clone(), "/api/v1/orders", None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Orphaned: the creator is deactivated, and the token stops working with them.
    let body = json!({ "username": "leaver", "password": "leaver-password-1", "role": "admin" });
    let leaver: Value = admin
        .post("/api/v1/admin-users", &body)
        .await
        .json()
        .await
        .unwrap();
    let mut session = app.client();
    let credentials = json!({ "username": "leaver", "password": "leaver-password-1" });
    let signed: Value = session
        .post("/api/v1/auth/login", &credentials)
        .await
        .json()
        .await
        .unwrap();
    session.csrf = Some(signed["csrf_token"].as_str().unwrap().to_string());
    let orphan_body = json!({ "name": "orphan", "scopes": ["orders:read"], "expires_in_days": 30 });
    let (_, orphan) = create_token(&session, orphan_body).await;
    let works = call(&app, &orphan, get.clone(), "/api/v1/orders", None).await;
    assert_eq!(works.status(), StatusCode::OK);
    let leaver_id = leaver["id"].as_str().unwrap();
    let deactivate = json!({ "role": "admin", "active": false });
    admin
        .put(&format!("/api/v1/admin-users/{leaver_id}"), &deactivate)
        .await;
    let orphaned = call(&app, &orphan, get.clone(), "/api/v1/orders", None).await;
    assert_eq!(orphaned.status(), StatusCode::UNAUTHORIZED);

    let (_, expiring) = create_token(
        &admin,
        json!({ "name": "day", "scopes": ["orders:read"], "expires_in_days": 1 }),
    )
    .await;
    app.state.clock.advance(chrono::Duration::hours(25));
    assert_eq!(
        call(&app, &expiring, get.clone(), "/api/v1/orders", None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(
        call(&app, "ips_00000000_forged", get, "/api/v1/orders", None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn token_input_is_validated() {
    let (_app, admin) = common::quiet_app().await;
    let body = json!({ "name": "", "scopes": [], "expires_in_days": 0 });
    let response = admin.post("/api/v1/tokens", &body).await;
    assert_eq!(
        error_fields(&problem(response).await),
        ["name", "scopes", "expires_in_days"]
    );
    let unknown = json!({ "name": "x", "scopes": ["root"], "expires_in_days": 1 });
    let response = admin.post("/api/v1/tokens", &unknown).await;
    assert_eq!(error_fields(&problem(response).await), ["scopes[0]"]);
}

#[tokio::test]
async fn old_revoked_tokens_are_purged() {
    let (app, admin) = common::quiet_app().await;
    common::update_security(&admin, |rules| rules["token_purge_days"] = json!(1)).await;
    let (token, _) = create_token(
        &admin,
        json!({ "name": "old", "scopes": ["orders:read"], "expires_in_days": 30 }),
    )
    .await;
    create_token(
        &admin,
        json!({ "name": "kept", "scopes": ["orders:read"], "expires_in_days": 30 }),
    )
    .await;
    let id = token["id"].as_str().unwrap();
    admin
        .http
        .delete(admin.url(&format!("/api/v1/tokens/{id}")))
        .header("X-CSRF-Token", admin.csrf.clone().unwrap())
        .send()
        .await
        .unwrap();

    app.state.clock.advance(chrono::Duration::days(2));
    let job = ipsolis::jobs::queue::JobRow {
        id: uuid::Uuid::now_v7(),
        queue: "default".into(),
        kind: ipsolis::jobs::handlers::TOKEN_PURGE.into(),
        payload: json!({}),
        attempts: 1,
        max_attempts: 3,
        traceparent: None,
    };
    ipsolis::jobs::handlers::run(&app.state, &job)
        .await
        .unwrap();

    let names: Vec<String> = sqlx::query_scalar("select name from api_tokens")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(names, ["kept"]);
    let actor: String =
        sqlx::query_scalar("select actor from audit_log where action = 'api_token.purge'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(actor, "system:tokens.purge");
}
