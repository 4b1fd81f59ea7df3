//! Two-factor sign-in: setup, confirmation, sign-in with a code within one step of clock
//! drift, refusal of reused codes, recovery codes, and turning it off.

mod common;

use common::{Options, Session, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const USER: &str = "root.admin";
const PASSWORD: &str = "correct-horse-battery";

fn code(secret: &[u8], app: &TestApp, offset_seconds: i64) -> String {
    let now = app.state.clock.now().timestamp() + offset_seconds;
    ipsolis::auth::totp::code_at(secret, USER, u64::try_from(now).unwrap())
}

async fn login(app: &TestApp, totp_code: Option<&str>) -> reqwest::Response {
    let mut body = json!({ "username": USER, "password": PASSWORD });
    if let Some(code) = totp_code {
        body["totp_code"] = json!(code);
    }
    app.client().post("/api/v1/auth/login", &body).await
}

async fn enable(app: &TestApp, admin: &Session) -> (Vec<u8>, Vec<String>) {
    let setup: Value = admin
        .post_empty("/api/v1/auth/totp/setup")
        .await
        .json()
        .await
        .unwrap();
    let secret = totp_rs::Secret::try_from_base32(setup["secret"].as_str().unwrap()).unwrap();
    let secret = secret.as_bytes().to_vec();
    assert!(
        setup["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );

    let wrong = admin
        .post("/api/v1/auth/totp/confirm", &json!({ "code": "000000" }))
        .await;
    assert_eq!(error_fields(&problem(wrong).await), ["code"]);
    let confirmed = admin
        .post(
            "/api/v1/auth/totp/confirm",
            &json!({ "code": code(&secret, app, 0) }),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let codes: Value = confirmed.json().await.unwrap();
    let codes = codes["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (secret, codes)
}

#[tokio::test]
async fn sign_in_needs_a_fresh_code() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let (secret, _) = enable(&app, &admin).await;
    let stored: Option<String> = sqlx::query_scalar("select totp_secret from admin_users")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(stored.unwrap().starts_with("enc:v1:"));

    let without = login(&app, None).await;
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        problem(without).await["type"],
        "urn:ipsolis:problem:totp-required"
    );

    // Thirty seconds of drift either way is accepted, more is not.
    app.state.clock.advance(chrono::Duration::seconds(120));
    let late = login(&app, Some(&code(&secret, &app, -30))).await;
    assert_eq!(late.status(), StatusCode::OK);
    let session: Value = late.json().await.unwrap();
    assert_eq!(session["totp_enabled"], true);

    let reused = login(&app, Some(&code(&secret, &app, -30))).await;
    assert_eq!(
        reused.status(),
        StatusCode::UNAUTHORIZED,
        "a code works once"
    );
    let stale = login(&app, Some(&code(&secret, &app, -90))).await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    app.state.clock.advance(chrono::Duration::seconds(60));
    let early = login(&app, Some(&code(&secret, &app, 30))).await;
    assert_eq!(early.status(), StatusCode::OK);
}

#[tokio::test]
async fn recovery_codes_work_once_and_totp_turns_off() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let (_, codes) = enable(&app, &admin).await;
    assert_eq!(codes.len(), 10);

    assert_eq!(
        login(&app, Some(&codes[0].to_uppercase())).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        login(&app, Some(&codes[0])).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let wrong = admin
        .post(
            "/api/v1/auth/totp/disable",
            &json!({ "password": "not-my-password" }),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let off = admin
        .post(
            "/api/v1/auth/totp/disable",
            &json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(off.status(), StatusCode::NO_CONTENT);
    assert_eq!(login(&app, None).await.status(), StatusCode::OK);
}
