//! Admin sessions on the server: sign-out ends a session everywhere, idle sessions time out,
//! and a user lists and ends their own sessions.

mod common;

use common::{Options, TestApp};
use reqwest::StatusCode;
use reqwest::cookie::CookieStore;
use serde_json::{Value, json};
use std::sync::Arc;

/// Signs in and returns the raw `Cookie` header a copied browser profile would send.
async fn signed_in_cookie(app: &TestApp) -> (String, String) {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()
        .unwrap();
    let body = json!({ "username": "root.admin", "password": "correct-horse-battery" });
    let signed: Value = client
        .post(format!("{}/api/v1/auth/login", app.url))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = app.url.parse().unwrap();
    let cookie = jar.cookies(&url).unwrap().to_str().unwrap().to_string();
    (cookie, signed["csrf_token"].as_str().unwrap().to_string())
}

async fn status_with(app: &TestApp, cookie: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{}/api/v1/orders", app.url))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn sign_out_ends_copied_cookies_too() {
    let app = TestApp::start_with(Options::quiet()).await;
    app.admin().await;
    let (cookie, csrf) = signed_in_cookie(&app).await;
    assert_eq!(status_with(&app, &cookie).await, StatusCode::OK);

    let out = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/logout", app.url))
        .header("cookie", &cookie)
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(status_with(&app, &cookie).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_sessions_time_out() {
    let app = TestApp::start_with(Options::quiet()).await;
    app.admin().await;
    let (cookie, _) = signed_in_cookie(&app).await;
    app.state.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(status_with(&app, &cookie).await, StatusCode::OK);
    app.state.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(status_with(&app, &cookie).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn users_list_and_end_their_sessions() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let (other, _) = signed_in_cookie(&app).await;

    let sessions: Vec<Value> = admin
        .get("/api/v1/auth/sessions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sessions.len(), 2);
    let current: Vec<bool> = sessions
        .iter()
        .map(|s| s["current"].as_bool().unwrap())
        .collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    let other_id = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sessions[0]["address"], "127.0.0.1");

    let ended = admin
        .http
        .delete(admin.url(&format!("/api/v1/auth/sessions/{other_id}")))
        .header("X-CSRF-Token", admin.csrf.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);
    assert_eq!(status_with(&app, &other).await, StatusCode::UNAUTHORIZED);
    assert_eq!(admin.get("/api/v1/orders").await.status(), StatusCode::OK);
}
