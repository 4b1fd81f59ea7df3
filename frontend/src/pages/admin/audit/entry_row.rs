use leptos::prelude::*;
use shared::audit::AuditEntry;

use crate::format::local_date_time;

/// Renders one audit entry, with the before and after values folded in a `<details>`.
#[component]
pub fn EntryRow(entry: AuditEntry) -> impl IntoView {
    let has_changes = entry.before.is_some() || entry.after.is_some();
    let before = pretty_json(entry.before.as_ref());
    let after = pretty_json(entry.after.as_ref());

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
            <td>
                {if has_changes {
                    view! {
                        <details>
                            <summary>"Before and after"</summary>
                            <div class="json-pair">
                                <div>
                                    <h3>"Before"</h3>
                                    <pre>{before}</pre>
                                </div>
                                <div>
                                    <h3>"After"</h3>
                                    <pre>{after}</pre>
                                </div>
                            </div>
                        </details>
                    }
                        .into_any()
                } else {
                    view! { <span class="muted">"—"</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

fn pretty_json(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(value) => serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
        None => "—".to_string(),
    }
}
