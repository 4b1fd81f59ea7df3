//! Approval messages in Microsoft Teams and Slack, posted to fake incoming webhooks on
//! 127.0.0.1 that check the cards and blocks as the services do. The links in a post decide the
//! order; failed posts are retried or parked by their own jobs, never re-sending the e-mail.

mod common;

use common::webhook::{FakeWebhook, Received, Service, is_absolute_http_url};
use common::{Session, TestApp, directory, error_fields, mail, oidc, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const MANAGER: &str = "mfinch@example.test";

struct World {
    app: TestApp,
    admin: Session,
    jane: Session,
    name: String,
    definition: Value,
}

async fn world() -> World {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    app.configure_services(&admin).await;
    let jane = oidc::sign_in(&app, "jdoe", "JaneDoe-demo-1").await;
    let name = format!("Chat access {}", uuid::Uuid::now_v7().simple());
    let group = directory::create_group(&name).await;
    let definition = app.create_definition(&admin, &name, &group).await;
    World {
        app,
        admin,
        jane,
        name,
        definition,
    }
}

fn settings_path(service: Service) -> &'static str {
    match service {
        Service::Teams => "/api/v1/settings/teams",
        Service::Slack => "/api/v1/settings/slack",
    }
}

/// Starts a fake webhook and turns the channel on with its URL.
async fn channel(w: &World, service: Service) -> FakeWebhook {
    let fake = FakeWebhook::start(service).await;
    let body = json!({ "enabled": true, "webhook_url": fake.url });
    let response = w.admin.put(settings_path(service), &body).await;
    assert_eq!(response.status(), StatusCode::OK, "turn the channel on");
    fake
}

async fn place(w: &World, justification: &str) -> Value {
    let body = json!({
        "definition_id": w.definition["id"],
        "duration_days": 30,
        "justification": justification,
    });
    let response = w.jane.post("/api/v1/portal/orders", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "order placed");
    response.json().await.unwrap()
}

/// Returns the facts of a Teams card as (title, value) pairs.
fn card_facts(post: &Received) -> Vec<(String, String)> {
    let card = &post.body["attachments"][0]["content"];
    let fact_set = card["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "FactSet")
        .expect("a FactSet");
    fact_set["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let title = f["title"].as_str().unwrap().to_string();
            (title, f["value"].as_str().unwrap().to_string())
        })
        .collect()
}

fn fact<'a>(facts: &'a [(String, String)], title: &str) -> &'a str {
    facts
        .iter()
        .find(|(t, _)| t == title)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no fact {title} in {facts:?}"))
}

fn card_title(post: &Received) -> String {
    post.body["attachments"][0]["content"]["body"][0]["text"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Returns the URL of the card action or Slack button labelled `label`.
fn button_url(post: &Received, label: &str) -> String {
    let card_actions = post.body["attachments"][0]["content"]["actions"].as_array();
    let slack_buttons = post.body["blocks"]
        .as_array()
        .and_then(|blocks| blocks.iter().find(|b| b["type"] == "actions"))
        .and_then(|b| b["elements"].as_array());
    let found = card_actions
        .into_iter()
        .flatten()
        .find(|a| a["title"] == label)
        .or_else(|| {
            slack_buttons
                .into_iter()
                .flatten()
                .find(|b| b["text"]["text"] == label)
        })
        .unwrap_or_else(|| panic!("no button {label} in {}", post.body));
    found["url"].as_str().unwrap().to_string()
}

fn link_token(url: &str) -> String {
    let (page, token) = url.split_once('#').expect("a token after #");
    assert!(page.ends_with("/portal/decide"), "{url}");
    token.to_string()
}

async fn job_rows(app: &TestApp, kind: &str) -> Vec<(String, i32, Option<String>)> {
    sqlx::query_as("select state, attempts, last_error from jobs where kind = $1 order by id")
        .bind(kind)
        .fetch_all(&app.state.db)
        .await
        .unwrap()
}

async fn wait_for_job(app: &TestApp, kind: &str, state: &str) -> (String, i32, Option<String>) {
    let what = format!("a {kind} job to be {state}");
    TestApp::eventually(20, &what, || async {
        job_rows(app, kind)
            .await
            .into_iter()
            .find(|(s, _, _)| s == state)
    })
    .await
}

/// Waits until a job of `kind` failed an attempt and is queued for the next one.
async fn wait_for_retry(app: &TestApp, kind: &str) -> (i32, String) {
    let what = format!("a {kind} job to wait for a retry");
    TestApp::eventually(20, &what, || async {
        job_rows(app, kind)
            .await
            .into_iter()
            .find_map(|(state, attempts, error)| match (state.as_str(), error) {
                ("queued", Some(error)) => Some((attempts, error)),
                _ => None,
            })
    })
    .await
}

#[tokio::test]
async fn teams_card_links_decide_the_order() {
    let w = world().await;
    let teams = channel(&w, Service::Teams).await;

    let order = place(&w, "Quarter close needs the ledger").await;
    let order_id = order["id"].as_str().unwrap();
    let posts = teams.wait_for(1).await;
    let post = &posts[0];
    assert_eq!(post.problems, Vec::<String>::new(), "{}", post.body);
    assert!(
        post.content_type.starts_with("application/json"),
        "{}",
        post.content_type
    );
    let card = &post.body["attachments"][0]["content"];
    assert_eq!(card["version"], "1.4");
    assert_eq!(
        card_title(post),
        format!("Approval needed: {} for Jane Doe", w.name)
    );

    let facts = card_facts(post);
    assert_eq!(fact(&facts, "Requester"), "Jane Doe <jdoe@example.test>");
    assert_eq!(fact(&facts, "Asset"), w.name);
    assert_eq!(fact(&facts, "Duration"), "30 days");
    assert_eq!(
        fact(&facts, "Justification"),
        "Quarter close needs the ledger"
    );
    assert!(fact(&facts, "Approver").contains(MANAGER), "{facts:?}");

    let titles: Vec<&str> = card["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Approve", "Decline", "Open inbox"]);
    for action in card["actions"].as_array().unwrap() {
        assert!(is_absolute_http_url(&action["url"]), "{action}");
    }
    assert!(button_url(post, "Open inbox").ends_with("/portal/approvals"));

    // The e-mail went out as well, through its own job.
    mail::wait_for(MANAGER, &w.name).await;

    let token = link_token(&button_url(post, "Approve"));
    let link = format!("/api/v1/approval-links/{token}");
    let view: Value = w.app.client().get(&link).await.json().await.unwrap();
    assert_eq!(view["decision"], "approve");
    assert_eq!(view["order"]["id"], order_id);
    let decided = w.app.client().post_empty(&link).await;
    assert_eq!(decided.status(), StatusCode::OK);
    w.app
        .wait_for_order_state(&w.admin, order_id, "active")
        .await;
    let (state, attempts, _) = wait_for_job(&w.app, "chat.teams", "succeeded").await;
    assert_eq!((state.as_str(), attempts), ("succeeded", 1));
}

#[tokio::test]
async fn slack_blocks_escape_and_decline_link_works() {
    let w = world().await;
    let slack = channel(&w, Service::Slack).await;

    let order = place(&w, "Needs <!channel> & <https://evil.example|a link>").await;
    let posts = slack.wait_for(1).await;
    let post = &posts[0];
    assert_eq!(post.problems, Vec::<String>::new(), "{}", post.body);
    let blocks = post.body["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(
        blocks[0]["text"]["text"],
        format!("Approval needed: {} for Jane Doe", w.name)
    );
    assert!(blocks.iter().any(|b| b["type"] == "section"));
    let texts = post.body.to_string();
    assert!(
        texts.contains("Needs &lt;!channel&gt; &amp; &lt;https://evil.example|a link&gt;"),
        "{texts}"
    );
    assert!(!texts.contains("<!channel>"), "{texts}");
    let fallback = post.body["text"].as_str().unwrap();
    assert!(
        fallback.contains("Jane Doe &lt;jdoe@example.test&gt;"),
        "{fallback}"
    );

    let buttons = blocks.iter().find(|b| b["type"] == "actions").unwrap()["elements"]
        .as_array()
        .unwrap();
    let styles: Vec<(&str, &str)> = buttons
        .iter()
        .map(|b| {
            (
                b["text"]["text"].as_str().unwrap(),
                b["style"].as_str().unwrap_or("default"),
            )
        })
        .collect();
    assert_eq!(
        styles,
        [
            ("Approve", "primary"),
            ("Decline", "danger"),
            ("Open inbox", "default")
        ]
    );

    let token = link_token(&button_url(post, "Decline"));
    let link = format!("/api/v1/approval-links/{token}");
    let view: Value = w.app.client().get(&link).await.json().await.unwrap();
    assert_eq!(view["decision"], "decline");
    assert_eq!(view["order"]["id"], order["id"]);
    let decided = w.app.client().post_empty(&link).await;
    assert_eq!(decided.status(), StatusCode::OK);
    let order_id = order["id"].as_str().unwrap();
    w.app
        .wait_for_order_state(&w.admin, order_id, "rejected")
        .await;
}

#[tokio::test]
async fn server_error_is_retried_then_posted() {
    let w = world().await;
    let teams = channel(&w, Service::Teams).await;
    teams.fail_next(500, None, "upstream failed");

    place(&w, "Retry me").await;
    let (attempts, error) = wait_for_retry(&w.app, "chat.teams").await;
    assert_eq!(attempts, 1);
    assert!(error.contains("HTTP 500"), "{error}");
    assert!(
        !error.contains(&teams.url),
        "the error names the secret URL: {error}"
    );

    // The backoff is business time, so moving the clock makes the retry due.
    w.app.state.clock.advance(chrono::Duration::seconds(30));
    let (_, attempts, _) = wait_for_job(&w.app, "chat.teams", "succeeded").await;
    assert_eq!(attempts, 2);
    let posts = teams.received();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1].problems, Vec::<String>::new());
    mail::wait_for(MANAGER, &w.name).await;
    assert_eq!(mail::count(MANAGER, &w.name).await, 1, "one e-mail only");
}

#[tokio::test]
async fn rejected_post_is_permanent_and_mail_still_sent() {
    let w = world().await;
    let slack = channel(&w, Service::Slack).await;
    slack.fail_next(404, None, "no_service");

    place(&w, "Hook deleted").await;
    let (_, attempts, error) = wait_for_job(&w.app, "chat.slack", "dead").await;
    assert_eq!(attempts, 1);
    let error = error.unwrap();
    assert!(error.contains("HTTP 404"), "{error}");
    assert!(error.contains("no_service"), "{error}");
    assert!(
        !error.contains(&slack.url),
        "the error names the secret URL: {error}"
    );

    mail::wait_for(MANAGER, &w.name).await;
    w.app.state.clock.advance(chrono::Duration::hours(1));
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        slack.received().len(),
        1,
        "a rejected post is not sent again"
    );
    assert_eq!(mail::count(MANAGER, &w.name).await, 1);
}

#[tokio::test]
async fn throttled_post_waits_for_retry_after() {
    let w = world().await;
    let slack = channel(&w, Service::Slack).await;
    slack.fail_next(429, Some("120"), "rate_limited");

    place(&w, "Slow down").await;
    wait_for_retry(&w.app, "chat.slack").await;
    let wait: f64 = sqlx::query_scalar(
        "select extract(epoch from run_at - $1)::float8 from jobs where kind = 'chat.slack'",
    )
    .bind(w.app.state.clock.now())
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert!(wait >= 115.0, "retried after {wait} s, before Retry-After");

    w.app.state.clock.advance(chrono::Duration::seconds(60));
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(slack.received().len(), 1, "not retried before Retry-After");
    w.app.state.clock.advance(chrono::Duration::seconds(70));
    wait_for_job(&w.app, "chat.slack", "succeeded").await;
    assert_eq!(slack.received().len(), 2);
}

#[tokio::test]
async fn decided_approval_is_not_posted() {
    let w = world().await;
    let teams = channel(&w, Service::Teams).await;
    teams.fail_next(503, None, "");

    place(&w, "Decided by mail").await;
    wait_for_retry(&w.app, "chat.teams").await;
    let request = mail::wait_for(MANAGER, &w.name).await;
    let decided = mail::decide_by_link(&w.app, &request.text, "Approve").await;
    assert_eq!(decided.status(), StatusCode::OK);

    w.app.state.clock.advance(chrono::Duration::seconds(30));
    wait_for_job(&w.app, "chat.teams", "succeeded").await;
    assert_eq!(
        teams.received().len(),
        1,
        "only the failed attempt reached Teams"
    );
}

#[tokio::test]
async fn reminders_and_escalation_reach_the_channel() {
    let w = world().await;
    let teams = channel(&w, Service::Teams).await;
    let settings: Value = w
        .admin
        .get("/api/v1/settings/approvals")
        .await
        .json()
        .await
        .unwrap();
    let mut settings = settings;
    settings["reminder_interval_hours"] = json!(1);
    settings["max_reminders"] = json!(1);
    settings["escalation_contacts"] = json!(["gobrien"]);
    settings["escalation_mode"] = json!("notify_only");
    let saved = w.admin.put("/api/v1/settings/approvals", &settings).await;
    assert_eq!(saved.status(), StatusCode::OK);

    place(&w, "Waiting a while").await;
    teams.wait_for(1).await;
    w.app.state.clock.advance(chrono::Duration::minutes(61));
    let posts = teams.wait_for(2).await;
    assert_eq!(
        card_title(&posts[1]),
        format!("Reminder 1: approval needed: {} for Jane Doe", w.name)
    );
    assert!(button_url(&posts[1], "Approve").contains("/portal/decide#"));

    w.app.state.clock.advance(chrono::Duration::minutes(61));
    let posts = teams.wait_for(3).await;
    let notice = &posts[2];
    assert_eq!(notice.problems, Vec::<String>::new(), "{}", notice.body);
    assert_eq!(
        card_title(notice),
        format!("Approval overdue: {} for Jane Doe", w.name)
    );
    let facts = card_facts(notice);
    assert!(fact(&facts, "Approver").contains(MANAGER), "{facts:?}");
    assert!(fact(&facts, "Waiting since").ends_with("UTC"), "{facts:?}");
    assert!(button_url(notice, "Open order").contains("/ui/orders/"));
    mail::wait_for(
        "gobrien@example.test",
        &format!("Approval overdue: {}", w.name),
    )
    .await;
}

#[tokio::test]
async fn webhook_url_is_write_only_and_encrypted() {
    let w = world().await;
    let off: Value = w
        .admin
        .get("/api/v1/settings/teams")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(off, json!({ "enabled": false, "webhook_url_set": false }));

    let teams = channel(&w, Service::Teams).await;
    let response = w.admin.get("/api/v1/settings/teams").await;
    let text = response.text().await.unwrap();
    assert!(!text.contains(&teams.url), "{text}");
    let shown: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(shown, json!({ "enabled": true, "webhook_url_set": true }));

    let stored: Value = sqlx::query_scalar("select value from settings where key = 'teams'")
        .fetch_one(&w.app.state.db)
        .await
        .unwrap();
    assert!(!stored.to_string().contains(&teams.url), "{stored}");
    let audit: Vec<Value> = sqlx::query_scalar(
        "select coalesce(after, 'null'::jsonb) from audit_log where entity_id = 'teams'",
    )
    .fetch_all(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["webhook_url"], "********");
    assert_eq!(audit[0]["webhook_url_changed"], true);

    // Leaving the URL out keeps it; turning the channel off keeps it too.
    let kept = w
        .admin
        .put("/api/v1/settings/teams", &json!({ "enabled": false }))
        .await;
    let kept: Value = kept.json().await.unwrap();
    assert_eq!(kept, json!({ "enabled": false, "webhook_url_set": true }));

    // The audit rows record whether the URL changed without showing it.
    let changed: Vec<Value> = sqlx::query_scalar(
        "select after->'webhook_url_changed' from audit_log where entity_id = 'teams'
         order by at, id",
    )
    .fetch_all(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(changed, [json!(true), json!(false)]);

    let invalid = json!({ "enabled": true, "webhook_url": "ftp://127.0.0.1/hook" });
    let invalid = problem(w.admin.put("/api/v1/settings/slack", &invalid).await).await;
    assert_eq!(error_fields(&invalid), ["webhook_url"]);
    let missing = problem(
        w.admin
            .put("/api/v1/settings/slack", &json!({ "enabled": true }))
            .await,
    )
    .await;
    assert_eq!(error_fields(&missing), ["webhook_url"]);
}

#[tokio::test]
async fn test_button_posts_and_reports_failures() {
    let w = world().await;
    let slack = channel(&w, Service::Slack).await;

    let tested = w
        .admin
        .post("/api/v1/settings/slack/test", &json!({ "enabled": true }))
        .await;
    assert_eq!(tested.status(), StatusCode::OK);
    let tested: Value = tested.json().await.unwrap();
    assert_eq!(tested["ok"], true, "{tested}");
    let posts = slack.wait_for(1).await;
    assert_eq!(posts[0].problems, Vec::<String>::new(), "{}", posts[0].body);
    assert!(
        posts[0].body["text"]
            .as_str()
            .unwrap()
            .contains("test message")
    );

    let teams = FakeWebhook::start(Service::Teams).await;
    let wrong_path = format!("{}-deleted", teams.url.split('?').next().unwrap());
    let failed = w
        .admin
        .post(
            "/api/v1/settings/teams/test",
            &json!({ "enabled": false, "webhook_url": wrong_path }),
        )
        .await;
    let failed: Value = failed.json().await.unwrap();
    assert_eq!(failed["ok"], false, "{failed}");
    let message = failed["message"].as_str().unwrap();
    assert!(message.contains("HTTP 404"), "{message}");
    assert!(!message.contains(&wrong_path), "{message}");
    assert_eq!(
        w.app.audit_count("settings.update").await,
        4,
        "tests save nothing"
    );
}
