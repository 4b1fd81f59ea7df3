use leptos::prelude::*;
use serde_json::Value;
use shared::orders::{Order, PendingChange};

use crate::components::StateBadge;
use crate::format::{days, local_date_time, optional_date_time};

/// Renders the facts of one order for admins.
#[component]
pub fn OrderSummary(order: Order) -> impl IntoView {
    let justification = order
        .justification
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| "—".to_string());
    let category = Some(order.definition_category)
        .filter(|text| !text.trim().is_empty())
        .unwrap_or_else(|| "—".to_string());
    let instance = order.asset_name.unwrap_or_else(|| "—".to_string());
    let start = order
        .start_at
        .map(local_date_time)
        .unwrap_or_else(|| "Once approved".to_string());
    let attributes = attribute_list(&order.attributes);
    let pending_change = order.pending_change.map(|change| {
        view! {
            <dt>"Pending change"</dt>
            <dd>{pending_change(&change)}</dd>
        }
    });

    let placed_by = order.placed_by.map(|deputy| {
        view! {
            <dt>"Placed by"</dt>
            <dd>
                {deputy.display_name}
                <span class="muted">" <" {deputy.email} ">"</span>
                <span class="muted small">" (deputy)"</span>
            </dd>
        }
    });

    view! {
        <section class="card">
            <h2>"Order"</h2>
            <dl class="facts">
                <dt>"Requester"</dt>
                <dd>
                    {order.requester.display_name}
                    <span class="muted">" <" {order.requester.email} ">"</span>
                    <br />
                    <span class="muted small">{order.requester.directory_dn}</span>
                </dd>
                {placed_by}
                <dt>"Asset"</dt>
                <dd>{order.definition_name}</dd>
                <dt>"Category"</dt>
                <dd>{category}</dd>
                <dt>"Instance"</dt>
                <dd>{instance}</dd>
                <dt>"State"</dt>
                <dd>
                    <StateBadge state=order.state />
                </dd>
                <dt>"Duration"</dt>
                <dd>{days(order.duration_days)}</dd>
                <dt>"Starts"</dt>
                <dd>{start}</dd>
                <dt>"Extensions"</dt>
                <dd>{order.extension_count.to_string()}</dd>
                {pending_change}
                <dt>"Attributes"</dt>
                <dd>{attributes}</dd>
                <dt>"Justification"</dt>
                <dd class="preserve-lines">{justification}</dd>
                <dt>"Created"</dt>
                <dd>{local_date_time(order.created_at)}</dd>
                <dt>"Activated"</dt>
                <dd>{optional_date_time(order.activated_at)}</dd>
                <dt>"Expires"</dt>
                <dd>{optional_date_time(order.expires_at)}</dd>
                <dt>"Closed"</dt>
                <dd>{optional_date_time(order.closed_at)}</dd>
                <dt>"Order ID"</dt>
                <dd>
                    <code>{order.id.to_string()}</code>
                </dd>
            </dl>
        </section>
    }
}

/// Renders attribute values by key, or a dash when the order has none.
fn attribute_list(attributes: &Value) -> AnyView {
    let entries: Vec<(String, String)> = attributes
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(key, value)| (key.clone(), attribute_value(value)))
                .collect()
        })
        .unwrap_or_default();
    if entries.is_empty() {
        return "—".into_any();
    }
    let items = entries
        .into_iter()
        .map(|(key, value)| {
            view! {
                <li>
                    <code>{key}</code>
                    ": "
                    {value}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="plain-list">{items}</ul> }.into_any()
}

/// Returns one attribute value for people. A directory user shows by display name and account.
fn attribute_value(value: &Value) -> String {
    match value {
        Value::Null => "—".to_string(),
        Value::String(text) => text.clone(),
        Value::Bool(true) => "Yes".to_string(),
        Value::Bool(false) => "No".to_string(),
        Value::Number(number) => number.to_string(),
        Value::Object(map) => {
            let text = |key: &str| map.get(key).and_then(Value::as_str);
            match (text("display_name"), text("account")) {
                (Some(name), Some(account)) => format!("{name} ({account})"),
                (Some(name), None) => name.to_string(),
                _ => value.to_string(),
            }
        }
        Value::Array(_) => value.to_string(),
    }
}

/// Describes an extension or change waiting for approval.
fn pending_change(change: &PendingChange) -> String {
    match change {
        PendingChange::Extend { days: count } => {
            format!("Extension by {}, waiting for approval", days(*count))
        }
        PendingChange::Modify { attributes } => {
            let values = attributes
                .as_object()
                .map(|map| {
                    map.iter()
                        .map(|(key, value)| format!("{key}: {}", attribute_value(value)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            format!("New attributes, waiting for approval: {values}")
        }
    }
}
