//! Sign-in rules beyond the password: maximum password age, two-factor sign-in required per
//! role, and the legacy admin key typed into the sign-in form.

mod common;

use common::{Options, Session, TestApp, problem, update_security};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEY: &str = "legacy-admin-key-0123456789abcdef-form";

async fn app() -> (TestApp, Session) {
    let app =
        TestApp::start_with(Options::quiet().with_env(vec![("ADMIN_API_KEY", KEY.to_string())]))
            .await;
    let admin = app.admin().await;
    (app, admin)
}

async fn restriction(session: &Session) -> Value {
    let me: Value = session
        .get("/api/v1/auth/session")
        .await
        .json()
        .await
        .unwrap();
    me["restriction"].clone()
}

#[tokio::test]
async fn expired_password_allows_only_change() {
    let (app, admin) = app().await;
    update_security(&admin, |rules| {
        rules["password_policy"]["max_age_days"] = json!(30)
    })
    .await;
    app.create_admin_user(&admin, json!({ "username": "old.pass", "role": "admin" }))
        .await;

    app.state.clock.advance(chrono::Duration::days(31));
    let mut session = app.sign_in_admin("old.pass", "old.pass-password-1").await;
    assert_eq!(restriction(&session).await, "password_expired");
    let refused = session.get("/api/v1/orders").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let detail = problem(refused).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("password has expired"), "{detail}");
    let token = json!({ "name": "sneaky", "scopes": ["admin"], "expires_in_days": 1 });
    let refused = session.post("/api/v1/tokens", &token).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let change = json!({
        "current_password": "old.pass-password-1",
        "new_password": "a-fresh-password-2",
    });
    let changed = session.post("/api/v1/auth/password", &change).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["restriction"], Value::Null);
    session.csrf = Some(body["csrf_token"].as_str().unwrap().to_string());
    assert_eq!(session.get("/api/v1/orders").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn role_requires_two_factor_setup() {
    let (app, admin) = app().await;
    update_security(&admin, |rules| {
        rules["totp_required_roles"] = json!(["auditor"])
    })
    .await;
    app.create_admin_user(&admin, json!({ "username": "aud.itor", "role": "auditor" }))
        .await;
    app.create_admin_user(
        &admin,
        json!({ "username": "help.desk", "role": "helpdesk" }),
    )
    .await;

    let helpdesk = app.sign_in_admin("help.desk", "help.desk-password-1").await;
    assert_eq!(restriction(&helpdesk).await, Value::Null);
    assert_eq!(
        helpdesk.get("/api/v1/orders").await.status(),
        StatusCode::OK
    );

    let auditor = app.sign_in_admin("aud.itor", "aud.itor-password-1").await;
    assert_eq!(restriction(&auditor).await, "totp_setup_required");
    let refused = auditor.get("/api/v1/audit").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        problem(refused).await["detail"]
            .as_str()
            .unwrap()
            .contains("two-factor")
    );

    let setup: Value = auditor
        .post_empty("/api/v1/auth/totp/setup")
        .await
        .json()
        .await
        .unwrap();
    let secret = totp_rs::Secret::try_from_base32(setup["secret"].as_str().unwrap())
        .unwrap()
        .as_bytes()
        .to_vec();
    let now = u64::try_from(app.state.clock.now().timestamp()).unwrap();
    let code = ipsolis::auth::totp::code_at(&secret, "aud.itor", now);
    let confirmed = auditor
        .post("/api/v1/auth/totp/confirm", &json!({ "code": code }))
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    assert_eq!(restriction(&auditor).await, Value::Null);
    assert_eq!(auditor.get("/api/v1/audit").await.status(), StatusCode::OK);
}

async fn form_sign_in(app: &TestApp, password: &str) -> (Session, reqwest::Response) {
    let session = app.client();
    let body = json!({ "username": "", "password": password });
    let response = session.post("/api/v1/auth/login", &body).await;
    (session, response)
}

#[tokio::test]
async fn legacy_key_form_sign_in_until_disabled() {
    let (app, admin) = app().await;
    let (mut session, response) = form_sign_in(&app, KEY).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user_id"], Value::Null);
    assert_eq!(body["role"], "superadmin");
    session.csrf = Some(body["csrf_token"].as_str().unwrap().to_string());

    assert_eq!(
        session.get("/api/v1/admin-users").await.status(),
        StatusCode::OK
    );
    let group = "cn=Form Key Group,ou=Groups,dc=example,dc=test";
    let created = app
        .create_definition(&session, "Made with the key", group)
        .await;
    assert_eq!(created["name"], "Made with the key");
    let actors: Vec<String> = sqlx::query_scalar(
        "select actor from audit_log where action in ('auth.sign_in', 'asset_definition.create')
         order by at desc, id desc limit 2",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(actors, ["admin:legacy_key", "admin:legacy_key"]);
    // The key belongs to no account, so account pages refuse it clearly.
    let refused = session
        .post(
            "/api/v1/auth/password",
            &json!({ "current_password": KEY, "new_password": "whatever-password-1" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let (_, wrong) = form_sign_in(&app, "legacy-admin-key-0123456789abcdef-forX").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    update_security(&admin, |rules| {
        rules["legacy_admin_key_enabled"] = json!(false)
    })
    .await;
    // The settings cache lives a few seconds, so clearing it replaces waiting.
    app.state.security.forget().await;
    assert_eq!(
        session.get("/api/v1/admin-users").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, refused) = form_sign_in(&app, KEY).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let failures = app.audit_count("auth.sign_in_failed").await;
    assert_eq!(failures, 2);
}

#[tokio::test]
async fn token_lists_page_by_cursor() {
    let (_app, admin) = app().await;
    for n in 0..5 {
        let body = json!({ "name": format!("script {n}"), "scopes": ["orders:read"], "expires_in_days": 5 });
        let response = admin.post("/api/v1/tokens", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/tokens?limit=2".to_string();
    loop {
        let page: Value = admin.get(&path).await.json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            names.push(item["name"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/tokens?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        names,
        ["script 4", "script 3", "script 2", "script 1", "script 0"]
    );
}
