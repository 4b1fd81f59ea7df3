//! A worker process killed in the middle of provisioning loses nothing: after its lease runs
//! out another worker finishes the job, and the membership exists exactly once.

mod common;

use common::{Options, TestApp, directory, mail, oidc, proxy::StallProxy};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};

fn spawn_worker(app: &TestApp) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ipsolis"))
        .args([
            "worker",
            "--queues",
            "provision,notifications",
            "--concurrency",
            "1",
        ])
        .env("DATABASE_URL", &app.database_url)
        .env(
            "REDIS_URL",
            std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
        )
        .env("REDIS_PREFIX", &app.redis_prefix)
        .env("API_SECRET_KEY", "test-secret-key-0123456789abcdef-0123")
        .env("IPSOLIS_PUBLIC_URL", common::public_url())
        .env("IPSOLIS_JOB_LEASE_SECONDS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the worker binary")
}

#[tokio::test]
async fn killed_worker_does_not_lose_provisioning() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;

    // Route the directory through a proxy that can freeze connections.
    let ldap_url = url::Url::parse(&common::env("LDAP_URL")).unwrap();
    let upstream = format!(
        "{}:{}",
        ldap_url.host_str().unwrap(),
        ldap_url.port().unwrap()
    );
    let proxy = StallProxy::start(upstream).await;
    let mut ldap = directory::settings_body();
    ldap["port"] = json!(proxy.port);
    admin.put("/api/v1/settings/ldap", &ldap).await;

    let group = directory::create_group("Crash Test").await;
    let name = format!("Crash-safe access {}", uuid::Uuid::now_v7().simple());
    let definition = app.create_definition(&admin, &name, &group).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let body = json!({ "definition_id": definition["id"], "justification": "crash test" });
    let order: Value = employee
        .post("/api/v1/portal/orders", &body)
        .await
        .json()
        .await
        .unwrap();
    let order_id = order["id"].as_str().unwrap().to_string();

    // Send the approval mail with a short-lived worker, then approve.
    let mut mailer = spawn_worker(&app);
    let request = mail::wait_for("mfinch@example.test", &name).await;
    mailer.kill().unwrap();
    mailer.wait().unwrap();
    let approve = mail::link_token(&request.text, "Approve");
    app.client()
        .post_empty(&format!("/api/v1/approval-links/{approve}"))
        .await;

    proxy.stall();
    let mut first = spawn_worker(&app);
    let db = app.state.db.clone();
    TestApp::eventually(20, "the provisioning job to be running", || async {
        let state: Option<String> =
            sqlx::query_scalar("select state from jobs where kind = 'order.provision'")
                .fetch_optional(&db)
                .await
                .ok()?;
        (state.as_deref() == Some("running")).then_some(())
    })
    .await;
    first.kill().unwrap(); // SIGKILL: no cleanup, the lease is simply left to run out.
    first.wait().unwrap();

    // As if the killed worker's change had reached the directory before it died.
    directory::add_member(&group, directory::JANE).await;
    proxy.release();

    let mut second = spawn_worker(&app);
    let active = app.wait_for_order_state(&admin, &order_id, "active").await;
    second.kill().unwrap();
    second.wait().unwrap();

    assert_eq!(active["order"]["state"], "active");
    assert_eq!(
        directory::members(&group).await,
        vec![directory::JANE.to_string()]
    );
    let (attempts, state): (i32, String) =
        sqlx::query_as("select attempts, state from jobs where kind = 'order.provision'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(state, "succeeded");
    assert_eq!(attempts, 2);
}
