//! A worker process killed in the middle of provisioning loses nothing: after its lease runs
//! out another worker finishes the job, and the membership exists exactly once.

mod common;

use common::target::Target;
use common::{Options, TestApp, directory, mail, oidc, proxy::StallProxy};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};

fn spawn_worker(app: &TestApp) -> Child {
    spawn_worker_on(app, "provision,notifications")
}

fn spawn_worker_on(app: &TestApp, queues: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ipsolis"))
        .args(["worker", "--queues", queues, "--concurrency", "1"])
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

#[tokio::test]
async fn killed_worker_resumes_a_run_after_its_last_completed_step() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    let target = Target::start().await;
    let call = |key: &str| {
        json!({
            "key": key, "name": key, "module": "http.request",
            "params": { "method": "POST", "url": format!("{}/{key}", target.url) },
            "timeout_seconds": 60,
        })
    };
    let runbook: Value = admin
        .post(
            "/api/v1/runbooks",
            &json!({ "name": "Crash course", "steps": [call("first"), call("second"), call("third")] }),
        )
        .await
        .json()
        .await
        .unwrap();
    target.hang_on("/second");
    let run: Value = admin
        .post(
            &format!("/api/v1/runbooks/{}/runs", runbook["id"].as_str().unwrap()),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    let run_id = run["id"].as_str().unwrap().to_string();

    // The first step completes; the second hangs at the target and its worker is killed.
    let mut first = spawn_worker_on(&app, "default");
    TestApp::eventually(20, "the second step to reach the target", || async {
        (!target.hits_on("/second").is_empty()).then_some(())
    })
    .await;
    first.kill().unwrap(); // SIGKILL in the middle of the second step.
    first.wait().unwrap();
    target.release();

    let mut second = spawn_worker_on(&app, "default");
    let db = app.state.db.clone();
    let id: uuid::Uuid = run_id.parse().unwrap();
    TestApp::eventually(30, "the run to finish", || async {
        let state: String = sqlx::query_scalar("select state from runbook_runs where id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .ok()?;
        (state == "succeeded").then_some(())
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();

    // The completed first step did not run again; the interrupted second ran twice.
    assert_eq!(target.hits_on("/first").len(), 1);
    assert_eq!(target.hits_on("/second").len(), 2);
    assert_eq!(target.hits_on("/third").len(), 1);
    let attempts: Vec<i32> = sqlx::query_scalar(
        "select attempts from runbook_run_steps where run_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(attempts, [1, 2, 1]);
}
