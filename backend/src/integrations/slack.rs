//! Slack messages in Block Kit: a header, the facts as mrkdwn fields, long texts in sections of
//! their own, link buttons, and a plain `text` fallback for notifications.

use super::chat::{ButtonStyle, ChatMessage, truncate};
use serde_json::{Value, json};

/// Block Kit limits: header text 150 characters, a section's fields 10 with 2000 characters
/// each, a section's text 3000, a button's text 75.
const HEADER_MAX_CHARS: usize = 150;
const FIELDS_MAX: usize = 10;
const FIELD_MAX_CHARS: usize = 2000;
const SECTION_MAX_CHARS: usize = 3000;
const BUTTON_TEXT_MAX_CHARS: usize = 75;

/// Escapes the three characters Slack's mrkdwn gives a meaning to, so a value cannot add a
/// link or a mention.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn mrkdwn(text: String) -> Value {
    json!({ "type": "mrkdwn", "text": text })
}

/// Builds the webhook body for a message.
pub fn message(message: &ChatMessage) -> Value {
    let mut blocks = vec![
        json!({
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": truncate(&message.title, HEADER_MAX_CHARS),
                "emoji": false,
            },
        }),
        json!({
            "type": "section",
            "text": mrkdwn(cut_escaped(&escape(&message.summary), SECTION_MAX_CHARS)),
        }),
    ];
    let (short, long): (Vec<_>, Vec<_>) = message.facts.iter().partition(|fact| !fact.long);
    for chunk in short.chunks(FIELDS_MAX) {
        let fields: Vec<Value> = chunk
            .iter()
            .map(|fact| {
                let text = format!("*{}*\n{}", fact.label, escape(&fact.value));
                mrkdwn(cut_escaped(&text, FIELD_MAX_CHARS))
            })
            .collect();
        blocks.push(json!({ "type": "section", "fields": fields }));
    }
    for fact in long {
        let text = format!("*{}*\n{}", fact.label, escape(&fact.value));
        blocks.push(json!({
            "type": "section",
            "text": mrkdwn(cut_escaped(&text, SECTION_MAX_CHARS)),
        }));
    }
    if !message.buttons.is_empty() {
        let elements: Vec<Value> = message
            .buttons
            .iter()
            .enumerate()
            .map(|(index, button)| {
                let mut element = json!({
                    "type": "button",
                    "text": {
                        "type": "plain_text",
                        "text": truncate(button.label, BUTTON_TEXT_MAX_CHARS),
                    },
                    "url": button.url,
                    "action_id": format!("open_{index}"),
                });
                let style = match button.style {
                    ButtonStyle::Default => None,
                    ButtonStyle::Primary => Some("primary"),
                    ButtonStyle::Danger => Some("danger"),
                };
                if let Some(style) = style {
                    element["style"] = json!(style);
                }
                element
            })
            .collect();
        blocks.push(json!({ "type": "actions", "elements": elements }));
    }
    json!({
        "text": escape(&format!("{}: {}", message.title, message.summary)),
        "blocks": blocks,
    })
}

/// Cuts escaped mrkdwn to `max` characters without splitting an entity such as `&amp;`, which
/// Slack would show as raw text.
fn cut_escaped(text: &str, max: usize) -> String {
    let cut = truncate(text, max);
    match cut.rfind('&') {
        Some(at) if !cut[at..].contains(';') => format!("{}…", &cut[..at]),
        _ => cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_never_splits_an_entity() {
        let text = escape(&"&".repeat(1000));
        let cut = cut_escaped(&text, 30);
        assert!(cut.chars().count() <= 30, "{cut}");
        assert!(cut.ends_with("&amp;…"), "{cut}");
    }
    use crate::integrations::chat::{Button, Fact};

    #[test]
    fn values_are_escaped_and_long_facts_get_sections() {
        let message = ChatMessage {
            title: "Approval needed".into(),
            summary: "A <b> & c".into(),
            facts: vec![
                Fact::new("Requester", "Jane <jdoe@example.com>"),
                Fact::long("Justification", "<!channel> please"),
            ],
            buttons: vec![Button {
                label: "Approve",
                url: "https://ipsolis.example.com/portal/decide#t".into(),
                style: ButtonStyle::Primary,
            }],
        };
        let body = super::message(&message);
        assert_eq!(body["text"], "Approval needed: A &lt;b&gt; &amp; c");
        let blocks = body["blocks"].as_array().unwrap();
        assert_eq!(
            blocks[2]["fields"][0]["text"],
            "*Requester*\nJane &lt;jdoe@example.com&gt;"
        );
        assert_eq!(
            blocks[3]["text"]["text"],
            "*Justification*\n&lt;!channel&gt; please"
        );
        assert_eq!(blocks[4]["elements"][0]["style"], "primary");
    }
}
