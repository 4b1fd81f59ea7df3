use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::auth::SessionInfo;

use crate::api::{AdminApi, ApiError};
use crate::components::ErrorBanner;
use crate::format::local_date_time;

/// Maximum number of characters of a user agent shown in the list. The cell's `title`
/// contains the whole text.
const USER_AGENT_MAX_CHARS: usize = 60;

/// Renders one open session. The current session reads "This session", and every other one
/// has "End session".
#[component]
pub fn SessionRow(session: SessionInfo, on_ended: Callback<()>) -> impl IntoView {
    let api = expect_context::<AdminApi>();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = session.id;

    let end = move |_| {
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match api.end_session(id).await {
                Ok(()) => on_ended.run(()),
                // The session ended meanwhile, by sign-out or timeout, so reloading drops it.
                Err(failure) if failure.status == 404 => on_ended.run(()),
                Err(failure) => {
                    error.set(Some(failure));
                    pending.set(false);
                }
            }
        });
    };

    let address = session
        .address
        .clone()
        .unwrap_or_else(|| "Unknown".to_string());
    let user_agent = session.user_agent.clone().unwrap_or_default();
    let browser = if user_agent.is_empty() {
        "Unknown".to_string()
    } else {
        shorten(&user_agent, USER_AGENT_MAX_CHARS)
    };

    view! {
        <tr>
            <td class="nowrap">
                <time datetime=session.created_at.to_rfc3339()>{local_date_time(session.created_at)}</time>
            </td>
            <td class="nowrap">
                <time datetime=session.last_seen_at.to_rfc3339()>
                    {local_date_time(session.last_seen_at)}
                </time>
            </td>
            <td>{address}</td>
            <td title=user_agent>{browser}</td>
            <td>
                {if session.current {
                    view! { <span class="muted">"This session"</span> }.into_any()
                } else {
                    view! {
                        <ErrorBanner error />
                        <div class="row-actions">
                            <button
                                type="button"
                                class="button danger"
                                disabled=move || pending.get()
                                on:click=end
                            >
                                "End session"
                            </button>
                        </div>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
}

/// Cuts `text` to at most `max_chars` characters, ending with an ellipsis when it was longer.
fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let prefix: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", prefix.trim_end())
}
