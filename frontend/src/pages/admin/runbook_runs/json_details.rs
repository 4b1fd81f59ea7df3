use leptos::prelude::*;
use serde_json::Value;

/// Renders `value` as indented JSON inside a collapsed `<details>` titled `summary`, or a
/// muted line when the value is empty.
#[component]
pub fn JsonDetails(summary: &'static str, value: Value) -> impl IntoView {
    let empty = match &value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    };
    if empty {
        return view! { <p class="muted small">{format!("{summary}: none")}</p> }.into_any();
    }
    let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());

    view! {
        <details class="json-details">
            <summary>{summary}</summary>
            <pre>{text}</pre>
        </details>
    }
    .into_any()
}
