//! The security settings: session timeouts, the password policy with reuse history, and the
//! switch for the legacy admin key.

mod common;

use common::{Options, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEY: &str = "legacy-admin-key-0123456789abcdef-xyz";

fn strict() -> Value {
    json!({
        "session_idle_minutes": 10,
        "session_absolute_hours": 8,
        "password_policy": {
            "min_length": 14, "require_lowercase": true, "require_uppercase": true,
            "require_digit": true, "require_symbol": false, "history": 2
        },
        "legacy_admin_key_enabled": false
    })
}

#[tokio::test]
async fn policy_applies_to_new_passwords() {
    let options = Options::quiet().with_env(vec![("ADMIN_API_KEY", KEY.to_string())]);
    let app = TestApp::start_with(options).await;
    let admin = app.admin().await;
    let defaults: Value = admin
        .get("/api/v1/settings/security")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(defaults["session_idle_minutes"], 30);
    assert_eq!(defaults["legacy_admin_key_enabled"], true);

    let mut invalid = strict();
    invalid["session_idle_minutes"] = json!(1);
    invalid["password_policy"]["min_length"] = json!(6);
    let response = admin.put("/api/v1/settings/security", &invalid).await;
    assert_eq!(
        error_fields(&problem(response).await),
        ["session_idle_minutes", "password_policy.min_length"]
    );
    assert_eq!(
        admin
            .put("/api/v1/settings/security", &strict())
            .await
            .status(),
        StatusCode::OK
    );

    let weak =
        json!({ "username": "weak.user", "password": "only-lowercase-here", "role": "auditor" });
    let response = admin.post("/api/v1/admin-users", &weak).await;
    let problem = problem(response).await;
    let messages: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["must contain an upper-case letter", "must contain a digit"]
    );

    // The current password and the last two are refused; an older one would pass again.
    let change =
        |current: &str, new: &str| json!({ "current_password": current, "new_password": new });
    let first = admin
        .post(
            "/api/v1/auth/password",
            &change("correct-horse-battery", "Second-Password-2"),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let admin = {
        let mut session = admin;
        let body: Value = first.json().await.unwrap();
        session.csrf = Some(body["csrf_token"].as_str().unwrap().to_string());
        session
    };
    let reuse = admin
        .post(
            "/api/v1/auth/password",
            &change("Second-Password-2", "Second-Password-2"),
        )
        .await;
    assert_eq!(error_fields(&problem_of(reuse).await), ["new_password"]);

    let legacy = reqwest::Client::new()
        .get(format!("{}/api/v1/orders", app.url))
        .header("X-Admin-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(
        legacy.status(),
        StatusCode::UNAUTHORIZED,
        "the legacy key is off"
    );
}

async fn problem_of(response: reqwest::Response) -> Value {
    problem(response).await
}

#[tokio::test]
async fn idle_timeout_follows_the_setting() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    assert_eq!(
        admin
            .put("/api/v1/settings/security", &strict())
            .await
            .status(),
        StatusCode::OK
    );
    app.state.clock.advance(chrono::Duration::minutes(9));
    assert_eq!(admin.get("/api/v1/orders").await.status(), StatusCode::OK);
    app.state.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(
        admin.get("/api/v1/orders").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
