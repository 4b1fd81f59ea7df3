//! The admin Jobs API: queue depths, lists by state, the retry of a dead job and the purge of
//! finished ones, who may do each, and the audit rows the changes leave.

mod common;

use chrono::Duration;
use common::{Options, Session, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// A job row written straight to the table, in any state, for the API to read.
struct Seed {
    queue: &'static str,
    kind: &'static str,
    state: &'static str,
    payload: Value,
    /// Added to the clock's now for `run_at`.
    due_in: Duration,
    /// Subtracted from the clock's now for `finished_at`, for finished states.
    finished_ago: Duration,
    dedupe_key: Option<String>,
}

impl Seed {
    fn new(queue: &'static str, state: &'static str) -> Seed {
        Seed {
            queue,
            kind: "bench.noop",
            state,
            payload: json!({}),
            due_in: Duration::zero(),
            finished_ago: Duration::hours(1),
            dedupe_key: None,
        }
    }

    fn kind(mut self, kind: &'static str, payload: Value) -> Seed {
        self.kind = kind;
        self.payload = payload;
        self
    }

    fn due_in(mut self, by: Duration) -> Seed {
        self.due_in = by;
        self
    }

    fn finished_ago(mut self, by: Duration) -> Seed {
        self.finished_ago = by;
        self
    }

    fn dedupe_key(mut self, key: &str) -> Seed {
        self.dedupe_key = Some(key.to_string());
        self
    }
}

/// Inserts `seed` and returns its id. Ids are time-ordered, so later seeds list first.
async fn insert(app: &TestApp, seed: Seed) -> Uuid {
    let now = app.state.clock.now();
    let id = Uuid::now_v7();

    let finished = matches!(seed.state, "succeeded" | "dead");
    let running = seed.state == "running";
    let attempts = match seed.state {
        "queued" => 0,
        "dead" => 3,
        _ => 1,
    };

    sqlx::query(
        "insert into jobs (id, queue, kind, payload, state, attempts, max_attempts, run_at,
            locked_by, lease_until, last_error, dedupe_key, created_at, started_at, finished_at)
         values ($1, $2, $3, $4, $5, $6, 3, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id)
    .bind(seed.queue)
    .bind(seed.kind)
    .bind(&seed.payload)
    .bind(seed.state)
    .bind(attempts)
    .bind(now + seed.due_in)
    .bind((running || finished).then_some("test-host:1/0"))
    .bind(running.then(|| now + Duration::seconds(30)))
    .bind((seed.state == "dead").then_some("the directory is down"))
    .bind(&seed.dedupe_key)
    .bind(now)
    .bind((running || finished).then_some(now - Duration::hours(2)))
    .bind(finished.then(|| now - seed.finished_ago))
    .execute(&app.state.db)
    .await
    .unwrap();
    id
}

async fn job_state(app: &TestApp, id: Uuid) -> Option<String> {
    sqlx::query_scalar("select state from jobs where id = $1")
        .bind(id)
        .fetch_optional(&app.state.db)
        .await
        .unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK, "response status");
    response.json().await.unwrap()
}

/// Returns the ids of one page and its `next_cursor`.
async fn page(session: &Session, query: &str) -> (Vec<String>, Option<String>) {
    let page = json_of(session.get(&format!("/api/v1/jobs?{query}")).await).await;
    let ids = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["id"].as_str().unwrap().to_string())
        .collect();
    (ids, page["next_cursor"].as_str().map(str::to_string))
}

fn queue_entry<'a>(summary: &'a Value, queue: &str) -> &'a Value {
    summary["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["queue"] == queue)
        .unwrap_or_else(|| panic!("the summary lists the queue {queue}"))
}

async fn purge(admin: &Session, body: Value) -> reqwest::Response {
    admin.post("/api/v1/jobs/purge", &body).await
}

async fn deleted(response: reqwest::Response) -> i64 {
    json_of(response).await["deleted"].as_i64().unwrap()
}

/// Creates the admin user `username` with `role` (and `scope`, when given) and signs it in.
async fn sign_in_as(
    app: &TestApp,
    admin: &Session,
    username: &str,
    role: &str,
    scope: Option<Value>,
) -> Session {
    let mut body = json!({ "username": username, "role": role });
    if let Some(scope) = scope {
        body["scope"] = scope;
    }
    app.create_admin_user(admin, body).await;
    app.sign_in_admin(username, &format!("{username}-password-1"))
        .await
}

#[tokio::test]
async fn summary_counts_each_queue() {
    let (app, admin) = common::quiet_app().await;
    let long_wait = Duration::seconds(90);
    insert(&app, Seed::new("provision", "queued").due_in(-long_wait)).await;
    insert(
        &app,
        Seed::new("provision", "queued").due_in(-Duration::seconds(5)),
    )
    .await;
    insert(
        &app,
        Seed::new("provision", "queued").due_in(Duration::hours(1)),
    )
    .await;
    insert(&app, Seed::new("provision", "running")).await;
    insert(&app, Seed::new("notifications", "dead")).await;
    insert(&app, Seed::new("notifications", "succeeded")).await;
    insert(&app, Seed::new("notifications", "succeeded")).await;
    let two_days = Duration::days(2);
    insert(
        &app,
        Seed::new("notifications", "succeeded").finished_ago(two_days),
    )
    .await;

    let summary = json_of(admin.get("/api/v1/jobs/summary").await).await;
    let queues: Vec<&str> = summary["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["queue"].as_str().unwrap())
        .collect();
    assert_eq!(queues, ["provision", "notifications", "default", "reclaim"]);

    let provision = queue_entry(&summary, "provision");
    assert_eq!(provision["queued"], 2, "due jobs");
    assert_eq!(provision["scheduled"], 1, "jobs due later");
    assert_eq!(provision["running"], 1);
    assert_eq!(provision["dead"], 0);
    let oldest = provision["oldest_queued_age_seconds"].as_i64().unwrap();
    assert!((90..120).contains(&oldest), "oldest wait {oldest} s");

    let notifications = queue_entry(&summary, "notifications");
    assert_eq!(notifications["dead"], 1);
    assert_eq!(
        notifications["succeeded_last_day"], 2,
        "the older success is left out"
    );
    assert_eq!(notifications["queued"], 0);
    assert_eq!(notifications["oldest_queued_age_seconds"], Value::Null);

    let reclaim = queue_entry(&summary, "reclaim");
    for field in [
        "queued",
        "scheduled",
        "running",
        "dead",
        "succeeded_last_day",
    ] {
        assert_eq!(reclaim[field], 0, "reclaim {field}");
    }
}

#[tokio::test]
async fn list_filters_and_pages() {
    let (app, admin) = common::quiet_app().await;
    let mut dead_default = Vec::new();
    for _ in 0..5 {
        dead_default.push(insert(&app, Seed::new("default", "dead")).await);
    }
    let order_id = Uuid::now_v7();
    let order_seed = Seed::new("provision", "dead").kind(
        "order.provision",
        json!({ "order_id": order_id, "person": "jdoe" }),
    );
    let order_job = insert(&app, order_seed).await;
    insert(&app, Seed::new("default", "succeeded")).await;
    insert(&app, Seed::new("default", "running")).await;

    let (all_dead, _) = page(&admin, "state=dead").await;
    assert_eq!(all_dead.len(), 6);
    assert_eq!(all_dead[0], order_job.to_string(), "newest first");

    let (default_dead, _) = page(&admin, "state=dead&queue=default").await;
    let mut expected: Vec<String> = dead_default.iter().map(Uuid::to_string).collect();
    expected.reverse();
    assert_eq!(default_dead, expected);

    let listed = json_of(admin.get("/api/v1/jobs?kind=order.provision").await).await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["order_id"], order_id.to_string());
    assert_eq!(items[0]["last_error"], "the directory is down");
    assert_eq!(items[0]["attempts"], 3);
    assert!(
        items[0].get("payload").is_none(),
        "lists leave the payload out"
    );

    let running = json_of(admin.get("/api/v1/jobs?state=running").await).await;
    let running = &running["items"][0];
    assert_eq!(running["locked_by"], "test-host:1/0");
    assert!(
        running["lease_until"].is_string(),
        "a running job shows its lease"
    );
    assert_eq!(running["order_id"], Value::Null);

    // Pages of two follow each other without gaps or repeats.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            None => "state=dead&limit=2".to_string(),
            Some(cursor) => format!("state=dead&limit=2&cursor={cursor}"),
        };
        let (ids, next) = page(&admin, &query).await;
        assert!(ids.len() <= 2);
        paged.extend(ids);
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, all_dead);

    for (query, field) in [
        ("state=failed", "state"),
        ("queue=mail", "queue"),
        ("cursor=nonsense", "cursor"),
        ("limit=0", "limit"),
    ] {
        let response = admin.get(&format!("/api/v1/jobs?{query}")).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}"
        );
        assert_eq!(error_fields(&problem(response).await), [field], "{query}");
    }
}

#[tokio::test]
async fn detail_returns_payload() {
    let (app, admin) = common::quiet_app().await;
    let payload = json!({ "order_id": Uuid::now_v7(), "reason": "expired" });
    let seed = Seed::new("reclaim", "dead").kind("order.deprovision", payload.clone());
    let id = insert(&app, seed).await;

    let detail = json_of(admin.get(&format!("/api/v1/jobs/{id}")).await).await;
    assert_eq!(detail["payload"], payload);
    assert_eq!(detail["job"]["kind"], "order.deprovision");
    assert_eq!(detail["job"]["state"], "dead");

    let missing = admin.get(&format!("/api/v1/jobs/{}", Uuid::now_v7())).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn retry_runs_dead_job() {
    let options = Options {
        workers: true,
        scheduler: false,
        extra_env: Vec::new(),
    };
    let app = TestApp::start_with(options).await;
    let admin = app.admin().await;
    let id = insert(&app, Seed::new("default", "dead")).await;

    let retried = json_of(admin.post_empty(&format!("/api/v1/jobs/{id}/retry")).await).await;
    assert_eq!(retried["state"], "queued");
    assert_eq!(retried["attempts"], 0);
    assert_eq!(retried["finished_at"], Value::Null);

    TestApp::eventually(10, "the retried job to succeed", || async {
        (job_state(&app, id).await.as_deref() == Some("succeeded")).then_some(())
    })
    .await;
    let (attempts, last_error): (i32, Option<String>) =
        sqlx::query_as("select attempts, last_error from jobs where id = $1")
            .bind(id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(attempts, 1, "the retry started from no attempts");
    assert_eq!(last_error, None, "success clears the old error");

    let (actor, before, after): (String, Value, Value) = sqlx::query_as(
        "select actor, before, after from audit_log where action = 'job.retry' and entity_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(actor, "admin:session:root.admin:superadmin");
    assert_eq!(before["state"], "dead");
    assert_eq!(before["last_error"], "the directory is down");
    assert_eq!(after["state"], "queued");
}

#[tokio::test]
async fn retry_rejects_jobs_not_dead() {
    let (app, admin) = common::quiet_app().await;
    let queued = insert(&app, Seed::new("default", "queued")).await;
    let succeeded = insert(&app, Seed::new("default", "succeeded")).await;
    let order_id = Uuid::now_v7();
    let order_seed =
        Seed::new("provision", "dead").kind("order.provision", json!({ "order_id": order_id }));
    let order_job = insert(&app, order_seed).await;

    for (id, state) in [(queued, "queued"), (succeeded, "succeeded")] {
        let response = admin.post_empty(&format!("/api/v1/jobs/{id}/retry")).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "{state}");
        let problem = problem(response).await;
        assert_eq!(problem["current_state"], state);
        assert_eq!(job_state(&app, id).await.as_deref(), Some(state));
    }

    let response = admin
        .post_empty(&format!("/api/v1/jobs/{order_job}/retry"))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "an order's job");
    let detail = problem(response).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains(&format!("/api/v1/orders/{order_id}/retry")),
        "{detail}"
    );
    assert_eq!(job_state(&app, order_job).await.as_deref(), Some("dead"));

    let missing = admin
        .post_empty(&format!("/api/v1/jobs/{}/retry", Uuid::now_v7()))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.audit_count("job.retry").await, 0);
}

#[tokio::test]
async fn purge_deletes_old_finished_jobs() {
    let (app, admin) = common::quiet_app().await;
    let old = Duration::days(40);
    for _ in 0..2 {
        insert(&app, Seed::new("default", "dead").finished_ago(old)).await;
    }
    insert(&app, Seed::new("provision", "dead").finished_ago(old)).await;
    let recent_dead = insert(
        &app,
        Seed::new("default", "dead").finished_ago(Duration::days(1)),
    )
    .await;
    for _ in 0..3 {
        insert(
            &app,
            Seed::new("notifications", "succeeded").finished_ago(old),
        )
        .await;
    }
    let queued = insert(&app, Seed::new("default", "queued")).await;
    // Two slots of a periodic task: only the older one may go.
    let slot = |day: u32| format!("tokens.purge:2026-11-{day:02}T03:00:00+00:00");
    let older_slot = Seed::new("default", "succeeded")
        .kind("tokens.purge", json!({}))
        .finished_ago(Duration::days(41))
        .dedupe_key(&slot(1));
    insert(&app, older_slot).await;
    let newest_slot = Seed::new("default", "succeeded")
        .kind("tokens.purge", json!({}))
        .finished_ago(old)
        .dedupe_key(&slot(2));
    let newest_slot = insert(&app, newest_slot).await;

    let in_default = json!({ "state": "dead", "older_than_days": 30, "queue": "default" });
    assert_eq!(deleted(purge(&admin, in_default).await).await, 2);
    let everywhere = json!({ "state": "dead", "older_than_days": 30 });
    assert_eq!(
        deleted(purge(&admin, everywhere).await).await,
        1,
        "the provision job"
    );
    let succeeded = json!({ "state": "succeeded", "older_than_days": 30 });
    assert_eq!(deleted(purge(&admin, succeeded).await).await, 4);

    assert_eq!(job_state(&app, recent_dead).await.as_deref(), Some("dead"));
    assert_eq!(job_state(&app, queued).await.as_deref(), Some("queued"));
    assert_eq!(
        job_state(&app, newest_slot).await.as_deref(),
        Some("succeeded"),
        "the newest slot of a periodic task stays"
    );
    let left: i64 = sqlx::query_scalar("select count(*) from jobs")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 3);

    let after: Value = sqlx::query_scalar(
        "select after from audit_log where action = 'job.purge' order by at, id limit 1",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(after["deleted"], 2);
    assert_eq!(after["queue"], "default");
    assert_eq!(after["state"], "dead");
    assert_eq!(app.audit_count("job.purge").await, 3);
}

#[tokio::test]
async fn daily_purge_removes_old_succeeded_jobs_only() {
    let (app, _admin) = common::quiet_app().await;
    let old = Duration::days(31);
    let old_succeeded = insert(
        &app,
        Seed::new("notifications", "succeeded").finished_ago(old),
    )
    .await;
    let recent = insert(
        &app,
        Seed::new("notifications", "succeeded").finished_ago(Duration::days(29)),
    )
    .await;
    let old_dead = insert(&app, Seed::new("default", "dead").finished_ago(old)).await;

    let job = ipsolis::jobs::queue::JobRow {
        id: Uuid::now_v7(),
        queue: "default".into(),
        kind: ipsolis::jobs::handlers::JOB_PURGE.into(),
        payload: json!({}),
        attempts: 1,
        max_attempts: 3,
        traceparent: None,
    };
    ipsolis::jobs::handlers::run(&app.state, &job)
        .await
        .unwrap();

    assert_eq!(job_state(&app, old_succeeded).await, None);
    assert_eq!(job_state(&app, recent).await.as_deref(), Some("succeeded"));
    assert_eq!(
        job_state(&app, old_dead).await.as_deref(),
        Some("dead"),
        "dead jobs wait for an admin"
    );
    let actor: String =
        sqlx::query_scalar("select actor from audit_log where action = 'job.purge'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(actor, "system:jobs.purge");
}

#[tokio::test]
async fn purge_rejects_invalid_values() {
    let (app, admin) = common::quiet_app().await;
    let queued_job = insert(&app, Seed::new("default", "queued")).await;
    for (body, field) in [
        (json!({ "state": "queued", "older_than_days": 0 }), "state"),
        (
            json!({ "state": "dead", "older_than_days": -1 }),
            "older_than_days",
        ),
        (
            json!({ "state": "dead", "older_than_days": 3651 }),
            "older_than_days",
        ),
        (
            json!({ "state": "dead", "older_than_days": 1, "queue": "mail" }),
            "queue",
        ),
        (json!({ "state": "dead" }), "older_than_days"),
    ] {
        let response = purge(&admin, body.clone()).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        assert_eq!(error_fields(&problem(response).await), [field], "{body}");
    }
    assert_eq!(job_state(&app, queued_job).await.as_deref(), Some("queued"));
    assert_eq!(app.audit_count("job.purge").await, 0);
}

#[tokio::test]
async fn roles_limit_jobs_access() {
    let (app, admin) = common::quiet_app().await;
    let dead = insert(
        &app,
        Seed::new("default", "dead").finished_ago(Duration::days(9)),
    )
    .await;
    let retry_path = format!("/api/v1/jobs/{dead}/retry");
    let purge_body = json!({ "state": "dead", "older_than_days": 1 });

    let auditor = sign_in_as(&app, &admin, "jobs.auditor", "auditor", None).await;
    assert_eq!(
        auditor.get("/api/v1/jobs/summary").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        auditor.get("/api/v1/jobs?state=dead").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        auditor.get(&format!("/api/v1/jobs/{dead}")).await.status(),
        StatusCode::OK
    );
    let rejected = auditor.post_empty(&retry_path).await;
    assert_eq!(rejected.status(), StatusCode::FORBIDDEN, "auditor retry");
    let rejected = purge(&auditor, purge_body.clone()).await;
    assert_eq!(rejected.status(), StatusCode::FORBIDDEN, "auditor purge");

    let helpdesk = sign_in_as(&app, &admin, "jobs.helpdesk", "helpdesk", None).await;
    for path in [
        "/api/v1/jobs/summary",
        "/api/v1/jobs",
        &format!("/api/v1/jobs/{dead}"),
    ] {
        let status = helpdesk.get(path).await.status();
        assert_eq!(status, StatusCode::FORBIDDEN, "helpdesk GET {path}");
    }

    let scope = json!({ "categories": ["Applications"] });
    let scoped = sign_in_as(&app, &admin, "jobs.scoped", "admin", Some(scope)).await;
    assert_eq!(
        scoped.get("/api/v1/jobs/summary").await.status(),
        StatusCode::OK
    );
    let rejected = scoped.post_empty(&retry_path).await;
    assert_eq!(
        rejected.status(),
        StatusCode::FORBIDDEN,
        "scoped admin retry"
    );
    let detail = problem(rejected).await["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("narrowed access scope"), "{detail}");
    let rejected = purge(&scoped, purge_body.clone()).await;
    assert_eq!(
        rejected.status(),
        StatusCode::FORBIDDEN,
        "scoped admin purge"
    );

    assert_eq!(job_state(&app, dead).await.as_deref(), Some("dead"));
    assert_eq!(app.audit_count("job.retry").await, 0);
    assert_eq!(app.audit_count("job.purge").await, 0);

    let unscoped = sign_in_as(&app, &admin, "jobs.admin", "admin", None).await;
    assert_eq!(deleted(purge(&unscoped, purge_body).await).await, 1);
}
