//! The integration test harness: a fresh database per test, the app served on a random
//! port, and helpers for the real LDAP, SMTP capture and OpenID Connect provider that
//! `e2e/scripts/services.sh` starts (the test script exports their addresses).

#![allow(dead_code)]

pub mod directory;
pub mod mail;
pub mod oidc;
pub mod proxy;
pub mod sccm;
pub mod target;
pub mod vsphere;
pub mod webhook;
pub mod xapi;

use ipsolis::config::Config;
use ipsolis::jobs::Queue;
use ipsolis::jobs::worker::WorkerPool;
use ipsolis::state::AppState;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use tokio::sync::watch;
use uuid::Uuid;

/// The public URL every test app claims, so the OIDC provider's registered redirect URI
/// matches; tests rewrite the callback to the app's real port. `E2E_APP_PORT` moves it.
pub fn public_url() -> String {
    let port = std::env::var("E2E_APP_PORT").unwrap_or_else(|_| "18080".into());
    format!("http://127.0.0.1:{port}")
}

#[track_caller]
pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set. Run the tests with `bash e2e/test.sh`, or start the services \
             with `eval \"$(bash e2e/scripts/services.sh start .services/test)\"` first."
        )
    })
}

pub struct Options {
    pub workers: bool,
    pub scheduler: bool,
    pub extra_env: Vec<(&'static str, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            workers: true,
            scheduler: true,
            extra_env: Vec::new(),
        }
    }
}

impl Options {
    /// No job workers and no scheduler, for tests of the API alone.
    pub fn quiet() -> Options {
        Options {
            workers: false,
            scheduler: false,
            extra_env: Vec::new(),
        }
    }

    pub fn with_env(mut self, extra_env: Vec<(&'static str, String)>) -> Options {
        self.extra_env = extra_env;
        self
    }
}

/// The calls a fake server received per operation, and the failures it returns next.
#[derive(Default)]
pub struct CallLog {
    counts: HashMap<String, usize>,
    failures: std::collections::VecDeque<u16>,
}

impl CallLog {
    /// Counts a call of `operation`; returns the status to fail it with when one is queued.
    pub fn record(&mut self, operation: &str) -> Option<StatusCode> {
        *self.counts.entry(operation.to_string()).or_default() += 1;
        let status = self.failures.pop_front()?;
        Some(StatusCode::from_u16(status).expect("a valid HTTP status"))
    }

    pub fn count(&self, operation: &str) -> usize {
        self.counts.get(operation).copied().unwrap_or(0)
    }

    /// Sums the calls of the operations that `counted` selects.
    pub fn sum(&self, counted: impl Fn(&str) -> bool) -> usize {
        let selected = self
            .counts
            .iter()
            .filter(|(operation, _)| counted(operation));
        selected.map(|(_, count)| count).sum()
    }

    /// Queues `status` as the response to the next `count` calls.
    pub fn fail_next(&mut self, count: usize, status: u16) {
        self.failures.extend(std::iter::repeat_n(status, count));
    }
}

/// Serves `app` on a random port of 127.0.0.1 for a fake server; returns its address.
pub async fn serve_fake(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

/// Starts a quiet app and signs its first administrator in.
pub async fn quiet_app() -> (TestApp, Session) {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    (app, admin)
}

/// Reads the security settings, lets `change` edit them and sends them back.
pub async fn put_security(admin: &Session, change: impl FnOnce(&mut Value)) -> Response {
    let mut rules: Value = admin
        .get("/api/v1/settings/security")
        .await
        .json()
        .await
        .unwrap();
    change(&mut rules);
    admin.put("/api/v1/settings/security", &rules).await
}

/// Like [`put_security`], and checks that the settings were saved.
pub async fn update_security(admin: &Session, change: impl FnOnce(&mut Value)) {
    let response = put_security(admin, change).await;
    assert_eq!(response.status(), StatusCode::OK, "save security settings");
}

pub struct TestApp {
    pub url: String,
    pub state: AppState,
    pub database_url: String,
    pub redis_prefix: String,
    shutdown: watch::Sender<bool>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Creates an empty database and returns its URL.
pub async fn fresh_database() -> String {
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    // The run's name lets the test script drop exactly the databases of its own run.
    let run: String = std::env::var("IPSOLIS_TEST_RUN")
        .unwrap_or_else(|_| "local".into())
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect();
    let name = format!("ipsolis_t_{run}_{}", Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .expect("connect to Postgres");
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
        .execute(&admin)
        .await
        .expect("create the test database");
    admin.close().await;
    let base = admin_url.rsplit_once('/').expect("a database URL").0;
    format!("{base}/{name}")
}

pub fn test_config(database_url: &str, redis_prefix: &str, extra: &[(&str, String)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url.to_string()),
        (
            "REDIS_URL".into(),
            std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        ),
        ("REDIS_PREFIX".into(), redis_prefix.to_string()),
        (
            "API_SECRET_KEY".into(),
            "test-secret-key-0123456789abcdef-0123".into(),
        ),
        ("IPSOLIS_PUBLIC_URL".into(), public_url()),
        ("IPSOLIS_SPA_DIR".into(), "/nonexistent".into()),
        ("IPSOLIS_JOB_LEASE_SECONDS".into(), "3".into()),
        ("IPSOLIS_EXPIRY_CHECK_CRON".into(), "* * * * * *".into()),
        ("IPSOLIS_APPROVAL_TIMERS_CRON".into(), "* * * * * *".into()),
        // Health checks run only when a test requests them, not every minute.
        ("IPSOLIS_HEALTH_CHECK_CRON".into(), "0 0 0 1 1 *".into()),
    ]);
    for (key, value) in extra {
        vars.insert(key.to_string(), value.clone());
    }
    Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test configuration")
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> TestApp {
        let database_url = fresh_database().await;
        let redis_prefix = format!("ipsolis-test:{}:", Uuid::now_v7().simple());
        let config = test_config(&database_url, &redis_prefix, &options.extra_env);
        let state = AppState::connect(config).await.expect("app state");
        let (shutdown, receiver) = watch::channel(false);

        if options.workers {
            let queues = Queue::ALL.iter().map(|q| q.as_str().to_string()).collect();
            tokio::spawn(WorkerPool::new(queues, 2).run(state.clone(), receiver.clone()));
        }
        if options.scheduler {
            tokio::spawn(ipsolis::jobs::schedule::run(
                state.clone(),
                receiver.clone(),
            ));
        }

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = ipsolis::app::app(state.clone());
        let mut stop = receiver.clone();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
            .unwrap();
        });

        TestApp {
            url,
            state,
            database_url,
            redis_prefix,
            shutdown,
        }
    }

    /// A browser-like client: a cookie jar and no automatic redirects.
    pub fn client(&self) -> Session {
        Session {
            base: self.url.clone(),
            http: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            csrf: None,
        }
    }

    /// Creates the first administrator and returns a signed-in session.
    pub async fn admin(&self) -> Session {
        let mut session = self.client();
        let body = json!({ "username": "root.admin", "password": "correct-horse-battery" });
        let response = session.post("/api/v1/setup/first-admin", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "first admin");
        let session_body: Value = response.json().await.unwrap();
        session.csrf = Some(session_body["csrf_token"].as_str().unwrap().to_string());
        session
    }

    /// Counts the audit rows that record `action`.
    pub async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("select count(*) from audit_log where action = $1")
            .bind(action)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    /// Signs an admin user in with a password and returns the session with its CSRF token.
    pub async fn sign_in_admin(&self, username: &str, password: &str) -> Session {
        let mut session = self.client();
        let body = json!({ "username": username, "password": password });
        let response = session.post("/api/v1/auth/login", &body).await;
        assert_eq!(response.status(), StatusCode::OK, "sign in {username}");
        let signed: Value = response.json().await.unwrap();
        session.csrf = Some(signed["csrf_token"].as_str().unwrap().to_string());
        session
    }

    /// Creates an admin user with the password `<username>-password-1` and returns it.
    pub async fn create_admin_user(&self, admin: &Session, body: Value) -> Value {
        let mut body = body;
        let username = body["username"].as_str().unwrap().to_string();
        body["password"] = json!(format!("{username}-password-1"));
        let response = admin.post("/api/v1/admin-users", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "create {username}");
        response.json().await.unwrap()
    }

    /// Saves LDAP, SMTP and OIDC settings pointing at the test services.
    pub async fn configure_services(&self, admin: &Session) {
        let ldap = directory::settings_body();
        let response = admin.put("/api/v1/settings/ldap", &ldap).await;
        assert_eq!(response.status(), StatusCode::OK, "save LDAP settings");
        let smtp = json!({
            "host": env("SMTP_HOST"),
            "port": env("SMTP_PORT").parse::<u16>().unwrap(),
            "tls": "none",
            "from": "ip·Solis <ipsolis@example.test>",
        });
        let response = admin.put("/api/v1/settings/smtp", &smtp).await;
        assert_eq!(response.status(), StatusCode::OK, "save SMTP settings");
        let oidc = json!({
            "enabled": true,
            "issuer_url": env("OIDC_ISSUER"),
            "client_id": env("OIDC_CLIENT_ID"),
            "client_secret": env("OIDC_CLIENT_SECRET"),
            "allowed_email_domains": ["example.test"],
        });
        let response = admin.put("/api/v1/settings/oidc", &oidc).await;
        assert_eq!(response.status(), StatusCode::OK, "save OIDC settings");
    }

    /// Creates a Group Access definition granting `group_dn`, approved by the manager.
    pub async fn create_definition(&self, admin: &Session, name: &str, group_dn: &str) -> Value {
        let body = json!({
            "name": name,
            "description": "Read and post in the finance application",
            "category": "Applications",
            "strategy": "group_access",
            "group_dns": [group_dn],
            "approval": {"manager": {}},
            "default_duration_days": 30,
            "max_duration_days": 90,
            "justification": "required",
        });
        let response = admin.post("/api/v1/asset-definitions", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "create definition");
        response.json().await.unwrap()
    }

    /// Waits until `check` returns `Some`, polling for up to `seconds`.
    pub async fn eventually<T, F, Fut>(seconds: u64, what: &str, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            if let Some(value) = check().await {
                return value;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("timed out after {seconds} s waiting for {what}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Waits until the order reaches `state` and returns its detail. It reads through the
    /// app's own code rather than an admin session, which ends when a test moves the clock.
    pub async fn wait_for_order_state(
        &self,
        _admin: &Session,
        order_id: &str,
        state: &str,
    ) -> Value {
        let what = format!("order {order_id} to become {state}");
        let id: Uuid = order_id.parse().unwrap();
        TestApp::eventually(20, &what, || async {
            let (_, detail) = ipsolis::http::orders::detail(&self.state, id)
                .await
                .ok()??;
            let detail = serde_json::to_value(detail).unwrap();
            (detail["order"]["state"] == state).then_some(detail)
        })
        .await
    }
}

/// A cookie-holding client bound to one app, sending the CSRF token on writes once known.
pub struct Session {
    pub base: String,
    pub http: Client,
    pub csrf: Option<String>,
}

impl Session {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    fn write(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.csrf {
            Some(token) => request.header("X-CSRF-Token", token),
            None => request,
        }
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.write(self.http.post(self.url(path)).json(body))
            .send()
            .await
            .unwrap()
    }

    pub async fn post_empty(&self, path: &str) -> Response {
        self.write(self.http.post(self.url(path)))
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.write(self.http.delete(self.url(path)))
            .send()
            .await
            .unwrap()
    }

    /// Sends `bytes` as the body of a PUT, with `content_type`, as a browser uploads a file.
    pub async fn put_bytes(&self, path: &str, content_type: &str, bytes: Vec<u8>) -> Response {
        let request = self
            .http
            .put(self.url(path))
            .header("Content-Type", content_type)
            .body(bytes);
        self.write(request).send().await.unwrap()
    }

    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.write(self.http.put(self.url(path)).json(body))
            .send()
            .await
            .unwrap()
    }
}

/// Reads a problem document and checks its media type.
pub async fn problem(response: Response) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    response.json().await.unwrap()
}

/// The field names of a problem document's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}
