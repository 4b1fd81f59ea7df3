//! Start-up checks, health, the OpenAPI document and the first administrator.

mod common;

use common::{Options, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn health_reports_each_check() {
    let app = TestApp::start().await;
    let health = TestApp::eventually(5, "a healthy scheduler", || async {
        let response = reqwest::get(format!("{}/health", app.url)).await.ok()?;
        let body: Value = response.json().await.ok()?;
        (body["status"] == "ok").then_some(body)
    })
    .await;
    assert_eq!(health["checks"]["database"]["status"], "ok");
    assert_eq!(health["checks"]["redis"]["status"], "ok");
    assert_eq!(health["checks"]["scheduler"]["status"], "ok");
}

#[tokio::test]
async fn health_is_503_without_database() {
    let database_url = common::fresh_database().await;
    let config = common::test_config(&database_url, "ipsolis-test:nodb:", &[]);
    let redis = ipsolis::redis::connect(&config.redis_url).await.unwrap();
    let unreachable = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:1/none")
        .unwrap();
    let state = ipsolis::state::AppState::new(config, unreachable, redis);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/health", listener.local_addr().unwrap());
    let app = ipsolis::app::app(state);
    let service = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(axum::serve(listener, service).into_future());

    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["database"]["status"], "degraded");
}

#[test]
fn committed_openapi_document_is_current() {
    let committed = include_str!("../../openapi/openapi.json");
    let generated = ipsolis::app::openapi_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale; regenerate it with \
         `cargo run -p ipsolis-backend -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn openapi_and_swagger_are_served_locally() {
    let app = TestApp::start_with(Options::quiet()).await;
    let doc: Value = reqwest::get(format!("{}/openapi.json", app.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/portal/orders"]["post"].is_object());

    let page = reqwest::get(format!("{}/api/docs/", app.url))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    for asset in ["swagger-ui.css", "swagger-ui-bundle.js"] {
        let response = reqwest::get(format!("{}/api/docs/{asset}", app.url))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
    }
    assert!(!html.contains("https://"), "no asset from the internet");
}

#[test]
fn short_secret_stops_the_server() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ipsolis"))
        .arg("serve")
        .env_clear()
        .env("API_SECRET_KEY", "too-short")
        .env(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        )
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("API_SECRET_KEY is too short"), "{stderr}");
    assert!(stderr.contains("openssl rand -hex 32"), "{stderr}");

    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_ipsolis"))
        .arg("serve")
        .env_clear()
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("API_SECRET_KEY is missing"));
}

#[tokio::test]
async fn racing_first_admins_create_exactly_one() {
    let app = TestApp::start_with(Options::quiet()).await;
    let status: Value = app
        .client()
        .get("/api/v1/setup")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["needs_first_admin"], true);

    let (one, two) = (app.client(), app.client());
    let body_one = json!({ "username": "alice", "password": "alice-password-1" });
    let body_two = json!({ "username": "bob", "password": "bob-password-12" });
    let (a, b) = tokio::join!(
        one.post("/api/v1/setup/first-admin", &body_one),
        two.post("/api/v1/setup/first-admin", &body_two)
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let loser = if a.status() == StatusCode::CONFLICT {
        a
    } else {
        b
    };
    let problem = problem(loser).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("already set up")
    );

    let admins: i64 = sqlx::query_scalar("select count(*) from admin_users")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(admins, 1);
    let status: Value = app
        .client()
        .get("/api/v1/setup")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["needs_first_admin"], false);
}

#[tokio::test]
async fn first_admin_input_is_validated() {
    let app = TestApp::start_with(Options::quiet()).await;
    let response = app
        .client()
        .post(
            "/api/v1/setup/first-admin",
            &json!({ "username": "A B", "password": "short" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem(response).await),
        ["username", "password"]
    );
    let admins: i64 = sqlx::query_scalar("select count(*) from admin_users")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(admins, 0);
}

#[tokio::test]
async fn sign_in_failures_look_the_same() {
    let app = TestApp::start_with(Options::quiet()).await;
    app.admin().await;
    let wrong = app
        .client()
        .post(
            "/api/v1/auth/login",
            &json!({ "username": "root.admin", "password": "wrong-password-x" }),
        )
        .await;
    let unknown = app
        .client()
        .post(
            "/api/v1/auth/login",
            &json!({ "username": "nobody", "password": "wrong-password-x" }),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        problem(wrong).await["detail"],
        problem(unknown).await["detail"]
    );

    let good = app.client();
    let response = good
        .post(
            "/api/v1/auth/login",
            &json!({ "username": "ROOT.admin", "password": "correct-horse-battery" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let failures = app.audit_count("auth.sign_in_failed").await;
    assert_eq!(failures, 2);
}

#[tokio::test]
async fn cookie_writes_need_csrf_token() {
    let app = TestApp::start_with(Options::quiet()).await;
    let mut admin = app.admin().await;
    admin.csrf = None;
    let body = common::directory::settings_body();
    let response = admin.put("/api/v1/settings/ldap", &body).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        problem(response).await["detail"]
            .as_str()
            .unwrap()
            .contains("X-CSRF-Token")
    );

    admin.csrf = Some("forged".into());
    let response = admin.put("/api/v1/settings/ldap", &body).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let anonymous = app.client().get("/api/v1/orders").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repeated_failures_lock_sign_in() {
    let app = TestApp::start_with(Options::quiet()).await;
    app.admin().await;
    let wrong = json!({ "username": "root.admin", "password": "wrong-password-x" });
    for attempt in 1..=5 {
        let response = app.client().post("/api/v1/auth/login", &wrong).await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }

    let right = json!({ "username": "root.admin", "password": "correct-horse-battery" });
    let locked = app.client().post("/api/v1/auth/login", &right).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    assert_eq!(problem(locked).await["status"], 429);

    // The client address is locked too, so another username from it waits as well.
    let other = json!({ "username": "nobody", "password": "wrong-password-x" });
    let response = app.client().post("/api/v1/auth/login", &other).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn every_api_error_is_a_problem_document() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let cases = [
        ("/api/v1/nothing-here", StatusCode::NOT_FOUND),
        ("/api/v1/orders/not-a-uuid", StatusCode::BAD_REQUEST),
        ("/api/v1/orders?limit=abc", StatusCode::BAD_REQUEST),
        ("/api/v1/orders?limit=500", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/v1/audit?actor=a%00b", StatusCode::BAD_REQUEST),
    ];
    for (path, status) in cases {
        let response = admin.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        let problem = problem(response).await;
        assert_eq!(problem["status"], status.as_u16(), "{path}");
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{path}");
    }

    let wrong_method = admin
        .http
        .delete(admin.url("/api/v1/setup"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    problem(wrong_method).await;

    let csrf = admin.csrf.clone().unwrap();
    let huge = admin
        .http
        .post(admin.url("/api/v1/asset-definitions"))
        .header("X-CSRF-Token", &csrf)
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    problem(huge).await;

    let wrong_type = admin
        .http
        .post(admin.url("/api/v1/asset-definitions"))
        .header("X-CSRF-Token", &csrf)
        .header("content-type", "application/jsonfoo")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);

    let unknown_field = json!({ "username": "new.admin", "password": "long-enough-pass", "role": "admin", "is_root": true });
    let response = admin.post("/api/v1/admin-users", &unknown_field).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let nul = json!({ "username": "a\u{0}b", "password": "long-enough-pass", "role": "admin" });
    let response = admin.post("/api/v1/admin-users", &nul).await;
    assert_eq!(error_fields(&problem(response).await), ["username"]);
    let admins: i64 = sqlx::query_scalar("select count(*) from admin_users")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(admins, 1);
}
