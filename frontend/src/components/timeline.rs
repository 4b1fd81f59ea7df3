use leptos::prelude::*;
use shared::orders::OrderEvent;

use crate::format::local_date_time;

/// Renders an order's state changes, oldest first, under the heading "Timeline".
#[component]
pub fn Timeline(events: Vec<OrderEvent>) -> impl IntoView {
    let items = events
        .into_iter()
        .map(|event| {
            let transition = match event.from_state {
                Some(from) => format!("{} → {}", from.label(), event.to_state.label()),
                None => event.to_state.label().to_string(),
            };
            view! {
                <li>
                    <time datetime=event.at.to_rfc3339()>{local_date_time(event.at)}</time>
                    <span class="timeline-transition">{transition}</span>
                    <span class="timeline-actor">{event.actor}</span>
                    {event.note.map(|note| view! { <p class="timeline-note">{note}</p> })}
                </li>
            }
        })
        .collect_view();

    view! {
        <section class="card">
            <h2>"Timeline"</h2>
            <ol class="timeline">{items}</ol>
        </section>
    }
}
