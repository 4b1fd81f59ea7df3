//! `GET /metrics`: request counters by route template, gauges from the database, the setting
//! that turns it off and the optional bearer token.
//!
//! The metrics recorder is global to the process, so the tests of this file share counters.
//! Each test checks series that only it touches: one route, one job kind and queue.

mod common;

use common::{Options, Session, TestApp, directory, oidc, problem};
use ipsolis::jobs::{NewJob, Queue};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One sample of the text format: series name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parses the sample lines of a Prometheus text document, skipping `#` lines.
fn parse(document: &str) -> Vec<Sample> {
    document
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| parse_line(line).unwrap_or_else(|| panic!("unparsable line {line:?}")))
        .collect()
}

fn parse_line(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' '])?;
    let name = line[..name_end].to_string();
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        let mut key = String::new();
        let close = loop {
            let (index, c) = chars.next()?;
            match c {
                '}' => break index,
                ',' => {}
                '=' => {
                    chars.next_if(|(_, c)| *c == '"')?;
                    let mut value = String::new();
                    loop {
                        match chars.next()?.1 {
                            '\\' => match chars.next()?.1 {
                                'n' => value.push('\n'),
                                other => value.push(other),
                            },
                            '"' => break,
                            other => value.push(other),
                        }
                    }
                    labels.insert(std::mem::take(&mut key), value);
                }
                other => key.push(other),
            }
        };
        rest = &inner[close + 1..];
    }
    let value = rest.trim().split(' ').next()?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().ok()?,
    };
    Some(Sample {
        name,
        labels,
        value,
    })
}

/// Returns the value of the one sample named `name` whose labels include `labels`.
#[track_caller]
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert!(
        found.len() <= 1,
        "{name} {labels:?} matches {} samples",
        found.len()
    );
    found.first().map(|s| s.value)
}

async fn scrape(app: &TestApp) -> (StatusCode, String) {
    let response = reqwest::get(format!("{}/metrics", app.url)).await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn scrape_ok(app: &TestApp) -> Vec<Sample> {
    let response = reqwest::get(format!("{}/metrics", app.url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "scrape /metrics");
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let document = response.text().await.unwrap();
    let samples = parse(&document);
    for sample in &samples {
        assert!(
            ipsolis::observability::metrics::is_exported(&sample.name),
            "{} is in the scrape but not in observability::metrics::FAMILIES",
            sample.name
        );
    }
    samples
}

#[tokio::test]
async fn requests_are_counted_by_route_template() {
    let (app, admin) = common::quiet_app().await;
    let route = "/api/v1/orders/{id}";
    let labels = [("method", "GET"), ("route", route), ("status", "404")];
    let before = scrape_ok(&app).await;
    let counted_before = value(&before, "ipsolis_http_requests_total", &labels).unwrap_or(0.0);

    let mut paths = Vec::new();
    for _ in 0..3 {
        let path = format!("/api/v1/orders/{}", uuid::Uuid::now_v7());
        let response = admin.get(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        paths.push(path);
    }
    let unmatched = format!("/no/such/path/{}", uuid::Uuid::now_v7().simple());
    assert_eq!(admin.get(&unmatched).await.status(), StatusCode::NOT_FOUND);

    let (status, document) = scrape(&app).await;
    assert_eq!(status, StatusCode::OK);
    let after = parse(&document);
    let counted = value(&after, "ipsolis_http_requests_total", &labels).unwrap();
    assert_eq!(counted - counted_before, 3.0, "three requests to {route}");
    for path in &paths {
        assert!(
            !document.contains(path.as_str()),
            "raw path {path} is a label"
        );
    }
    assert!(
        !document.contains(&unmatched),
        "raw unmatched path is a label"
    );
    let unmatched_count = value(
        &after,
        "ipsolis_http_requests_total",
        &[("method", "GET"), ("route", "unmatched"), ("status", "404")],
    );
    assert!(
        unmatched_count.unwrap_or(0.0) >= 1.0,
        "unmatched is counted"
    );

    assert!(document.contains("# TYPE ipsolis_http_request_duration_seconds histogram"));
    let histogram_count = value(
        &after,
        "ipsolis_http_request_duration_seconds_count",
        &labels,
    );
    assert_eq!(
        histogram_count,
        Some(counted),
        "the histogram counts the same"
    );
    let slowest_bucket = value(
        &after,
        "ipsolis_http_request_duration_seconds_bucket",
        &[("route", route), ("status", "404"), ("le", "+Inf")],
    );
    assert_eq!(slowest_bucket, Some(counted));
    let build = after
        .iter()
        .find(|s| s.name == "ipsolis_build_info")
        .expect("build info");
    assert_eq!(build.labels["version"], env!("CARGO_PKG_VERSION"));
}

/// Creates a definition with a quota of five, approved by the requester's manager.
async fn quota_definition(admin: &Session) -> Value {
    let group = directory::create_group("Metrics quota").await;
    let body = json!({
        "name": format!("Metrics quota {}", uuid::Uuid::now_v7().simple()),
        "category": "Metrics tests",
        "strategy": "group_access",
        "group_dns": [group],
        "approval": {"manager": {}},
        "default_duration_days": 30,
        "max_duration_days": 90,
        "justification": "off",
        "capacity": 5,
    });
    let response = admin.post("/api/v1/asset-definitions", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "create definition");
    response.json().await.unwrap()
}

/// Enqueues a job whose payload its handler rejects, so its one attempt fails for good.
async fn enqueue_failing_job(app: &TestApp) {
    let mut job = NewJob::new(
        Queue::Default,
        ipsolis::jobs::handlers::MAIL_SEND,
        json!({}),
    );
    job.max_attempts = 1;
    let mut tx = app.state.db.begin().await.unwrap();
    ipsolis::jobs::queue::enqueue(&mut tx, job, app.state.clock.now())
        .await
        .unwrap()
        .expect("a new job");
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn gauges_reflect_orders_approvals_pool_and_jobs() {
    let app = TestApp::start_with(Options::quiet()).await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let definition = quota_definition(&admin).await;
    let employee = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let body = json!({ "definition_id": definition["id"], "duration_days": 10 });
    let response = employee.post("/api/v1/portal/orders", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "order placed");
    let order: Value = response.json().await.unwrap();
    assert_eq!(order["state"], "pending_approval");

    // Only the default queue has a worker, so the approval e-mail stays queued.
    enqueue_failing_job(&app).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = ipsolis::jobs::worker::WorkerPool::new(vec!["default".into()], 1);
    tokio::spawn(worker.run(app.state.clone(), stopped));
    TestApp::eventually(20, "the failing job to be dead", || async {
        let dead: i64 = sqlx::query_scalar("select count(*) from jobs where state = 'dead'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        (dead == 1).then_some(())
    })
    .await;
    let _ = stop.send(true);

    let samples = scrape_ok(&app).await;
    let orders = |state| value(&samples, "ipsolis_orders", &[("state", state)]);
    assert_eq!(orders("pending_approval"), Some(1.0));
    assert_eq!(
        orders("active"),
        Some(0.0),
        "open states without orders are 0"
    );
    assert_eq!(orders("completed"), None, "final states are left out");
    assert_eq!(value(&samples, "ipsolis_approvals_pending", &[]), Some(1.0));
    let oldest = value(
        &samples,
        "ipsolis_approvals_oldest_pending_age_seconds",
        &[],
    );
    assert!(oldest.is_some_and(|age| age >= 0.0), "{oldest:?}");

    let id = definition["id"].as_str().unwrap();
    let pool = [("definition_id", id)];
    assert_eq!(value(&samples, "ipsolis_pool_used", &pool), Some(1.0));
    assert_eq!(value(&samples, "ipsolis_pool_free", &pool), Some(4.0));
    let name = definition["name"].as_str().unwrap();
    assert_eq!(
        value(&samples, "ipsolis_pool_used", &[("definition", name)]),
        Some(1.0)
    );

    let queue = |name, queue| value(&samples, name, &[("queue", queue)]);
    let notifications: i64 = sqlx::query_scalar(
        "select count(*) from jobs where queue = 'notifications' and state = 'queued'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert!(
        notifications >= 1,
        "placing the order enqueued the approval e-mail"
    );
    assert_eq!(
        queue("ipsolis_jobs_queued", "notifications"),
        Some(notifications as f64)
    );
    assert_eq!(queue("ipsolis_jobs_dead", "default"), Some(1.0));
    assert_eq!(queue("ipsolis_jobs_running", "default"), Some(0.0));
    assert_eq!(queue("ipsolis_jobs_queued", "reclaim"), Some(0.0));
    let failed = [("kind", "mail.send"), ("queue", "default")];
    assert_eq!(
        value(&samples, "ipsolis_job_failures_total", &failed),
        Some(1.0)
    );
    assert_eq!(
        value(&samples, "ipsolis_job_attempts_total", &failed),
        Some(1.0)
    );
}

#[tokio::test]
async fn leader_and_process_gauges_are_exported() {
    let app = TestApp::start_with(Options {
        workers: false,
        scheduler: true,
        extra_env: Vec::new(),
    })
    .await;
    TestApp::eventually(20, "this process to lead the scheduler", || async {
        let leader = app
            .state
            .scheduler
            .is_leader
            .load(std::sync::atomic::Ordering::Relaxed);
        leader.then_some(())
    })
    .await;

    let samples = scrape_ok(&app).await;
    assert_eq!(value(&samples, "ipsolis_scheduler_leader", &[]), Some(1.0));
    let memory = value(&samples, "process_resident_memory_bytes", &[]);
    assert!(
        memory.is_some_and(|bytes| bytes > 1_000_000.0),
        "{memory:?}"
    );
    let started = value(&samples, "process_start_time_seconds", &[]).unwrap();
    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
    assert!(started > now - 3600.0, "started {started}, now {now}");
    assert!(started <= now, "started {started}, now {now}");
}

#[tokio::test]
async fn metrics_turned_off_answer_404() {
    let (app, admin) = common::quiet_app().await;
    let defaults: Value = admin
        .get("/api/v1/settings/metrics")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(defaults, json!({ "enabled": true, "token_set": false }));

    let response = admin
        .put("/api/v1/settings/metrics", &json!({ "enabled": false }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, _) = scrape(&app).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_count("settings.update").await, 1);

    admin
        .put("/api/v1/settings/metrics", &json!({ "enabled": true }))
        .await;
    let (status, _) = scrape(&app).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn token_is_required_and_never_returned() {
    let (app, admin) = common::quiet_app().await;
    let token = format!("{}{}", "metrics-token-", "0123456789abcdef".repeat(2));
    let saved = admin
        .put(
            "/api/v1/settings/metrics",
            &json!({ "enabled": true, "token": token }),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved = saved.text().await.unwrap();
    assert!(!saved.contains(&token), "the PUT response holds the token");
    assert_eq!(
        serde_json::from_str::<Value>(&saved).unwrap(),
        json!({ "enabled": true, "token_set": true })
    );
    let read = admin
        .get("/api/v1/settings/metrics")
        .await
        .text()
        .await
        .unwrap();
    assert!(!read.contains(&token), "the GET response holds the token");

    let http = reqwest::Client::new();
    let url = format!("{}/metrics", app.url);
    let missing = http.get(&url).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let challenge = missing.headers()["www-authenticate"].to_str().unwrap();
    assert_eq!(challenge, "Bearer realm=\"metrics\"");
    let wrong = http
        .get(&url)
        .bearer_auth("x".repeat(46))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let challenge = wrong.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let right = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(right.status(), StatusCode::OK);

    let stored: Value = sqlx::query_scalar("select value from settings where key = 'metrics'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(stored["token"].as_str().unwrap().starts_with("enc:v1:"));
    assert!(!stored.to_string().contains(&token));
    let audit: Vec<Value> =
        sqlx::query_scalar("select after from audit_log where action = 'settings.update'")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(audit[0]["token"], "********");
    assert_eq!(audit[0]["token_changed"], true);

    // Leaving the token out keeps it; an empty one removes it.
    let kept: Value = admin
        .put("/api/v1/settings/metrics", &json!({ "enabled": true }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept["token_set"], true);
    let still_missing = http.get(&url).send().await.unwrap();
    assert_eq!(still_missing.status(), StatusCode::UNAUTHORIZED);
    let removed: Value = admin
        .put(
            "/api/v1/settings/metrics",
            &json!({ "enabled": true, "token": "" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(removed["token_set"], false);
    assert_eq!(
        http.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn short_token_is_rejected() {
    let (_app, admin) = common::quiet_app().await;
    let response = admin
        .put(
            "/api/v1/settings/metrics",
            &json!({ "enabled": true, "token": "short" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = problem(response).await;
    assert_eq!(common::error_fields(&problem), ["token"]);
}
