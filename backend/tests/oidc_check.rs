//! The portal sign-in connection test against the real OpenID Connect provider that the test
//! services start: success, a wrong issuer, a wrong secret and a closed port. A stored secret
//! is sent only to the issuer it was saved for.

mod common;

use common::{Session, env, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TEST: &str = "/api/v1/settings/oidc/test";

fn settings() -> Value {
    json!({
        "enabled": true,
        "issuer_url": env("OIDC_ISSUER"),
        "client_id": env("OIDC_CLIENT_ID"),
        "client_secret": env("OIDC_CLIENT_SECRET"),
        "allowed_email_domains": ["example.test"],
    })
}

/// Runs the test with `body` and returns whether it passed and its message.
async fn run(admin: &Session, body: &Value) -> (bool, String) {
    let response = admin.post(TEST, body).await;
    assert_eq!(response.status(), StatusCode::OK, "the test itself runs");
    let result: Value = response.json().await.unwrap();
    let message = result["message"].as_str().unwrap().to_string();
    (result["ok"].as_bool().unwrap(), message)
}

#[tokio::test]
async fn test_provider_passes() {
    let (app, admin) = common::quiet_app().await;
    let (ok, message) = run(&admin, &settings()).await;
    assert!(ok, "{message}");
    assert!(message.contains(&env("OIDC_ISSUER")), "{message}");
    assert!(message.contains("signing key"), "{message}");
    assert!(
        message.contains(&format!("accepted client {}", env("OIDC_CLIENT_ID"))),
        "{message}"
    );
    let saved: i64 = sqlx::query_scalar("select count(*) from settings")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(saved, 0, "a test saves nothing");
}

#[tokio::test]
async fn wrong_issuer_names_the_right_one() {
    let (_app, admin) = common::quiet_app().await;
    let issuer = env("OIDC_ISSUER");
    // The same server under another name: reachable, but not the issuer it names itself.
    let mut body = settings();
    body["issuer_url"] = json!(issuer.replace("127.0.0.1", "localhost"));
    let (ok, message) = run(&admin, &body).await;
    assert!(!ok, "{message}");
    assert!(
        message.contains(&format!("names the issuer {issuer}")),
        "{message}"
    );
}

#[tokio::test]
async fn wrong_secret_is_invalid_client() {
    let (_app, admin) = common::quiet_app().await;
    let mut body = settings();
    body["client_secret"] = json!("not-the-client-secret");
    let (ok, message) = run(&admin, &body).await;
    assert!(!ok, "{message}");
    assert!(message.contains("invalid_client"), "{message}");
    assert!(message.contains("client secret"), "{message}");

    let mut unknown_client = settings();
    unknown_client["client_id"] = json!("no-such-client");
    let (ok, message) = run(&admin, &unknown_client).await;
    assert!(!ok, "{message}");
    assert!(
        message.contains("rejected client no-such-client"),
        "{message}"
    );
}

#[tokio::test]
async fn closed_port_is_reported() {
    let (_app, admin) = common::quiet_app().await;
    let mut body = settings();
    body["issuer_url"] = json!("http://127.0.0.1:1");
    let (ok, message) = run(&admin, &body).await;
    assert!(!ok, "{message}");
    assert!(
        message.contains(
            "The discovery document at http://127.0.0.1:1/.well-known/openid-configuration \
             cannot be read"
        ),
        "{message}"
    );
    assert!(message.to_lowercase().contains("refused"), "{message}");
}

#[tokio::test]
async fn stored_secret_stays_with_its_issuer() {
    let (_app, admin) = common::quiet_app().await;

    // Without any secret, the token endpoint is not asked.
    let mut without = settings();
    without.as_object_mut().unwrap().remove("client_secret");
    let (ok, message) = run(&admin, &without).await;
    assert!(ok, "{message}");
    assert!(message.contains("no client secret is set"), "{message}");

    let response = admin.put("/api/v1/settings/oidc", &settings()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (ok, message) = run(&admin, &without).await;
    assert!(ok, "{message}");
    assert!(
        message.contains("accepted client"),
        "the stored secret is used: {message}"
    );

    let mut elsewhere = without.clone();
    elsewhere["issuer_url"] = json!("http://127.0.0.1:1");
    let response = admin.post(TEST, &elsewhere).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem(response).await), ["client_secret"]);

    let mut invalid = settings();
    invalid["issuer_url"] = json!("not a url");
    let response = admin.post(TEST, &invalid).await;
    assert_eq!(error_fields(&problem(response).await), ["issuer_url"]);
}

#[tokio::test]
async fn test_needs_settings_write() {
    let (app, admin) = common::quiet_app().await;
    app.create_admin_user(
        &admin,
        json!({ "username": "audit.reader", "role": "auditor" }),
    )
    .await;
    let auditor = app
        .sign_in_admin("audit.reader", "audit.reader-password-1")
        .await;
    let response = auditor.post(TEST, &settings()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
