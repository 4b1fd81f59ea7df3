//! Audit forwarding to a SIEM: a fake Splunk HTTP Event Collector and a fake syslog receiver
//! on 127.0.0.1 receive every audit event written while forwarding is on, exactly once and
//! across an outage of the collector. Bad settings are rejected naming the field, and the HEC
//! token never leaves the server.

mod common;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as FakeStatus};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use common::{CallLog, Session, TestApp, error_fields, problem};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncReadExt;
use uuid::Uuid;

const TOKEN: &str = "7d0c5a2e-41f6-4b8e-9c3a-5e2f1d6b8a90";

/// The events the fake collector received and the failures it returns next.
#[derive(Default)]
struct Collector {
    events: Vec<Value>,
    calls: CallLog,
}

/// A fake HEC: checks the `Splunk <token>` header and the batch format as Splunk does, and
/// responds with Splunk's status codes and bodies.
struct FakeHec {
    url: String,
    shared: Arc<Mutex<Collector>>,
}

impl FakeHec {
    async fn start() -> FakeHec {
        let shared = Arc::new(Mutex::new(Collector::default()));
        let app = Router::new()
            .route("/services/collector/event", post(hec_event))
            .route("/services/collector/health", get(hec_health))
            .with_state(shared.clone());
        let address = common::serve_fake(app).await;
        FakeHec {
            url: format!("http://{address}"),
            shared,
        }
    }

    fn events(&self) -> Vec<Value> {
        self.shared.lock().unwrap().events.clone()
    }

    /// Responds to the next `count` posts with `status` and a body that is not Splunk's
    /// success, as a busy collector (503) or a proxy's error page (200) would.
    fn fail_next(&self, count: usize, status: u16) {
        self.shared.lock().unwrap().calls.fail_next(count, status);
    }

    fn posts(&self) -> usize {
        self.shared.lock().unwrap().calls.count("event")
    }
}

async fn hec_health() -> impl IntoResponse {
    axum::Json(json!({ "text": "HEC is healthy", "code": 17 }))
}

async fn hec_event(
    State(shared): State<Arc<Mutex<Collector>>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let reply = |status: u16, text: &str, code: i64| {
        (
            FakeStatus::from_u16(status).unwrap(),
            axum::Json(json!({ "text": text, "code": code })),
        )
    };
    let mut shared = shared.lock().unwrap();
    if let Some(status) = shared.calls.record("event") {
        return reply(status.as_u16(), "Server is busy", 9);
    }
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        None => return reply(401, "Token is required", 2),
        Some(value) if value != format!("Splunk {TOKEN}") => {
            return reply(403, "Invalid token", 4);
        }
        Some(_) => {}
    }
    // A batch is JSON objects one after another, each with an `event`.
    let mut batch = Vec::new();
    for (number, event) in serde_json::Deserializer::from_slice(&body)
        .into_iter::<Value>()
        .enumerate()
    {
        match event {
            Ok(event) if event.get("event").is_some() && event["time"].is_number() => {
                batch.push(event);
            }
            _ => {
                let mut answer = reply(400, "Invalid data format", 6);
                answer.1.0["invalid-event-number"] = json!(number);
                return answer;
            }
        }
    }
    if batch.is_empty() {
        return reply(400, "No data", 5);
    }
    shared.events.extend(batch);
    reply(200, "Success", 0)
}

/// A fake syslog receiver: reads octet-counted frames (RFC 6587) from every connection.
struct FakeSyslog {
    endpoint: String,
    messages: Arc<Mutex<Vec<String>>>,
}

impl FakeSyslog {
    async fn start() -> FakeSyslog {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("tcp://{}", listener.local_addr().unwrap());
        let messages = Arc::new(Mutex::new(Vec::new()));
        let received = messages.clone();
        tokio::spawn(async move {
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                let received = received.clone();
                tokio::spawn(async move {
                    let mut bytes = Vec::new();
                    stream.read_to_end(&mut bytes).await.unwrap();
                    let mut rest = bytes.as_slice();
                    while !rest.is_empty() {
                        let space = rest.iter().position(|b| *b == b' ').expect("a length");
                        let length: usize = std::str::from_utf8(&rest[..space])
                            .unwrap()
                            .parse()
                            .expect("a decimal length");
                        let frame = &rest[space + 1..space + 1 + length];
                        received
                            .lock()
                            .unwrap()
                            .push(String::from_utf8(frame.to_vec()).unwrap());
                        rest = &rest[space + 1 + length..];
                    }
                });
            }
        });
        FakeSyslog { endpoint, messages }
    }

    fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}

fn hec_settings(url: &str) -> Value {
    json!({
        "enabled": true,
        "format": "splunk_hec",
        "endpoint": url,
        "token": TOKEN,
        "index": "ipsolis_audit",
    })
}

/// Makes one audited change: a new API token.
async fn audited_change(admin: &Session, name: &str) {
    let body = json!({ "name": name, "scopes": ["orders:read"], "expires_in_days": 30 });
    let response = admin.post("/api/v1/tokens", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "token {name}");
}

/// Returns the ids of the audit rows written since forwarding was turned on, the row of that
/// change included.
async fn rows_since_enabled(app: &TestApp) -> HashSet<String> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "select id from audit_log where id >= (
             select id from audit_log where action = 'settings.update' and entity_id = 'siem'
             order by id limit 1)",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    ids.into_iter().map(|id| id.to_string()).collect()
}

async fn settings(admin: &Session) -> Value {
    let response = admin.get("/api/v1/settings/siem").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn hec_receives_each_event_once() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    audited_change(&admin, "before-forwarding").await;
    let hec = FakeHec::start().await;

    let response = admin
        .put("/api/v1/settings/siem", &hec_settings(&hec.url))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["token_set"], true);
    assert!(
        !saved.to_string().contains(TOKEN),
        "the token is never returned"
    );

    for n in 0..3 {
        audited_change(&admin, &format!("first-{n}")).await;
    }
    let expected = rows_since_enabled(&app).await;
    assert!(expected.len() >= 4, "the settings change and three tokens");
    TestApp::eventually(15, "the first events reach the collector", || async {
        (hec.events().len() >= expected.len()).then_some(())
    })
    .await;

    // The collector goes away for a while; events wait and the failure shows.
    hec.fail_next(1, 200);
    hec.fail_next(2, 503);
    let posts_before = hec.posts();
    for n in 0..5 {
        audited_change(&admin, &format!("during-outage-{n}")).await;
    }
    TestApp::eventually(15, "the failure is shown", || async {
        let current = settings(&admin).await;
        let error = current["delivery"]["last_error"]
            .as_str()
            .unwrap_or_default();
        (error.contains("503") && current["delivery"]["pending"].as_i64() >= Some(1)).then_some(())
    })
    .await;

    let expected = TestApp::eventually(60, "every event reaches the collector", || async {
        let pending = settings(&admin).await["delivery"]["pending"].as_i64();
        let expected = rows_since_enabled(&app).await;
        (pending == Some(0) && hec.events().len() >= expected.len()).then_some(expected)
    })
    .await;
    assert!(
        hec.posts() >= posts_before + 4,
        "three failures, then success"
    );

    let events = hec.events();
    let ids: Vec<String> = events
        .iter()
        .map(|e| e["event"]["id"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "no event is sent twice");
    assert_eq!(
        unique, expected,
        "exactly the rows written while forwarding was on"
    );

    let first = events
        .iter()
        .find(|e| e["event"]["action"] == "settings.update")
        .expect("the change that turned forwarding on");
    assert_eq!(first["sourcetype"], "ipsolis:audit");
    assert_eq!(first["index"], "ipsolis_audit");
    assert_eq!(first["host"], "127.0.0.1");
    assert_eq!(first["event"]["after"]["token"], "********");
    assert!(
        first["event"]["actor"]
            .as_str()
            .unwrap()
            .starts_with("admin:session:")
    );
    // Oldest first: the events of the outage follow the first ones.
    let position = |name: &str| {
        events
            .iter()
            .position(|e| e["event"]["after"]["name"] == name)
            .unwrap()
    };
    assert!(position("first-2") < position("during-outage-0"));
    assert!(position("during-outage-0") < position("during-outage-4"));

    let current = settings(&admin).await;
    assert_eq!(current["delivery"]["delivered_total"], expected.len());
    assert_eq!(current["delivery"]["last_error"], Value::Null);

    // Turned off, new rows are not queued, but the change that turned it off still goes out.
    let mut off = hec_settings(&hec.url);
    off["enabled"] = json!(false);
    off.as_object_mut().unwrap().remove("token");
    assert_eq!(
        admin.put("/api/v1/settings/siem", &off).await.status(),
        StatusCode::OK
    );
    audited_change(&admin, "after-forwarding").await;
    TestApp::eventually(15, "the change that turned forwarding off", || async {
        hec.events()
            .iter()
            .any(|e| {
                e["event"]["action"] == "settings.update" && e["event"]["after"]["enabled"] == false
            })
            .then_some(())
    })
    .await;
    let queued: i64 = sqlx::query_scalar(
        "select count(*) from siem_outbox o join audit_log a on a.id = o.audit_id
         where a.after ->> 'name' = 'after-forwarding'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(queued, 0);
}

#[tokio::test]
async fn syslog_gets_rfc_5424_frames() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let syslog = FakeSyslog::start().await;
    let body = json!({ "enabled": true, "format": "syslog", "endpoint": syslog.endpoint });
    let response = admin.put("/api/v1/settings/siem", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    audited_change(&admin, "syslog-check").await;

    let messages = TestApp::eventually(15, "two syslog messages", || async {
        let messages = syslog.messages();
        (messages.len() >= 2).then_some(messages)
    })
    .await;
    let message = messages
        .iter()
        .find(|m| m.contains("api_token.create"))
        .expect("the token's event");
    let fields: Vec<&str> = message.splitn(8, ' ').collect();
    assert_eq!(
        fields[0], "<109>1",
        "facility log audit, severity notice, version 1"
    );
    chrono::DateTime::parse_from_rfc3339(fields[1]).expect("an RFC 3339 time stamp");
    assert_eq!(fields[2], "127.0.0.1");
    assert_eq!(fields[3], "ipsolis");
    assert_eq!(fields[5], "api_token.create");
    assert_eq!(fields[6], "-", "no structured data");
    let event: Value = serde_json::from_str(fields[7]).unwrap();
    assert_eq!(event["after"]["name"], "syslog-check");

    // The test button sends one more event on its own connection.
    let response = admin.post("/api/v1/settings/siem/test", &body).await;
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["ok"], true, "{result}");
    TestApp::eventually(15, "the test event", || async {
        syslog
            .messages()
            .iter()
            .any(|m| m.contains(" siem.test - "))
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn bad_settings_name_the_field() {
    let (app, admin) = common::quiet_app().await;
    let hec = FakeHec::start().await;

    let cases = [
        (
            json!({ "enabled": true, "format": "splunk_hec", "endpoint": hec.url }),
            "token",
        ),
        (
            json!({ "enabled": true, "format": "splunk_hec", "endpoint": "ftp://x", "token": TOKEN }),
            "endpoint",
        ),
        (
            json!({ "enabled": true, "format": "syslog", "endpoint": "udp://127.0.0.1:514" }),
            "endpoint",
        ),
        (
            json!({ "enabled": true, "format": "syslog", "endpoint": "tcp://127.0.0.1:514", "token": "x" }),
            "token",
        ),
        (
            json!({ "enabled": true, "format": "splunk_hec", "endpoint": hec.url, "token": TOKEN, "index": "_internal" }),
            "index",
        ),
    ];
    for (body, field) in cases {
        let response = admin.put("/api/v1/settings/siem", &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        assert_eq!(error_fields(&problem(response).await), [field], "{body}");
    }
    let unknown = json!({ "enabled": true, "format": "kafka", "endpoint": hec.url });
    let response = admin.put("/api/v1/settings/siem", &unknown).await;
    assert!(response.status().is_client_error());
    assert_eq!(app.audit_count("settings.update").await, 0, "nothing saved");

    // A wrong token fails the test with Splunk's answer and without the token.
    let mut wrong = hec_settings(&hec.url);
    wrong["token"] = json!("00000000-0000-0000-0000-000000000000");
    let result: Value = admin
        .post("/api/v1/settings/siem/test", &wrong)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(result["ok"], false);
    let message = result["message"].as_str().unwrap();
    assert!(
        message.contains("403") && message.contains("Invalid token"),
        "{message}"
    );

    let response = admin
        .put("/api/v1/settings/siem", &hec_settings(&hec.url))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let stored: Value = sqlx::query_scalar("select value from settings where key = 'siem'")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(
        !stored.to_string().contains(TOKEN),
        "the token is encrypted at rest"
    );

    // The stored token goes only where it was saved for.
    let mut moved = hec_settings("https://elsewhere.example.test:8088");
    moved.as_object_mut().unwrap().remove("token");
    let response = admin.put("/api/v1/settings/siem", &moved).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem(response).await), ["token"]);

    // An empty token removes the stored one, and a switch to syslog needs none.
    let mut removed = hec_settings(&hec.url);
    removed["enabled"] = json!(false);
    removed["token"] = json!("");
    let response = admin.put("/api/v1/settings/siem", &removed).await;
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["token_set"], false);
    let response = admin
        .put("/api/v1/settings/siem", &hec_settings(&hec.url))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let syslog = json!({ "enabled": false, "format": "syslog", "endpoint": "tcp://127.0.0.1:9" });
    let response = admin.put("/api/v1/settings/siem", &syslog).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a stored HEC token does not block syslog"
    );
    assert_eq!(response.json::<Value>().await.unwrap()["token_set"], false);
    let response = admin
        .put("/api/v1/settings/siem", &hec_settings(&hec.url))
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    // A port out of range is caught by the full URL parse.
    let mut bad_port = hec_settings("http://127.0.0.1:99999");
    bad_port["enabled"] = json!(false);
    let response = admin.put("/api/v1/settings/siem", &bad_port).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem(response).await), ["endpoint"]);

    // Without a new token, the test uses the stored one.
    let mut kept = hec_settings(&hec.url);
    kept.as_object_mut().unwrap().remove("token");
    let result: Value = admin
        .post("/api/v1/settings/siem/test", &kept)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(result["ok"], true, "{result}");
    let test_event = hec
        .events()
        .into_iter()
        .find(|e| e["event"]["action"] == "siem.test");
    assert!(test_event.is_some(), "the test event reached the collector");
}

/// Runs the health checks now and returns the SIEM's entry.
async fn checked_siem(admin: &Session) -> Value {
    let response = admin.post_empty("/api/v1/health/check").await;
    assert_eq!(response.status(), StatusCode::OK);
    let details: Value = response.json().await.unwrap();
    details["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "siem")
        .expect("a SIEM entry")
        .clone()
}

#[tokio::test]
async fn health_and_checklist_show_forwarding() {
    let (_app, admin) = common::quiet_app().await;
    let hec = FakeHec::start().await;
    let response = admin
        .put("/api/v1/settings/siem", &hec_settings(&hec.url))
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let checklist: Value = admin
        .get("/api/v1/setup/checklist")
        .await
        .json()
        .await
        .unwrap();
    let item = checklist["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == "siem")
        .unwrap()
        .clone();
    assert_eq!(item["status"], "done", "{item}");

    let siem = checked_siem(&admin).await;
    assert_eq!(siem["status"], "ok", "{siem}");
    // The quiet app runs no scheduler and so no forwarding: the settings change waits queued.
    let detail = siem["detail"].as_str().unwrap();
    assert!(
        detail.contains("Audit events waiting to be sent: 1."),
        "{siem}"
    );

    // A collector that is gone fails the check with the reason.
    let gone = hec_settings("http://127.0.0.1:9");
    let response = admin.put("/api/v1/settings/siem", &gone).await;
    assert_eq!(response.status(), StatusCode::OK);
    let siem = checked_siem(&admin).await;
    assert_eq!(siem["status"], "failing", "{siem}");
}
