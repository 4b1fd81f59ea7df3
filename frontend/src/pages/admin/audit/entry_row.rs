use leptos::prelude::*;
use serde_json::Value;
use shared::audit::AuditEntry;

use super::changes::{ChangeKind, ValueChange, value_changes};
use crate::format::local_date_time;

/// Renders one audit entry. Its `<details>` lists the keys whose values differ between
/// before and after, and folds the full values under that list.
#[component]
pub fn EntryRow(entry: AuditEntry) -> impl IntoView {
    let has_values = entry.before.is_some() || entry.after.is_some();
    let changes_view = if has_values {
        let changes = value_changes(entry.before.as_ref(), entry.after.as_ref());
        view! { <ChangesDetails changes before=entry.before after=entry.after /> }.into_any()
    } else {
        view! { <span class="muted">"—"</span> }.into_any()
    };

    view! {
        <tr>
            <td class="nowrap">
                <time datetime=entry.at.to_rfc3339()>{local_date_time(entry.at)}</time>
            </td>
            <td>
                <code>{entry.actor}</code>
            </td>
            <td>{entry.action}</td>
            <td>
                {entry.entity_type}
                <br />
                <code class="small">{entry.entity_id}</code>
            </td>
            <td>{changes_view}</td>
        </tr>
    }
}

/// Renders the expandable list of changed keys, then the full before and after values.
#[component]
fn ChangesDetails(
    changes: Vec<ValueChange>,
    before: Option<Value>,
    after: Option<Value>,
) -> impl IntoView {
    let summary = match changes.len() {
        0 => "No value changed".to_string(),
        1 => "1 change".to_string(),
        count => format!("{count} changes"),
    };
    let changes_view = if changes.is_empty() {
        view! { <p class="muted">"Before and after hold the same values."</p> }.into_any()
    } else {
        let rows = changes.into_iter().map(change_row).collect_view();
        view! {
            <table class="diff-table">
                <thead>
                    <tr>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Before"</th>
                        <th scope="col">"After"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };

    view! {
        <details>
            <summary>{summary}</summary>
            {changes_view}
            <details class="full-values">
                <summary>"Full before and after"</summary>
                <div class="json-pair">
                    <div>
                        <h3>"Before"</h3>
                        <pre>{pretty_json(before.as_ref())}</pre>
                    </div>
                    <div>
                        <h3>"After"</h3>
                        <pre>{pretty_json(after.as_ref())}</pre>
                    </div>
                </div>
            </details>
        </details>
    }
}

/// Renders one changed key. The "added" and "removed" markers are text, so they do not rely
/// on the row's colour.
fn change_row(change: ValueChange) -> impl IntoView {
    let (row_class, marker) = match change.kind {
        ChangeKind::Added => ("diff-added", Some("(added)")),
        ChangeKind::Removed => ("diff-removed", Some("(removed)")),
        ChangeKind::Changed => ("diff-changed", None),
    };
    let key = if change.key.is_empty() {
        view! { <span class="muted">"(whole value)"</span> }.into_any()
    } else {
        view! { <code>{change.key}</code> }.into_any()
    };

    view! {
        <tr class=row_class>
            <th scope="row">
                {key}
                {marker.map(|text| view! { " " <span class="diff-marker">{text}</span> })}
            </th>
            <td>{value_cell(change.before.as_ref())}</td>
            <td>{value_cell(change.after.as_ref())}</td>
        </tr>
    }
}

/// Renders a value as compact JSON, so a string, a number and `null` stay distinguishable.
fn value_cell(value: Option<&Value>) -> AnyView {
    match value {
        Some(value) => view! { <code class="diff-value">{value.to_string()}</code> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

fn pretty_json(value: Option<&Value>) -> String {
    match value {
        Some(value) => serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
        None => "—".to_string(),
    }
}
