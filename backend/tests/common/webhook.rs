//! Fake incoming-webhook servers for Microsoft Teams and Slack on 127.0.0.1. Each accepts posts
//! only at its secret path, checks the body the way the real service does (answering 400 to a
//! malformed card or block list), records every request and can fail the next requests on demand.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::TestApp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Teams,
    Slack,
}

/// A request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub content_type: String,
    pub body: Value,
    /// What the service would reject in the body; empty for a valid message.
    pub problems: Vec<String>,
}

/// A response the fake sends instead of success.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    replies: VecDeque<Reply>,
}

#[derive(Clone)]
struct Fake {
    service: Service,
    path: String,
    shared: Arc<Mutex<Shared>>,
}

pub struct FakeWebhook {
    /// The webhook URL, secret path included.
    pub url: String,
    fake: Fake,
}

impl FakeWebhook {
    pub async fn start(service: Service) -> FakeWebhook {
        let secret = uuid::Uuid::now_v7().simple().to_string();
        let path = match service {
            Service::Teams => format!("/workflows/{secret}/triggers/manual/paths/invoke"),
            Service::Slack => format!("/services/T0001/B0001/{secret}"),
        };
        let fake = Fake {
            service,
            path: path.clone(),
            shared: Arc::default(),
        };
        let app = Router::new().fallback(receive).with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let query = match service {
            Service::Teams => "?api-version=2016-06-01&sig=fake-signature",
            Service::Slack => "",
        };
        FakeWebhook {
            url: format!("http://{address}{path}{query}"),
            fake,
        }
    }

    /// Makes the next post fail with `status`.
    pub fn fail_next(&self, status: u16, retry_after: Option<&str>, body: &str) {
        let reply = Reply {
            status,
            retry_after: retry_after.map(str::to_string),
            body: body.to_string(),
        };
        self.fake.shared.lock().unwrap().replies.push_back(reply);
    }

    pub fn received(&self) -> Vec<Received> {
        self.fake.shared.lock().unwrap().received.clone()
    }

    /// Waits until the fake has received `count` requests and returns them.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let what = format!(
            "{count} request(s) to the fake {:?} webhook",
            self.fake.service
        );
        TestApp::eventually(20, &what, || async {
            let received = self.received();
            (received.len() >= count).then_some(received)
        })
        .await
    }
}

async fn receive(State(fake): State<Fake>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let method = request.method().clone();
    let bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_else(|_| Bytes::new());
    if method != axum::http::Method::POST || path != fake.path {
        return (StatusCode::NOT_FOUND, "no_service").into_response();
    }
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let problems = match fake.service {
        Service::Teams => teams_problems(&body),
        Service::Slack => slack_problems(&body),
    };
    let reply = {
        let mut shared = fake.shared.lock().unwrap();
        shared.received.push(Received {
            path,
            content_type,
            body,
            problems: problems.clone(),
        });
        shared.replies.pop_front()
    };
    if let Some(reply) = reply {
        let mut headers = HeaderMap::new();
        if let Some(wait) = reply.retry_after {
            headers.insert(header::RETRY_AFTER, wait.parse().unwrap());
        }
        let status = StatusCode::from_u16(reply.status).unwrap();
        return (status, headers, reply.body).into_response();
    }
    match (fake.service, problems.is_empty()) {
        (Service::Teams, true) => StatusCode::ACCEPTED.into_response(),
        (Service::Slack, true) => (StatusCode::OK, "ok").into_response(),
        (Service::Teams, false) => (StatusCode::BAD_REQUEST, problems.join("; ")).into_response(),
        (Service::Slack, false) => (StatusCode::BAD_REQUEST, "invalid_blocks").into_response(),
    }
}

fn is_text(value: &Value) -> bool {
    value.as_str().is_some_and(|s| !s.trim().is_empty())
}

/// Whether `value` is an absolute http or https URL.
pub fn is_absolute_http_url(value: &Value) -> bool {
    value
        .as_str()
        .and_then(|s| reqwest::Url::parse(s).ok())
        .is_some_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
}

/// Lists what a Teams webhook would reject: the message must carry one Adaptive Card
/// attachment whose elements and actions have the fields their types require.
pub fn teams_problems(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if body["type"] != "message" {
        problems.push("type must be \"message\"".to_string());
    }
    let Some(attachments) = body["attachments"].as_array().filter(|a| !a.is_empty()) else {
        problems.push("attachments must be a non-empty array".into());
        return problems;
    };
    for (index, attachment) in attachments.iter().enumerate() {
        if attachment["contentType"] != "application/vnd.microsoft.card.adaptive" {
            problems.push(format!(
                "attachments[{index}].contentType is not an Adaptive Card"
            ));
        }
        let card = &attachment["content"];
        if card["type"] != "AdaptiveCard" {
            problems.push(format!(
                "attachments[{index}].content.type must be AdaptiveCard"
            ));
        }
        if !card["version"].is_string() {
            problems.push(format!(
                "attachments[{index}].content.version must be a string"
            ));
        }
        let Some(elements) = card["body"].as_array() else {
            problems.push(format!(
                "attachments[{index}].content.body must be an array"
            ));
            continue;
        };
        for (e, element) in elements.iter().enumerate() {
            let at = format!("body[{e}]");
            match element["type"].as_str() {
                Some("TextBlock") if !is_text(&element["text"]) => {
                    problems.push(format!("{at}: a TextBlock needs text"));
                }
                Some("TextBlock") => {}
                Some("FactSet") => match element["facts"].as_array() {
                    Some(facts) if !facts.is_empty() => {
                        for (f, fact) in facts.iter().enumerate() {
                            if !fact["title"].is_string() || !fact["value"].is_string() {
                                problems.push(format!(
                                    "{at}.facts[{f}]: title and value must be strings"
                                ));
                            }
                        }
                    }
                    _ => problems.push(format!("{at}: a FactSet needs facts")),
                },
                other => problems.push(format!("{at}: unexpected element type {other:?}")),
            }
        }
        for (a, action) in card["actions"].as_array().into_iter().flatten().enumerate() {
            let at = format!("actions[{a}]");
            if action["type"] != "Action.OpenUrl" {
                problems.push(format!("{at}: unexpected action type {}", action["type"]));
            }
            if !is_text(&action["title"]) {
                problems.push(format!("{at}: an action needs a title"));
            }
            if !is_absolute_http_url(&action["url"]) {
                problems.push(format!("{at}: url must be an absolute http(s) URL"));
            }
        }
    }
    problems
}

/// Lists what a Slack webhook would reject: a `text` fallback, and blocks whose texts,
/// fields and buttons follow Block Kit.
pub fn slack_problems(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if !is_text(&body["text"]) {
        problems.push("text (the fallback) is required".to_string());
    }
    let Some(blocks) = body["blocks"].as_array().filter(|b| !b.is_empty()) else {
        problems.push("blocks must be a non-empty array".into());
        return problems;
    };
    let text_object = |value: &Value, kinds: &[&str]| {
        kinds.contains(&value["type"].as_str().unwrap_or_default()) && is_text(&value["text"])
    };
    for (index, block) in blocks.iter().enumerate() {
        let at = format!("blocks[{index}]");
        match block["type"].as_str() {
            Some("header") => {
                let length = block["text"]["text"]
                    .as_str()
                    .map_or(0, |t| t.chars().count());
                if !text_object(&block["text"], &["plain_text"]) || length > 150 {
                    problems.push(format!("{at}: a header needs plain_text of at most 150"));
                }
            }
            Some("section") => {
                let has_text = text_object(&block["text"], &["mrkdwn", "plain_text"]);
                let fields = block["fields"].as_array();
                let fields_ok = fields.is_some_and(|f| {
                    !f.is_empty()
                        && f.len() <= 10
                        && f.iter()
                            .all(|field| text_object(field, &["mrkdwn", "plain_text"]))
                });
                if !has_text && !fields_ok {
                    problems.push(format!("{at}: a section needs text or 1 to 10 fields"));
                }
            }
            Some("actions") => {
                let elements = block["elements"].as_array().cloned().unwrap_or_default();
                if elements.is_empty() || elements.len() > 25 {
                    problems.push(format!("{at}: actions need 1 to 25 elements"));
                }
                for (e, element) in elements.iter().enumerate() {
                    if element["type"] != "button" {
                        problems.push(format!("{at}.elements[{e}]: not a button"));
                    }
                    if !text_object(&element["text"], &["plain_text"]) {
                        problems.push(format!("{at}.elements[{e}]: needs plain_text"));
                    }
                    if !is_absolute_http_url(&element["url"]) {
                        problems.push(format!("{at}.elements[{e}]: url must be absolute"));
                    }
                    let style = element["style"].as_str();
                    if style.is_some_and(|s| s != "primary" && s != "danger") {
                        problems.push(format!("{at}.elements[{e}]: unknown style"));
                    }
                }
            }
            other => problems.push(format!("{at}: unexpected block type {other:?}")),
        }
    }
    problems
}
