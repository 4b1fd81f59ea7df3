//! Reading captured mail from the maildev REST API.

use super::{TestApp, env};
use serde_json::Value;

/// A captured message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub async fn all() -> Vec<Mail> {
    let list: Vec<Value> = reqwest::get(env("MAIL_API"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let addresses = |list: &Value| -> Vec<String> {
        list.as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|a| a["address"].as_str().map(str::to_lowercase))
                    .collect()
            })
            .unwrap_or_default()
    };
    list.into_iter()
        .map(|m| Mail {
            to: addresses(&m["to"]),
            cc: addresses(&m["cc"]),
            subject: m["subject"].as_str().unwrap_or_default().to_string(),
            text: m["text"].as_str().unwrap_or_default().to_string(),
            html: m["html"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// Waits for a message to `to` whose subject contains `subject`.
pub async fn wait_for(to: &str, subject: &str) -> Mail {
    let to = to.to_lowercase();
    let what = format!("mail to {to} about {subject:?}");
    TestApp::eventually(20, &what, || async {
        all()
            .await
            .into_iter()
            .find(|m| m.to.contains(&to) && m.subject.contains(subject))
    })
    .await
}

/// Counts messages to `to` whose subject contains `subject`.
pub async fn count(to: &str, subject: &str) -> usize {
    let to = to.to_lowercase();
    all()
        .await
        .iter()
        .filter(|m| m.to.contains(&to) && m.subject.contains(subject))
        .count()
}

/// The token of the first link in `text` that points at the decision page.
pub fn link_token(text: &str, label: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{label}: ")))
        .unwrap_or_else(|| panic!("no {label} link in:\n{text}"));
    let url = line.split_once(": ").unwrap().1.trim();
    assert!(url.contains("/portal/decide#"), "{url}");
    url.split_once('#').unwrap().1.to_string()
}

/// Opens the decision link labelled `label` ("Approve" or "Decline") in `text` without a
/// session, as the approver does, and confirms it.
pub async fn decide_by_link(app: &TestApp, text: &str, label: &str) -> reqwest::Response {
    let token = link_token(text, label);
    app.client()
        .post_empty(&format!("/api/v1/approval-links/{token}"))
        .await
}
