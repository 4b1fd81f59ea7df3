//! Microsoft Teams messages: an Adaptive Card (schema version 1.4) in a message attachment,
//! the body both a Workflows webhook and an Office 365 connector webhook accept.

use super::chat::{ButtonStyle, ChatMessage, truncate};
use serde_json::{Value, json};

const CARD_VERSION: &str = "1.4";
/// Maximum characters of one fact's value, so a message stays under the 28 KB that Microsoft
/// documents as the size limit of an incoming-webhook message.
const VALUE_MAX_CHARS: usize = 2000;

/// Builds the webhook body for a message.
pub fn message(message: &ChatMessage) -> Value {
    let facts: Vec<Value> = message
        .facts
        .iter()
        .map(|fact| json!({ "title": fact.label, "value": truncate(&fact.value, VALUE_MAX_CHARS) }))
        .collect();
    let actions: Vec<Value> = message
        .buttons
        .iter()
        .map(|button| {
            let mut action = json!({
                "type": "Action.OpenUrl",
                "title": button.label,
                "url": button.url,
            });
            let style = match button.style {
                ButtonStyle::Default => None,
                ButtonStyle::Primary => Some("positive"),
                ButtonStyle::Danger => Some("destructive"),
            };
            if let Some(style) = style {
                action["style"] = json!(style);
            }
            action
        })
        .collect();
    let card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": [
            {
                "type": "TextBlock",
                "text": message.title,
                "size": "Medium",
                "weight": "Bolder",
                "wrap": true,
            },
            { "type": "TextBlock", "text": message.summary, "wrap": true },
            { "type": "FactSet", "facts": facts },
        ],
        "actions": actions,
    });
    json!({
        "type": "message",
        "summary": message.title,
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}
